import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { TopicNames } from '@leadhooks/contracts';
import { createKafka, ensureTopics } from '@leadhooks/messaging';

export interface TestKafka {
  brokers: string[];
  kafka: Kafka;
  topics: TopicNames;
  /** A group id unique to this test file. */
  groupId: (name: string) => string;
  cleanup(): Promise<void>;
}

export function testBrokers(): string[] {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers)
    throw new Error('KAFKA_BROKERS is not set: run tests through Jest (its global setup provisions Kafka)');
  return brokers.split(',');
}

/** Topics under a prefix private to one test file, on the real broker. */
export async function createTestKafka(label: string, partitions = 3): Promise<TestKafka> {
  const id = `${label
    .replace(/[^a-z0-9]/gi, '')
    .toLowerCase()
    .slice(0, 20)}-${randomBytes(3).toString('hex')}`;
  const brokers = testBrokers();
  // Transient coordinator warnings while the broker warms up are expected; only errors are shown.
  const kafka = createKafka({ brokers, clientId: `test-${id}` }, (level, message) => {
    if (level === 'error' && !/coordinator/i.test(message)) console.error(message);
  });
  const topics = new TopicNames(`t-${id}.`);
  await ensureTopics(kafka, topics.all(), {
    partitions,
    replicationFactor: 1,
    minInsyncReplicas: 1,
    deadLetterRetentionMs: 86_400_000,
  });
  return {
    brokers,
    kafka,
    topics,
    groupId: (name) => `test-${id}-${name}`,
    async cleanup() {
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: topics.all() }).catch(() => undefined);
      await admin.disconnect();
    },
  };
}
