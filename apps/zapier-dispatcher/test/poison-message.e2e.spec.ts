import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { KafkaMessage } from 'kafkajs';
import { HEADERS } from '@leadhooks/contracts';
import type { Site } from '@leadhooks/db';
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
import { startTestDispatcher } from './dispatcher-harness.js';

/**
 * A message whose handler throws every time (issue 20, item 2) once stalled its whole partition: the finished
 * messages behind it counted towards the buffer, so the partition paused for good, for every site on it.
 */
describe('zapier-dispatcher: a message whose handler keeps throwing (real Kafka + Postgres)', () => {
  let testbed: Testbed;
  let dispatcher: NestFastifyApplication;
  let publisher: EventPublisher;
  const deadLetters: KafkaMessage[] = [];
  let stopObserver: () => Promise<void>;

  beforeAll(async () => {
    testbed = await startTestbed('poison-message', { partitions: 1 });
    const { kafka } = testbed;
    publisher = new EventPublisher(kafka.kafka);
    ({ app: dispatcher } = await startTestDispatcher(testbed.db, kafka, {
      DELIVERY_BUFFER_PER_PARTITION: '5',
      HANDLER_MAX_FAILURES: '3',
    }));
    const observer = kafka.kafka.consumer({ groupId: kafka.groupId('dlt-observer'), maxWaitTimeInMs: 100 });
    await observer.connect();
    await observer.subscribe({ topic: kafka.topics.dlt, fromBeginning: true });
    await observer.run({ eachMessage: async ({ message }) => void deadLetters.push(message) });
    stopObserver = () => observer.disconnect();
  });

  afterAll(async () => {
    await dispatcher?.close();
    await stopObserver?.();
    await publisher?.disconnect();
    await testbed?.stop();
  });

  async function publishLead(site: Site, eventId?: string) {
    const event = await seedLead(testbed.db.dataSource, site);
    await publisher.publish(testbed.kafka.topics.main, [
      {
        key: event.data.lead_id,
        value: JSON.stringify(eventId ? { ...event, id: eventId } : event),
        headers: firstAttemptHeaders(),
      },
    ]);
    return event.data.lead_id;
  }

  it('dead-letters it (an event id that is not a UUID) with the reason after a bounded number of failures, fails its lead, and the partition goes on past the buffer', async () => {
    const site = await seedSite(testbed.db.dataSource, {
      webhookUrl: `${testbed.receiver.url}ok`,
      enabled: true,
    });
    const poison = await publishLead(site, 'not-a-uuid');
    const behind: string[] = [];
    // Twice the partition's buffer (5) of messages behind the poison one, on the same partition.
    for (let i = 0; i < 10; i++) behind.push(await publishLead(site));
    for (const id of behind) await waitForLeadStatus(testbed.db.dataSource, id, 'SENT', 20_000);
    const dead = await waitUntil('the poison message in the DLT', () =>
      deadLetters.find((m) => m.key?.toString() === poison),
    );
    expect(dead.headers?.[HEADERS.deadLetterReason]?.toString()).toBe('poison');
    expect(dead.headers?.[HEADERS.lastError]?.toString()).toMatch(/handler failed 3 times: .*uuid/);
    await waitForLeadStatus(testbed.db.dataSource, poison, 'FAILED', 10_000);
    expect(testbed.receiver.requests.filter((r) => r.body.includes(poison))).toHaveLength(0);
  });
});
