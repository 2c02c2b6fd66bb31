import pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeliveryHeaders } from '@leadhooks/contracts';
import { LeadEntity } from '@leadhooks/db';
import { EventPublisher } from '@leadhooks/messaging';
import {
  createTestDatabase,
  createTestKafka,
  seedLead,
  seedSite,
  type TestDatabase,
  type TestKafka,
  waitUntil,
  WebhookReceiver,
} from '@leadhooks/testing';
import { AppProcess } from '../src/app-process.js';
import { ADMIN_KEY, createSite, postLead, stackEnv } from '../src/stack.js';

describe('hardening across processes (built apps, real Postgres + Kafka)', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let receiver: WebhookReceiver;
  const processes: AppProcess[] = [];

  beforeAll(async () => {
    [db, kafka, receiver] = await Promise.all([
      createTestDatabase('e2ehard'),
      createTestKafka('e2ehard', 3),
      WebhookReceiver.start(),
    ]);
  });

  afterEach(async () => {
    await Promise.all(processes.splice(0).map((p) => p.stop()));
    receiver.requests.length = 0;
    receiver.respondWith(() => ({ status: 200 }));
  });

  afterAll(async () => {
    await receiver?.stop();
    await kafka?.cleanup();
    await db?.drop();
  });

  const start = async (name: 'leads-api' | 'zapier-dispatcher', extra: Record<string, string> = {}) => {
    const app = await AppProcess.start(name, stackEnv(db, kafka, extra));
    processes.push(app);
    return app;
  };
  const lead = (id: string) => db.dataSource.getRepository(LeadEntity).findOneByOrFail({ id });
  const requestsFor = (id: string) => receiver.requests.filter((r) => r.body.includes(id));

  it('applies a hook enabled through one leads-api instance to the very next lead posted to another', async () => {
    const [a, b] = [
      await start('leads-api'),
      await start('leads-api', { OUTBOX_RELAY_ENABLED: 'false', SITE_CACHE_TTL: '1h' }),
    ];
    await start('zapier-dispatcher');
    const site = await createSite(a, 'two-instances.test', null, false);
    const before = await postLead(b, 'two-instances.test', { email: 'before@example.com' });
    expect(before.body.zapier_status).toBe('NOT_CONFIGURED');
    const patched = await fetch(`${a.url}/v1/admin/sites/${site.id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ zapier: { webhook_url: receiver.url, enabled: true } }),
    });
    expect(patched.status).toBe(200);
    const after = await postLead(b, 'two-instances.test', { email: 'after@example.com' });
    expect(after.body.zapier_status).toBe('PENDING');
    await waitUntil('the lead posted after enabling SENT', async () =>
      (await lead(after.body.id)).zapierStatus === 'SENT' ? true : undefined,
    );
  });

  it('does not POST after a stall (SIGSTOP) outlived its lease: the other dispatcher delivers once, the stalled one gives up', async () => {
    const dispatcherEnv = {
      WEBHOOK_TIMEOUT_MS: '2000',
      LEAD_LEASE_MARGIN: '1s',
      KAFKA_SESSION_TIMEOUT: '6s',
    };
    const stalled = await start('zapier-dispatcher', dispatcherEnv);
    const site = await seedSite(db.dataSource, { webhookUrl: receiver.url, enabled: true });
    const event = await seedLead(db.dataSource, site);
    const leadId = event.data.lead_id;
    // Hold the lead's row, so the dispatcher's claim waits in Postgres; then freeze the dispatcher, then let the
    // claim commit: the lease is taken while its holder is stopped.
    const blocker = new pg.Client({ connectionString: db.url });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('SELECT 1 FROM lead WHERE id = $1 FOR UPDATE', [leadId]);
    const publisher = new EventPublisher(kafka.kafka);
    await publisher.publish(kafka.topics.main, [
      { key: leadId, value: JSON.stringify(event), headers: DeliveryHeaders.firstAttempt() },
    ]);
    await publisher.disconnect();
    await waitUntil('the claim to wait on the row lock', async () => {
      const rows: unknown[] = await db.dataSource.query(
        `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'zapier-dispatcher' AND wait_event_type = 'Lock'`,
      );
      return rows.length > 0 || undefined;
    });
    stalled.signal('SIGSTOP');
    await blocker.query('COMMIT');
    await blocker.end();
    await waitUntil(
      'the lease to be taken by the stopped dispatcher (its fan-out created the delivery leased)',
      async () => {
        const rows: Array<{ lock_token: string | null }> = await db.dataSource.query(
          `SELECT lock_token FROM delivery WHERE lead_id = $1`,
          [leadId],
        );
        return rows[0]?.lock_token ? true : undefined;
      },
    );

    const healthy = await start('zapier-dispatcher', dispatcherEnv);
    await waitUntil(
      'the lead SENT by the other dispatcher',
      async () => ((await lead(leadId)).zapierStatus === 'SENT' ? true : undefined),
      {
        timeoutMs: 60_000,
        intervalMs: 200,
      },
    );
    stalled.signal('SIGCONT');
    await waitUntil(
      'the stalled dispatcher to give its claim up',
      () => (stalled.output.join('').includes('not sending') ? true : undefined),
      {
        timeoutMs: 20_000,
      },
    );
    await sleep(500);
    expect(requestsFor(leadId)).toHaveLength(1);
    expect(await lead(leadId)).toMatchObject({ zapierStatus: 'SENT', zapierAttemptCount: 1 });
    void healthy;
  });

  it('delivers every lead exactly once while dispatchers join and leave during load', async () => {
    const api = await start('leads-api', {
      RATE_LIMIT_PER_IP_PER_MINUTE: '0',
      RATE_LIMIT_PER_SITE_PER_SECOND: '0',
    });
    const first = await start('zapier-dispatcher', { SITE_RATE_LIMIT_PER_SECOND: '0' });
    await createSite(api, 'rebalance.test', receiver.url);
    receiver.respondWith(() => ({ status: 200, delayMs: 20 }));
    const ids: string[] = [];
    const load = (async () => {
      for (let i = 0; i < 300; i++) {
        ids.push((await postLead(api, 'rebalance.test', { email: `r${i}@example.com` })).body.id);
        await sleep(10);
      }
    })();
    await sleep(1_000);
    await start('zapier-dispatcher', { SITE_RATE_LIMIT_PER_SECOND: '0' });
    await sleep(1_000);
    await first.stop();
    await start('zapier-dispatcher', { SITE_RATE_LIMIT_PER_SECOND: '0' });
    await load;
    await waitUntil(
      'every lead SENT',
      async () => {
        const rows: Array<{ count: string }> = await db.dataSource.query(
          `SELECT count(*) FROM lead WHERE id = ANY($1::uuid[]) AND zapier_status = 'SENT'`,
          [ids],
        );
        return Number(rows[0].count) === ids.length || undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    const counts = new Map<string, number>();
    for (const request of receiver.requests) {
      const id = (JSON.parse(request.body) as { lead_id: string }).lead_id;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    expect(ids.filter((id) => counts.get(id) !== 1)).toEqual([]);
  });
});
