import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AssignerProtocol, type Admin } from 'kafkajs';
import { EVENT_TYPES, RETRY_TOPICS } from '@leadhooks/contracts';
import { EventPublisher } from '@leadhooks/messaging';
import {
  createTestDatabase,
  createTestKafka,
  type TestDatabase,
  type TestKafka,
  waitForGroupToConsume,
  waitUntil,
} from '@leadhooks/testing';
import { startTestDispatcher } from './dispatcher-harness.js';

/**
 * The dispatcher consumes the main topics and the retry tiers with separate consumers in separate groups, so the
 * hot consumer's fetches name 2 topics, not 12; the retry group starts from the offsets the single group of
 * earlier versions committed.
 */
describe('zapier-dispatcher consumer lanes (real Kafka + Postgres)', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let admin: Admin;
  let dispatcher: NestFastifyApplication | undefined;

  beforeAll(async () => {
    [db, kafka] = await Promise.all([createTestDatabase('lanes'), createTestKafka('lanes')]);
    admin = kafka.kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await dispatcher?.close();
    await admin?.disconnect();
    await kafka?.cleanup();
    await db?.drop();
  });

  /** Topic → partitions assigned to the group's members, from the broker's view of the group. */
  async function assignedTopics(groupId: string): Promise<string[]> {
    const {
      groups: [group],
    } = await admin.describeGroups([groupId]);
    const topics = new Set<string>();
    for (const member of group?.members ?? []) {
      const decoded = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
      for (const topic of Object.keys(decoded?.assignment ?? {})) topics.add(topic);
    }
    return [...topics].sort();
  }

  it('takes the old group offsets for the retry tiers, and consumes main topics and tiers in their own groups', async () => {
    const oldGroup = kafka.groupId('dispatcher');
    const tier = kafka.topics.retry('1m');
    // Messages an earlier version already handled: its group committed past them.
    const publisher = new EventPublisher(kafka.kafka);
    await publisher.publish(
      tier,
      [0, 1, 2, 3, 4, 5].map((i) => ({ key: `lead-${i}`, value: 'handled long ago', headers: {} })),
    );
    await publisher.disconnect();
    const ends = await admin.fetchTopicOffsets(tier);
    await admin.setOffsets({
      groupId: oldGroup,
      topic: tier,
      partitions: ends.map(({ partition, high }) => ({ partition, offset: high })),
    });

    ({ app: dispatcher } = await startTestDispatcher(db, kafka));

    const retryGroup = `${oldGroup}.retries`;
    const [adopted] = await admin.fetchOffsets({ groupId: retryGroup, topics: [tier] });
    expect(
      adopted.partitions
        .map(({ partition, offset }) => ({ partition, offset }))
        .sort((a, b) => a.partition - b.partition),
    ).toEqual(
      ends
        .map(({ partition, high }) => ({ partition, offset: high }))
        .sort((a, b) => a.partition - b.partition),
    );

    await waitUntil(
      'both groups to have their assignments',
      async () =>
        (await assignedTopics(oldGroup)).length > 0 && (await assignedTopics(retryGroup)).length > 0
          ? true
          : undefined,
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(await assignedTopics(oldGroup)).toEqual(
      EVENT_TYPES.map((event) => kafka.topics.mainOf(event)).sort(),
    );
    expect(await assignedTopics(retryGroup)).toEqual(
      RETRY_TOPICS.map((topic) => kafka.topics.physical(topic)).sort(),
    );

    // A new unreadable message on the tier is dead-lettered; once the retry group has committed the whole tier,
    // it is the only dead letter: none of the already-handled messages was read again.
    const late = new EventPublisher(kafka.kafka);
    await late.publish(tier, [{ key: 'lead-late', value: 'unreadable', headers: {} }]);
    await late.disconnect();
    const deadLetters = async () =>
      (await admin.fetchTopicOffsets(kafka.topics.dlt)).reduce((sum, { high }) => sum + Number(high), 0);
    await waitUntil(
      'the new message to be dead-lettered',
      async () => ((await deadLetters()) > 0 ? true : undefined),
      {
        timeoutMs: 30_000,
        intervalMs: 200,
      },
    );
    await waitForGroupToConsume(kafka.kafka, retryGroup, tier);
    expect(await deadLetters()).toBe(1);
  });
});
