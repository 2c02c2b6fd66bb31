import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path, { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { TEST_ENCRYPTION_KEY, createTestDatabase, testBrokers, type TestDatabase } from '@leadhooks/testing';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const commands = {
  migrate: path.join(repo, 'libs/db/dist/migrate.command.js'),
  topics: path.join(repo, 'libs/messaging/dist/topics.command.js'),
  reseal: path.join(repo, 'libs/db/dist/reseal.command.js'),
  dlt: path.join(repo, 'apps/zapier-dispatcher/dist/cli/dlt.js'),
};

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * Runs a built command as ops would. `withoutPasswd` runs it where the OS has no passwd entry for the user (as a
 * container under Kubernetes `runAsUser`): a private mount namespace whose passwd database is empty (the tests run as
 * root). Changing the uid instead would need every folder above the checkout to be traversable by that uid, which a
 * clone in a `mktemp -d` folder (mode 700) is not.
 */
function run(file: string, args: string[], env: Record<string, string>, withoutPasswd = false): Promise<Run> {
  const started = Date.now();
  const command = [process.execPath, '--disable-warning=TimeoutNegativeWarning', file, ...args];
  const argv = withoutPasswd
    ? ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', emptyPasswdScript(), ...command]
    : command;
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
  });
}

/** A shell script that hides the passwd database (files only, and empty) and then runs its arguments. */
function emptyPasswdScript(): string {
  const folder = mkdtempSync(join(tmpdir(), 'lh-nopasswd-'));
  writeFileSync(join(folder, 'passwd'), '');
  writeFileSync(join(folder, 'nsswitch.conf'), 'passwd: files\ngroup: files\n');
  return [
    `mount --bind ${folder}/passwd /etc/passwd`,
    `mount --bind ${folder}/nsswitch.conf /etc/nsswitch.conf`,
    'exec "$0" "$@"',
  ].join(' && ');
}

describe('ops commands (built, run as processes against real Postgres and Kafka)', () => {
  const server = () => process.env.LEADHOOKS_TEST_SERVER_URL as string;
  const empty = `lh_opsempty_${randomBytes(4).toString('hex')}`;
  const emptyUrl = () => Object.assign(new URL(server()), { pathname: `/${empty}` }).toString();
  const prefix = `t-opshelp-${randomBytes(3).toString('hex')}.`;
  let db: TestDatabase;

  const tablesIn = async (url: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: string }>(
        `SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'public'`,
      );
      return Number(rows[0].n);
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: server() });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${empty}`);
    await admin.end();
    db = await createTestDatabase('e2eops');
  });
  afterAll(async () => {
    await db.drop();
    const admin = new pg.Client({ connectionString: server() });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${empty} WITH (FORCE)`);
    await admin.end();
  });

  it.each(['migrate', 'topics', 'reseal'] as const)(
    '%s --help prints its usage and does nothing',
    async (name) => {
      const env = {
        DATABASE_URL: emptyUrl(),
        KAFKA_BROKERS: testBrokers().join(','),
        KAFKA_TOPIC_PREFIX: prefix,
        KAFKA_REPLICATION_FACTOR: '1',
        KAFKA_MIN_INSYNC_REPLICAS: '1',
        DATA_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      };
      for (const flag of ['--help', '-h']) {
        const result = await run(commands[name], [flag], env);
        expect(result).toMatchObject({ code: 0, stderr: '' });
        expect(result.stdout).toContain(`Usage: npm run ${name}`);
      }
      const wrong = await run(commands[name], ['--all'], env);
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toContain('Unexpected argument(s): --all');

      expect(await tablesIn(emptyUrl())).toBe(0);
      const kafka = new Kafka({
        brokers: testBrokers(),
        clientId: 'test-ops-help',
        logLevel: logLevel.NOTHING,
      });
      const admin = kafka.admin();
      await admin.connect();
      try {
        expect((await admin.listTopics()).filter((topic) => topic.startsWith(prefix))).toEqual([]);
      } finally {
        await admin.disconnect();
      }
    },
  );

  it('the DLT CLI runs where the user has no passwd entry (Kubernetes runAsUser), recording uid:<n>', async () => {
    const env = {
      DATABASE_URL: db.url,
      KAFKA_BROKERS: testBrokers().join(','),
      DATA_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      HOME: '/tmp',
    };
    const result = await run(commands.dlt, ['replay', '--help'], env, true);
    expect(result.stderr).not.toMatch(/uv_os_get_passwd|ENOENT|mount:/);
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout.replace(/\s+/g, ' ')).toContain(`(default: "uid:${process.getuid?.()}")`);
  });

  it('migrate gives up on a locked table after MIGRATION_LOCK_TIMEOUT instead of queueing every query behind it', async () => {
    // The newest migration is undone, then applied again by the command (whichever it is as migrations are added).
    const [{ name: newest }]: Array<{ name: string }> = await db.dataSource.query(
      'SELECT name FROM typeorm_migrations ORDER BY id DESC LIMIT 1',
    );
    await db.dataSource.undoLastMigration({ transaction: 'all' });
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    try {
      // A long transaction holding the tables a migration references (as a slow report would).
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE site, lead, endpoint, delivery, lead_erasure IN ACCESS EXCLUSIVE MODE');
      const blocked = await run(commands.migrate, [], { DATABASE_URL: db.url, MIGRATION_LOCK_TIMEOUT: '1s' });
      expect(blocked.code).toBe(1);
      expect(blocked.stderr).toMatch(/lock timeout/);
      expect(blocked.stderr).toContain('run `migrate` again');
      expect(blocked.ms).toBeLessThan(15_000);
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
    }
    const again = await run(commands.migrate, [], { DATABASE_URL: db.url, MIGRATION_LOCK_TIMEOUT: '1s' });
    expect(again).toMatchObject({ code: 0 });
    expect(again.stdout).toContain(`Applied migrations: ${newest}`);
  });
});
