#!/usr/bin/env node
// @ts-check
// Lays out what an app's image contains, from the Nx graph (after `nx build <app>`): the manifests npm needs to
// install production dependencies, the app's dist, and the dist of every lib it uses at run time, transitively.
// Dockerfiles run it, so an image can never miss a lib its app imports:
//   node tools/docker/app-image.mjs @leadhooks/leads-api /image
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../infra/paths.mjs';
import { projectGraph, runtimeClosure } from './project-graph.mjs';

/**
 * @param {string} project @param {string} out
 * @returns {{ app: string, libs: string[] }}
 */
export function layOutImage(project, out) {
  const graph = projectGraph();
  const app = graph.nodes[project];
  if (!app) throw new Error(`No project ${project} in the Nx graph`);
  const libs = runtimeClosure(graph, project);
  fs.rmSync(out, { recursive: true, force: true });
  const copy = (/** @type {string} */ relative) => {
    const from = path.join(repoRoot, relative);
    if (!fs.existsSync(from)) throw new Error(`${relative} is missing (did \`nx build ${project}\` run?)`);
    fs.cpSync(from, path.join(out, relative), { recursive: true });
  };
  copy('package.json');
  copy('package-lock.json');
  // npm resolves workspaces by their manifests: every one is copied (code only for what ships).
  for (const node of Object.values(graph.nodes)) {
    if (fs.existsSync(path.join(repoRoot, node.data.root, 'package.json')))
      copy(path.join(node.data.root, 'package.json'));
  }
  for (const node of [app, ...libs]) copy(path.join(node.data.root, 'dist'));
  return { app: app.data.root, libs: libs.map((lib) => lib.data.root) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [project, out] = process.argv.slice(2);
  if (!project || !out) {
    console.error('usage: node tools/docker/app-image.mjs <project> <out dir>');
    process.exit(2);
  }
  const { app, libs } = layOutImage(project, path.resolve(out));
  console.log(`${project}: ${app} with ${libs.join(', ')}`);
}
