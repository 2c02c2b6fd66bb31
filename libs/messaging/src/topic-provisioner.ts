import type { Kafka } from 'kafkajs';

export interface TopicLayout {
  partitions: number;
  replicationFactor: number;
}

/**
 * Creates missing topics with explicit partition counts (brokers run with auto-create off) and
 * fails when an existing topic has fewer partitions than asked for. Returns the topics it created.
 */
export async function ensureTopics(kafka: Kafka, topics: string[], layout: TopicLayout): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((topic) => !existing.has(topic));
    if (missing.length) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: layout.partitions,
          replicationFactor: layout.replicationFactor,
        })),
      });
    }
    const metadata = await admin.fetchTopicMetadata({ topics });
    const short = metadata.topics.filter((topic) => topic.partitions.length < layout.partitions);
    if (short.length) {
      throw new Error(
        `Topics with fewer than ${layout.partitions} partitions: ${short.map((topic) => `${topic.name} (${topic.partitions.length})`).join(', ')}`,
      );
    }
    return missing;
  } finally {
    await admin.disconnect();
  }
}
