// @ts-check
// `node --test tools/`: tools/dlt.mjs and its settings.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from './infra/paths.mjs';

const dlt = path.join(repoRoot, 'tools', 'dlt.mjs');

for (const [set, unset] of [
  ['DATABASE_URL', 'KAFKA_BROKERS'],
  ['KAFKA_BROKERS', 'DATABASE_URL'],
]) {
  test(`npm run dlt refuses to start local infra when only ${set} is set`, () => {
    const env = { ...process.env, DATABASE_URL: '', KAFKA_BROKERS: '' };
    env[set] = set === 'DATABASE_URL' ? 'postgres://ops@db.example.com/leadhooks' : '10.0.0.1:9092';
    // An unwritable cache: if it tried to build or start infra, that would show in the output instead.
    const result = spawnSync(process.execPath, [dlt, 'list'], {
      env: { ...env, LEADHOOKS_CACHE_DIR: '/nonexistent/leadhooks-cache' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, new RegExp(`${set} is set but ${unset} is not`));
    assert.doesNotMatch(result.stderr, /\[infra\]|using the local stack/);
  });
}
