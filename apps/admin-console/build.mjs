// Builds the console into dist/: index.html, app.js (one ES module: Preact + htm + the screens) and app.css.
// Paths are relative, so the bundle works at any prefix (leads-api serves it at /console/) or a host of its own.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(root, 'dist');
fs.rmSync(dist, { recursive: true, force: true });
fs.mkdirSync(dist, { recursive: true });
await build({
  entryPoints: [path.join(root, 'src/main.ts')],
  outfile: path.join(dist, 'app.js'),
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  legalComments: 'linked',
  logLevel: 'warning',
});
fs.copyFileSync(path.join(root, 'src/index.html'), path.join(dist, 'index.html'));
fs.copyFileSync(path.join(root, 'src/app.css'), path.join(dist, 'app.css'));
console.log(
  `[admin-console] built ${path.relative(process.cwd(), dist)} (${fs.statSync(path.join(dist, 'app.js')).size} bytes of JS)`,
);
