#!/usr/bin/env node
// @ts-check
// CI check, no Docker engine needed: each app's image would hold everything the app imports at run time.
// For every app with a Dockerfile: the Dockerfile lays the image out from the Nx graph (app-image.mjs); the
// layout is made here in a temp dir, every `@leadhooks/*` import in its code is checked to be in it, its modules
// are loaded from it (with only the libs the image would have), and the files its Dockerfile and
// docker-compose.yml run are in it. Exit 1 naming what is missing.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../infra/paths.mjs';
import { projectGraph, runtimeClosure } from './project-graph.mjs';

const problems = [];
const graph = projectGraph();
const apps = Object.values(graph.nodes).filter(
  (node) => node.type === 'app' && fs.existsSync(path.join(repoRoot, node.data.root, 'Dockerfile')),
);
const compose = fs.readFileSync(path.join(repoRoot, 'docker-compose.yml'), 'utf8');

for (const app of apps) {
  const dockerfile = fs.readFileSync(path.join(repoRoot, app.data.root, 'Dockerfile'), 'utf8');
  // A static bundle (the admin console): built by Nx, served by a web server; no Node modules to lay out.
  if (dockerfile.includes('# image: static')) {
    if (!buildsWithNx(dockerfile, app.name))
      problems.push(
        `${app.data.root}/Dockerfile (a static image) does not build its bundle with nx build ${app.name}`,
      );
    continue;
  }
  if (!dockerfile.includes(`tools/docker/app-image.mjs ${app.name}`)) {
    problems.push(
      `${app.data.root}/Dockerfile does not lay its image out with tools/docker/app-image.mjs ${app.name}`,
    );
    continue;
  }
  const build = spawnSync('nx', ['build', app.name, '--outputStyle=static'], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false' },
  });
  if (build.status !== 0) {
    problems.push(`nx build ${app.name} failed:\n${build.stdout}\n${build.stderr}`);
    continue;
  }
  const out = fs.mkdtempSync(path.join(os.tmpdir(), `image-${path.basename(app.data.root)}-`));
  // As the Dockerfile's RUN does it: a plain `node` with the image's PATH, which has no node_modules/.bin.
  const layout = spawnSync(process.execPath, ['tools/docker/app-image.mjs', app.name, out], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, PATH: pathWithoutNodeModules() },
  });
  if (layout.status !== 0) {
    problems.push(
      `${app.name} image: \`node tools/docker/app-image.mjs\` (as its Dockerfile runs it) failed:\n${layout.stderr}`,
    );
    continue;
  }
  const libs = runtimeClosure(graph, app.name).map((lib) => lib.data.root);
  /** @type {Map<string, string>} */
  const shipped = new Map([[app.name, app.data.root]]);
  for (const root of libs) shipped.set(packageName(root), root);
  linkNodeModules(out, shipped);

  // Every workspace import in shipped code must be shipped.
  for (const root of shipped.values()) {
    for (const file of jsFiles(path.join(out, root, 'dist'))) {
      for (const [, name] of fs
        .readFileSync(file, 'utf8')
        .matchAll(/from ['"](@leadhooks\/[\w-]+)['"]|import\(['"](@leadhooks\/[\w-]+)['"]\)/g)) {
        if (name && !shipped.has(name))
          problems.push(
            `${app.name} image: ${path.relative(out, file)} imports ${name}, which the image does not contain`,
          );
      }
    }
  }

  // Load every module that has no side effects (executables are covered by the import scan above).
  const dist = path.join(out, app.data.root, 'dist');
  const modules = jsFiles(dist).filter((file) => !isExecutable(path.relative(dist, file)));
  const load = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', modules.map((file) => `await import(${JSON.stringify(file)});`).join('\n')],
    {
      cwd: out,
      encoding: 'utf8',
    },
  );
  if (load.status !== 0)
    problems.push(
      `${app.name} image: loading its modules failed:\n${load.stderr.split('\n').slice(0, 8).join('\n')}`,
    );

  // What the image runs must be in it.
  const runs = [...dockerfile.matchAll(/"([\w./-]+\.js)"/g)].map((match) => match[1]);
  const service = new RegExp(
    `dockerfile: ${app.data.root.replace('/', '\\/')}\\/Dockerfile[\\s\\S]*?(?=\\n  [\\w-]+:\\n|$)`,
    'g',
  );
  for (const block of compose.match(service) ?? [])
    runs.push(...[...block.matchAll(/node ([\w./-]+\.js)/g)].map((match) => match[1]));
  for (const file of runs)
    if (!fs.existsSync(path.join(out, file)))
      problems.push(`${app.name} image: runs ${file}, which it does not contain`);

  if (!problems.length)
    console.log(
      `[images] ${app.name}: ${[...shipped.values()].join(', ')}; ${modules.length} modules load; runs ${runs.join(', ')}`,
    );
  fs.rmSync(out, { recursive: true, force: true });
}

