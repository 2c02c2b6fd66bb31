import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { waitUntil } from './wait-until.js';

/** One message as a topic holds it: the key, the value and every header, as text. */
export interface StoredMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string;
  value: string;
  headers: Record<string, string>;
}

/**
 * Every message the topics hold right now, from the beginning of each partition to its end at the time of the call
 * (a throwaway consumer group): what a privacy test greps for a value that must not be readable on the wire.
 */
export async function readTopicsFromStart(
  kafka: Kafka,
  topics: string[],
  timeoutMs = 30_000,
): Promise<StoredMessage[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<string, number>();
  try {
    for (const topic of topics) {
      for (const { partition, high, low } of await admin.fetchTopicOffsets(topic))
        if (Number(high) > Number(low)) ends.set(`${topic}/${partition}`, Number(high));
    }
  } finally {
    await admin.disconnect();
  }
  const messages: StoredMessage[] = [];
  if (!ends.size) return messages;
  const read = new Map<string, number>();
  const consumer = kafka.consumer({
    groupId: `topic-reader-${randomBytes(4).toString('hex')}`,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        read.set(`${topic}/${partition}`, Number(message.offset) + 1);
        messages.push({
          topic,
          partition,
          offset: message.offset,
          key: message.key?.toString() ?? '',
          value: message.value?.toString() ?? '',
          headers: Object.fromEntries(
            Object.entries(message.headers ?? {}).map(([name, value]) => [
              name,
              (Array.isArray(value) ? value.join(',') : value)?.toString() ?? '',
            ]),
          ),
        });
        await Promise.resolve();
      },
    });
    await waitUntil(
      `every message of ${topics.length} topic(s) read`,
      () => [...ends].every(([key, end]) => (read.get(key) ?? 0) >= end) || undefined,
      { timeoutMs, intervalMs: 100 },
    );
  } finally {
    await consumer.disconnect();
  }
  return messages;
}
