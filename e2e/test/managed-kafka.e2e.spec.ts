import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ConnectionOptions } from 'node:tls';
import kafkajs from 'kafkajs';
import { TopicNames } from '@leadhooks/contracts';
import { LeadEntity } from '@leadhooks/db';
import { createTestDatabase, type TestDatabase, waitUntil, WebhookReceiver } from '@leadhooks/testing';
import { AppProcess } from '../src/app-process.js';
import { runDlt } from '../src/dlt-cli.js';
import { createSite, postLead, stackEnv } from '../src/stack.js';
import { makeTestCertificates } from '../src/test-certificates.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** tools/infra/kafka-secure.mjs (plain JavaScript, loaded at run time). */
interface SecureKafkaModule {
  startSecureKafka(options: {
    dir: string;
    port: number;
    controllerPort: number;
    caFile: string;
    keystoreFile: string;
    broker: { name: string; password: string };
    users: Array<{ name: string; password: string }>;
    clientTls: ConnectionOptions;
  }): Promise<{ brokers: string; logFile: string; stop: () => Promise<void> }>;
}

const kafkaPort = Number(process.env.LEADHOOKS_KAFKA_PORT ?? 19092);

describe('managed Kafka: the apps, topics and the DLT CLI over SASL_SSL (SCRAM + mutual TLS) only', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadhooks-sasl-ssl-'));
  const password = randomBytes(18).toString('base64url');
  const prefix = `t-sasl-${randomBytes(3).toString('hex')}.`;
  let broker: Awaited<ReturnType<SecureKafkaModule['startSecureKafka']>>;
  let db: TestDatabase;
  let receiver: WebhookReceiver;
  let env: Record<string, string>;
  let caFile: string;
  let clientTls: ConnectionOptions;
  let api: AppProcess | undefined;
  let dispatcher: AppProcess | undefined;

  beforeAll(async () => {
    const certificates = makeTestCertificates(dir);
    const { startSecureKafka } = (await import(
      pathToFileURL(path.join(repoRoot, 'tools', 'infra', 'kafka-secure.mjs')).href
    )) as SecureKafkaModule;
    caFile = certificates.caFile;
    clientTls = {
      ca: fs.readFileSync(certificates.caFile, 'utf8'),
      cert: fs.readFileSync(certificates.clientCertFile, 'utf8'),
      key: fs.readFileSync(certificates.clientKeyFile, 'utf8'),
    };
    [broker, db, receiver] = await Promise.all([
      startSecureKafka({
        dir: path.join(dir, 'kafka'),
        // Beside this checkout's own broker (LEADHOOKS_KAFKA_PORT and the next one), so parallel checkouts differ.
        port: kafkaPort + 2,
        controllerPort: kafkaPort + 3,
        caFile: certificates.caFile,
        keystoreFile: certificates.brokerKeystoreFile,
        broker: { name: 'broker', password: randomBytes(18).toString('base64url') },
        users: [{ name: 'leadhooks', password }],
        clientTls,
      }),
      createTestDatabase('e2esasl'),
      WebhookReceiver.start(),
    ]);
    const topics = new TopicNames(prefix);
    env = stackEnv(
      db,
      { brokers: [broker.brokers], topics, groupId: (name) => `${prefix}${name}` },
      {
        KAFKA_TLS: 'true',
        KAFKA_TLS_CA_FILE: certificates.caFile,
        KAFKA_TLS_CERT_FILE: certificates.clientCertFile,
        KAFKA_TLS_KEY_FILE: certificates.clientKeyFile,
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: 'leadhooks',
        KAFKA_SASL_PASSWORD: password,
      },
    );
  }, 480_000);

  afterAll(async () => {
    await Promise.all([api?.stop(), dispatcher?.stop()]);
    await receiver?.stop();
    await broker?.stop();
    await db?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a plaintext client, and a TLS client without a client certificate: only SASL_SSL with mTLS gets in', async () => {
    const probe = async (options: Partial<kafkajs.KafkaConfig>) => {
      const admin = new kafkajs.Kafka({
        clientId: 'probe',
        brokers: [broker.brokers],
        logLevel: kafkajs.logLevel.NOTHING,
        connectionTimeout: 5_000,
        requestTimeout: 10_000,
        retry: { retries: 0 },
        ...options,
      }).admin();
      try {
        await admin.connect();
        return await admin.describeCluster();
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    };
    const sasl = { mechanism: 'scram-sha-512' as const, username: 'leadhooks', password };
    await expect(probe({})).rejects.toThrow();
    await expect(probe({ ssl: { ca: fs.readFileSync(caFile, 'utf8') }, sasl })).rejects.toThrow();
    await expect(probe({ ssl: clientTls, sasl })).resolves.toMatchObject({ brokers: [expect.anything()] });
  });

  it('provisions the topics with `npm run topics` over SASL_SSL', () => {
    const command = path.join(repoRoot, 'libs', 'messaging', 'dist', 'topics.command.js');
    const result = spawnSync(process.execPath, ['--disable-warning=TimeoutNegativeWarning', command], {
      env: {
        ...process.env,
        ...env,
        KAFKA_REPLICATION_FACTOR: '1',
        KAFKA_MIN_INSYNC_REPLICAS: '1',
        KAFKA_TOPIC_PARTITIONS: '3',
      },
      encoding: 'utf8',
      timeout: 90_000,
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`Created topics: ${prefix}lead.created`);
  });

  it('stores a lead, relays it and delivers it to the receiver; secrets stay out of every log line', async () => {
    [api, dispatcher] = await Promise.all([
      // Each connects over TLS + SCRAM before it answers; on a loaded machine that has taken over a minute.
      AppProcess.start('leads-api', env, { startTimeoutMs: 240_000 }),
      AppProcess.start('zapier-dispatcher', env, { startTimeoutMs: 240_000 }),
    ]);
    await createSite(api, 'acme-sasl.test', receiver.url);
    const { status, body } = await postLead(api, 'acme-sasl.test', {
      name: 'Grace',
      email: 'grace@example.com',
    });
    expect(status).toBe(201);
    await waitUntil(
      'the lead SENT through the SASL_SSL broker',
      async () => {
        const lead = await db.dataSource.getRepository(LeadEntity).findOneByOrFail({ id: body.id });
        return lead.zapierStatus === 'SENT' || undefined;
      },
      { timeoutMs: 60_000 },
    );
    expect(receiver.requests).toHaveLength(1);
    expect(JSON.parse(receiver.requests[0].body)).toMatchObject({ lead_id: body.id, name: 'Grace' });
    const output = api.output.join('') + dispatcher.output.join('');
    expect(output).toContain('over TLS (own CA) with a client certificate, SASL scram-sha-512 as leadhooks');
    expect(output).not.toContain(password);
    expect(output).not.toContain('PRIVATE KEY');
  }, 360_000);

  it('lists the dead-letter topics with the DLT CLI over SASL_SSL', async () => {
    const result = await runDlt(['list'], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain(password);
  });
});
