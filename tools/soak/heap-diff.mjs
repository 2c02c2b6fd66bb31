// @ts-check
// `node --max-old-space-size=8192 tools/soak/heap-diff.mjs early.heapsnapshot late.heapsnapshot [--top 25] [--paths 3]`
// What grew between two V8 heap snapshots of one process (e.g. `npm run soak -- --heap-snapshots DIR`): objects
// grouped by kind and constructor, with the change in count and in bytes, largest growth first; then, for the
// groups that grew most, the path that keeps a few of the late snapshot's instances alive (from a GC root, each
// step the retainer closest to a root, as DevTools' "Retainers" shows it).
import fs from 'node:fs';
import { parseArgs } from 'node:util';

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '25' }, paths: { type: 'string', default: '3' } },
});
if (positionals.length !== 2) {
  console.error('usage: heap-diff.mjs early.heapsnapshot late.heapsnapshot [--top N] [--paths N]');
  process.exit(2);
}

/**
 * @typedef {{ nodes: number[], edges: number[], strings: string[], nodeFieldCount: number,
 *   edgeFieldCount: number, nodeTypes: string[], edgeTypes: string[], firstEdge: Uint32Array,
 *   offsets: Record<string, number>, edgeOffsets: Record<string, number> }} Heap
 */

/** @param {string} file @returns {Heap} */
function load(file) {
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  const meta = json.snapshot.meta;
  const offsets = Object.fromEntries(
    meta.node_fields.map((/** @type {string} */ f, /** @type {number} */ i) => [f, i]),
  );
  const edgeOffsets = Object.fromEntries(
    meta.edge_fields.map((/** @type {string} */ f, /** @type {number} */ i) => [f, i]),
  );
  const nodeFieldCount = meta.node_fields.length;
  const nodeCount = json.nodes.length / nodeFieldCount;
  const firstEdge = new Uint32Array(nodeCount + 1);
  for (let i = 0, edge = 0; i < nodeCount; i++) {
    firstEdge[i] = edge;
    edge += json.nodes[i * nodeFieldCount + offsets.edge_count] * meta.edge_fields.length;
  }
  firstEdge[nodeCount] = json.edges.length;
  return {
    nodes: json.nodes,
    edges: json.edges,
    strings: json.strings,
    nodeFieldCount,
    edgeFieldCount: meta.edge_fields.length,
    nodeTypes: meta.node_types[0],
    edgeTypes: meta.edge_types[0],
    firstEdge,
    offsets,
    edgeOffsets,
  };
}

/** "kind name" of a node: its type, and for objects and closures the constructor or function name. @param {Heap} h @param {number} i */
function groupOf(h, i) {
  const type = h.nodeTypes[h.nodes[i * h.nodeFieldCount + h.offsets.type]];
  const name = h.strings[h.nodes[i * h.nodeFieldCount + h.offsets.name]];
  if (type === 'object' || type === 'closure' || type === 'native' || type === 'hidden')
    return `${type} ${name}`;
  if (type === 'array' || type === 'code') return `${type} ${name.slice(0, 60)}`;
  return type;
}

/** @param {Heap} h */
function summarize(h) {
  /** @type {Map<string, { count: number, bytes: number }>} */
  const groups = new Map();
  const nodeCount = h.nodes.length / h.nodeFieldCount;
  for (let i = 0; i < nodeCount; i++) {
    const key = groupOf(h, i);
    const group = groups.get(key) ?? { count: 0, bytes: 0 };
    group.count++;
    group.bytes += h.nodes[i * h.nodeFieldCount + h.offsets.self_size];
    groups.set(key, group);
  }
  return groups;
}

/** Distance of every node from the root over strong edges (BFS), for choosing retainers. @param {Heap} h */
function distances(h) {
  const nodeCount = h.nodes.length / h.nodeFieldCount;
  const distance = new Int32Array(nodeCount).fill(-1);
  const weak = h.edgeTypes.indexOf('weak');
  const queue = new Uint32Array(nodeCount);
  let head = 0;
  let tail = 0;
  distance[0] = 0;
  queue[tail++] = 0;
  while (head < tail) {
    const node = queue[head++];
    for (let e = h.firstEdge[node]; e < h.firstEdge[node + 1]; e += h.edgeFieldCount) {
      if (h.edges[e + h.edgeOffsets.type] === weak) continue;
      const to = h.edges[e + h.edgeOffsets.to_node] / h.nodeFieldCount;
      if (distance[to] !== -1) continue;
      distance[to] = distance[node] + 1;
      queue[tail++] = to;
    }
  }
  return distance;
}

