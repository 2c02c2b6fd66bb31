import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Site } from '@leadhooks/db';
import { EventPublisher } from '@leadhooks/messaging';
import {
  firstAttemptHeaders,
  seedEndpoint,
  seedLead,
  seedSite,
  startTestbed,
  type Testbed,
  waitForLeadStatus,
} from '@leadhooks/testing';
import { startTestDispatcher } from './dispatcher-harness.js';

/**
 * One site's endpoints that never answer use their share of in-flight requests and no more (issue 20, item 4):
 * before, its deliveries (each held for the endpoint's whole timeout) could take every slot of a partition, and
 * every other site's leads waited behind them.
 */
describe("zapier-dispatcher: a site's never-answering endpoints (real Kafka + Postgres)", () => {
  let testbed: Testbed;
  let dispatcher: NestFastifyApplication;
  let publisher: EventPublisher;

  beforeAll(async () => {
    testbed = await startTestbed('slow-endpoints', { partitions: 1 });
    publisher = new EventPublisher(testbed.kafka.kafka);
    ({ app: dispatcher } = await startTestDispatcher(testbed.db, testbed.kafka, {
      DELIVERY_CONCURRENCY_PER_PARTITION: '8',
      DELIVERY_SLOTS_PER_ENDPOINT: '2',
      DELIVERY_SLOTS_PER_SITE: '3',
      ENDPOINT_RATE_LIMIT_PER_SECOND: '0',
    }));
    // "hang": answers long after any timeout (the endpoints below give up after 8 s).
    testbed.receiver.respondWith((request) =>
      request.path.includes('hang') ? { status: 200, delayMs: 15_000 } : { status: 200 },
    );
  });

  afterAll(async () => {
    await dispatcher?.close();
    await publisher?.disconnect();
    await testbed?.stop();
  });

  async function publishLead(site: Site) {
    const event = await seedLead(testbed.db.dataSource, site);
    await publisher.publish(testbed.kafka.topics.main, [
      { key: event.data.lead_id, value: JSON.stringify(event), headers: firstAttemptHeaders() },
    ]);
    return event.data.lead_id;
  }

  it("delivers other sites' leads at once while one site's endpoints hold requests for their whole timeout, and that site never has more than its share in flight", async () => {
    const hostile = await seedSite(testbed.db.dataSource, {
      webhookUrl: `${testbed.receiver.url}hang-0`,
      enabled: true,
    });
    await testbed.db.dataSource.query(`UPDATE endpoint SET timeout_ms = 8000 WHERE site_id = $1`, [
      hostile.id,
    ]);
    for (const n of [1, 2])
      await seedEndpoint(testbed.db.dataSource, hostile, {
        url: `${testbed.receiver.url}hang-${n}`,
        timeoutMs: 8_000,
      });
    const healthy = await seedSite(testbed.db.dataSource, {
      webhookUrl: `${testbed.receiver.url}ok`,
      enabled: true,
    });
    const started = Date.now();
    // 12 hostile leads × 3 endpoints, all in front of the healthy ones on the one partition.
    for (let i = 0; i < 12; i++) await publishLead(hostile);
    const good: string[] = [];
    for (let i = 0; i < 6; i++) good.push(await publishLead(healthy));
    for (const id of good) await waitForLeadStatus(testbed.db.dataSource, id, 'SENT', 20_000);
    // Well before the first hostile request could time out (8 s): nothing healthy waited behind them.
    expect(Date.now() - started).toBeLessThan(6_000);
    const hanging = testbed.receiver.requests.filter((r) => r.path.includes('hang'));
    // None has answered yet (8 s timeout): every one of them is still in flight; the site's share is 3.
    expect(hanging.length).toBeGreaterThan(0);
    expect(hanging.length).toBeLessThanOrEqual(3);
  });
});