// The shared build layer is shared only if every Dockerfile spells it the same (else each image builds on its own).
const sharedBuilds = new Set(
  apps.flatMap(
    (app) =>
      fs
        .readFileSync(path.join(repoRoot, app.data.root, 'Dockerfile'), 'utf8')
        .match(/^RUN .*nx run-many -t build.*$/gm) ?? [],
  ),
);
if (sharedBuilds.size > 1)
  problems.push(
    `the Dockerfiles' shared \`nx run-many -t build\` layers differ:\n  ${[...sharedBuilds].join('\n  ')}`,
  );

if (problems.length) {
  console.error(`[images] ${problems.length} problem(s):\n- ${problems.join('\n- ')}`);
  process.exit(1);
}

/** Entry points that run as soon as they are imported (start a server, a CLI). @param {string} file */
function isExecutable(file) {
  return (
    file === 'main.js' ||
    file === 'relay.main.js' ||
    (file.startsWith('cli/') && !file.endsWith('.command.js'))
  );
}

/**
 * The Dockerfile builds `project` with Nx: `nx build <project>`, or the `nx run-many -t build -p …` line the images
 * share (one layer, built once when several images are built).
 * @param {string} dockerfile @param {string} project
 */
function buildsWithNx(dockerfile, project) {
  return (
    dockerfile.includes(`nx build ${project}`) ||
    (dockerfile.match(/nx run-many -t build -p [^\n]*/g) ?? []).some((line) =>
      line.split(/\s+/).includes(project),
    )
  );
}

/** The PATH without node_modules/.bin (npm scripts add it; a Dockerfile's RUN does not). */
function pathWithoutNodeModules() {
  return (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter((dir) => !dir.includes(`node_modules${path.sep}.bin`))
    .join(path.delimiter);
}

/** @param {string} root */
function packageName(root) {
  return JSON.parse(fs.readFileSync(path.join(repoRoot, root, 'package.json'), 'utf8')).name;
}

/** The image's node_modules: third-party packages from the repo (what npm would install), and only the shipped workspaces. */
function linkNodeModules(/** @type {string} */ out, /** @type {Map<string, string>} */ shipped) {
  const modules = path.join(out, 'node_modules');
  fs.mkdirSync(path.join(modules, '@leadhooks'), { recursive: true });
  for (const entry of fs.readdirSync(path.join(repoRoot, 'node_modules'))) {
    if (entry === '@leadhooks' || entry === '.bin' || entry.startsWith('.')) continue;
    fs.symlinkSync(path.join(repoRoot, 'node_modules', entry), path.join(modules, entry));
  }
  for (const [name, root] of shipped) fs.symlinkSync(path.join(out, root), path.join(modules, name));
}

/** @param {string} dir @returns {string[]} */
function jsFiles(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.js'))
    .map((file) => path.join(dir, file));
}