/** For each node, its retainers: [from node, edge index]. @param {Heap} h */
function retainers(h) {
  const nodeCount = h.nodes.length / h.nodeFieldCount;
  /** @type {Array<number[] | undefined>} */
  const by = new Array(nodeCount);
  for (let from = 0; from < nodeCount; from++) {
    for (let e = h.firstEdge[from]; e < h.firstEdge[from + 1]; e += h.edgeFieldCount) {
      const to = h.edges[e + h.edgeOffsets.to_node] / h.nodeFieldCount;
      (by[to] ??= []).push(from, e);
    }
  }
  return by;
}

/** @param {Heap} h @param {number} e */
function edgeName(h, e) {
  const type = h.edgeTypes[h.edges[e + h.edgeOffsets.type]];
  const nameOrIndex = h.edges[e + h.edgeOffsets.name_or_index];
  if (type === 'element' || type === 'hidden') return `[${nameOrIndex}]`;
  return `${type === 'property' ? '' : `(${type}) `}${h.strings[nameOrIndex]}`;
}

const [early, late] = positionals.map((file) => {
  console.error(`[heap-diff] reading ${file}`);
  return load(file);
});
const before = summarize(early);
const after = summarize(late);
const rows = [...after.entries()]
  .map(([key, group]) => {
    const old = before.get(key) ?? { count: 0, bytes: 0 };
    return { key, count: group.count - old.count, bytes: group.bytes - old.bytes, total: group.bytes };
  })
  .sort((a, b) => b.bytes - a.bytes);
const total = (/** @type {Map<string, { bytes: number }>} */ g) =>
  [...g.values()].reduce((s, x) => s + x.bytes, 0);
console.log(
  `heap: ${(total(before) / 1048576).toFixed(1)} → ${(total(after) / 1048576).toFixed(1)} MB (self sizes of reachable objects)`,
);
console.log('growth (bytes)   growth (count)   late total (bytes)   group');
for (const row of rows.slice(0, Number(args.top))) {
  console.log(
    `${String(row.bytes).padStart(14)}   ${String(row.count).padStart(14)}   ${String(row.total).padStart(18)}   ${row.key}`,
  );
}

const pathsPerGroup = Number(args.paths);
if (pathsPerGroup > 0) {
  console.error('[heap-diff] computing retainers of the late snapshot');
  const distance = distances(late);
  const retainedBy = retainers(late);
  const nodeCount = late.nodes.length / late.nodeFieldCount;
  for (const row of rows.slice(0, 5).filter((r) => r.count > 0)) {
    console.log(`\nwhat keeps "${row.key}" alive (${pathsPerGroup} of its instances, innermost first):`);
    let shown = 0;
    // Sample instances spread over the snapshot (later node ids are usually newer objects).
    const members = [];
    for (let i = 0; i < nodeCount; i++) if (groupOf(late, i) === row.key) members.push(i);
    for (let k = 0; k < pathsPerGroup && members.length; k++) {
      let node = members[Math.floor(((k + 1) * members.length) / (pathsPerGroup + 1))];
      const steps = [];
      for (let depth = 0; depth < 25 && node !== 0; depth++) {
        const list = retainedBy[node] ?? [];
        let best = -1;
        let bestEdge = -1;
        for (let r = 0; r < list.length; r += 2) {
          const from = list[r];
          if (late.edgeTypes[late.edges[list[r + 1] + late.edgeOffsets.type]] === 'weak') continue;
          if (distance[from] < 0) continue;
          if (best === -1 || distance[from] < distance[best]) ((best = from), (bestEdge = list[r + 1]));
        }
        if (best === -1) break;
        steps.push(`${groupOf(late, best)} .${edgeName(late, bestEdge)}`);
        node = best;
      }
      console.log(`  #${++shown}: ${steps.join('  <-  ')}`);
    }
  }
}
