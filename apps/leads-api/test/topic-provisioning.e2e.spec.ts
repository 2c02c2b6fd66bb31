import kafkajs from 'kafkajs';
import { ensureTopics } from '@leadhooks/messaging';
import { createTestKafka, type TestKafka } from '@leadhooks/testing';

describe('topic provisioning (real Kafka)', () => {
  let kafka: TestKafka;

  beforeAll(async () => {
    kafka = await createTestKafka('topics');
  });

  afterAll(async () => {
    await kafka?.cleanup();
  });

  it('sets min.insync.replicas on every topic and a long retention on the DLT, also on topics that already exist', async () => {
    const layout = {
      partitions: 3,
      replicationFactor: 1,
      minInsyncReplicas: 1,
      deadLetterRetentionMs: 7 * 86_400_000,
    };
    expect(await ensureTopics(kafka.kafka, kafka.topics.all(), layout)).toEqual([]);
    const admin = kafka.kafka.admin();
    await admin.connect();
    try {
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [kafka.topics.main, kafka.topics.dlt].map((name) => ({
          type: kafkajs.ConfigResourceTypes.TOPIC,
          name,
        })),
      });
      const config = (topic: string, name: string) =>
        resources
          .find((r) => r.resourceName === topic)
          ?.configEntries.find((entry) => entry.configName === name)?.configValue;
      expect(config(kafka.topics.dlt, 'retention.ms')).toBe(String(7 * 86_400_000));
      expect(config(kafka.topics.main, 'min.insync.replicas')).toBe('1');
      expect(config(kafka.topics.dlt, 'min.insync.replicas')).toBe('1');
    } finally {
      await admin.disconnect();
    }
    await expect(
      ensureTopics(kafka.kafka, kafka.topics.all(), { ...layout, minInsyncReplicas: 2 }),
    ).rejects.toThrow(/cannot exceed/);
  });
});
