// @ts-check
// The Nx project graph, and the libs an app ships with (what its image must contain).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../infra/paths.mjs';

/** @typedef {{ name: string, type: string, data: { root: string, tags?: string[] } }} ProjectNode */
/** @typedef {{ nodes: Record<string, ProjectNode>, dependencies: Record<string, Array<{ target: string }>> }} ProjectGraph */

/** @returns {ProjectGraph} */
export function projectGraph() {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'leadhooks-graph-')), 'graph.json');
  // Nx's own entry point, run by this Node: `nx` is on the PATH only under npm scripts, not in a Dockerfile's RUN.
  const nx = createRequire(import.meta.url).resolve('nx/bin/nx.js');
  const result = spawnSync(process.execPath, [nx, 'graph', `--file=${file}`], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false' },
  });
  if (result.status !== 0)
    throw new Error(`nx graph failed:\n${result.error ?? ''}\n${result.stdout}\n${result.stderr}`);
  return JSON.parse(fs.readFileSync(file, 'utf8')).graph;
}

/**
 * The workspace libs a project needs at run time: its dependencies in the graph, transitively, without test-only
 * ones (tagged type:testing, e.g. libs/testing, which apps list as a dev dependency for their tests).
 * @param {ProjectGraph} graph @param {string} project @returns {ProjectNode[]}
 */
export function runtimeClosure(graph, project) {
  const seen = new Set([project]);
  const queue = [project];
  while (queue.length) {
    const current = /** @type {string} */ (queue.shift());
    for (const { target } of graph.dependencies[current] ?? []) {
      const node = graph.nodes[target];
      if (!node || seen.has(target) || (node.data.tags ?? []).includes('type:testing')) continue;
      seen.add(target);
      queue.push(target);
    }
  }
  seen.delete(project);
  return [...seen].map((name) => graph.nodes[name]);
}
