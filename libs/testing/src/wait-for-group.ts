import type { Kafka } from 'kafkajs';
import { waitUntil } from './wait-until.js';

/**
 * Waits until a consumer group has committed every message of a topic: a positive signal that everything
 * published so far was handled (each message's offset is committed only once it is done), instead of a sleep.
 */
export async function waitForGroupToConsume(
  kafka: Kafka,
  groupId: string,
  topic: string,
  timeoutMs = 30_000,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await waitUntil(
      `group ${groupId} to consume all of ${topic}`,
      async () => {
        const [ends, committed] = await Promise.all([
          admin.fetchTopicOffsets(topic),
          admin.fetchOffsets({ groupId, topics: [topic] }),
        ]);
        const partitions = committed[0]?.partitions ?? [];
        return (
          ends.every((end) => {
            const committedOffset = Number(
              partitions.find((p) => p.partition === end.partition)?.offset ?? -1,
            );
            // -1: nothing committed yet, which is all there is to do when the partition holds no messages.
            return (committedOffset < 0 ? Number(end.low) : committedOffset) >= Number(end.high);
          }) || undefined
        );
      },
      { timeoutMs, intervalMs: 200 },
    );
  } finally {
    await admin.disconnect();
  }
}
