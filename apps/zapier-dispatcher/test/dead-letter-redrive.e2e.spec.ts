import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { EventPublisher } from '@leadhooks/messaging';
import {
  firstAttemptHeaders,
  seedLead,
  seedSite,
  startTestbed,
  type Testbed,
  waitForLeadStatus,
  waitUntil,
} from '@leadhooks/testing';
import { REDRIVE_ACTOR } from '../src/dlt/dead-letter-redrive.service.js';
import { startTestDispatcher } from './dispatcher-harness.js';

describe('automatic re-drive of dead letters after a long outage (real Kafka + Postgres)', () => {
  let testbed: Testbed;
  let dispatcher: NestFastifyApplication;
  let publisher: EventPublisher;

  beforeAll(async () => {
    testbed = await startTestbed('redrive');
    publisher = new EventPublisher(testbed.kafka.kafka);
    const seen = new Map<string, number>();
    testbed.receiver.respondWith((request) => {
      const count = (seen.get(request.path) ?? 0) + 1;
      seen.set(request.path, count);
      // "recovers": down for the whole retry cycle (6 attempts), back afterwards. "gone": a 404 for good.
      if (request.path.endsWith('recovers')) return { status: count <= 6 ? 503 : 200 };
      if (request.path.endsWith('gone')) return { status: 404 };
      return { status: 200 };
    });
    ({ app: dispatcher } = await startTestDispatcher(testbed.db, testbed.kafka, {
      RETRY_DELAYS: '100ms,100ms,100ms,100ms,100ms',
      RETRY_JITTER_PERCENT: '0',
      REDRIVE_INTERVAL: '1s',
      REDRIVE_WINDOW: '1h',
    }));
  });

  afterAll(async () => {
    await dispatcher?.close();
    await publisher?.disconnect();
    await testbed?.stop();
  });

  async function submit(path: string) {
    const site = await seedSite(testbed.db.dataSource, {
      webhookUrl: `${testbed.receiver.url}${path}`,
      enabled: true,
    });
    const event = await seedLead(testbed.db.dataSource, site);
    await publisher.publish(testbed.kafka.topics.main, [
      { key: event.data.lead_id, value: JSON.stringify(event), headers: firstAttemptHeaders() },
    ]);
    return event.data.lead_id;
  }

  it('replays a lead whose last failure was retryable once the receiver is back, recorded as an automatic replay; a 404 stays FAILED', async () => {
    const [recovers, gone] = [await submit('recovers'), await submit('gone')];
    await waitForLeadStatus(testbed.db.dataSource, gone, 'FAILED');
    const delivered = await waitForLeadStatus(testbed.db.dataSource, recovers, 'SENT', 30_000);
    expect(delivered.zapierAttemptCount).toBe(7);
    // A run records its counts when it finishes, which can be after the replayed delivery is already SENT.
    const runs = await waitUntil(
      'the re-drive run that replayed the lead to finish',
      async () => {
        const finished: Array<{ actor: string; replayed: number }> = await testbed.db.dataSource.query(
          `SELECT actor, replayed FROM dlt_replay WHERE finished_at IS NOT NULL AND replayed > 0`,
        );
        return finished.length ? finished : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    expect(runs).toEqual([{ actor: REDRIVE_ACTOR, replayed: 1 }]);
    const items: Array<{ lead_id: string }> = await testbed.db.dataSource.query(
      `SELECT lead_id FROM dlt_replay_item`,
    );
    expect(items.map((item) => item.lead_id)).toEqual([recovers]);
    expect(
      (await testbed.db.dataSource.query(`SELECT zapier_status FROM lead WHERE id = $1`, [gone]))[0],
    ).toEqual({ zapier_status: 'FAILED' });
  });
});
