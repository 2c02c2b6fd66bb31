import { randomBytes } from 'node:crypto';
import kafkajs, { type Admin, type Kafka } from 'kafkajs';
import { TopicNames } from '@leadhooks/contracts';
import { createKafka } from '../src/kafka-client.js';
import { ensureTopics, type TopicLayout } from '../src/topic-provisioner.js';

const DAY = 86_400_000;
const layout: TopicLayout = {
  partitions: 2,
  replicationFactor: 1,
  minInsyncReplicas: 1,
  deadLetterRetentionMs: DAY,
};

describe("ensureTopics on real Kafka (an operator's per-topic overrides)", () => {
  let kafka: Kafka;
  let admin: Admin;
  let topics: TopicNames;

  const configs = async (topic: string) => {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: kafkajs.ConfigResourceTypes.TOPIC, name: topic }],
    });
    return Object.fromEntries(
      resources[0].configEntries.map((entry) => [entry.configName, entry.configValue]),
    );
  };
  /** What an operator does by hand (kafka-configs.sh --alter --add-config), keeping our values. */
  const operatorOverrides = async (topic: string, entries: Record<string, string>) => {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: kafkajs.ConfigResourceTypes.TOPIC, name: topic }],
    });
    const own = resources[0].configEntries
      .filter((entry) => entry.configSource === kafkajs.ConfigSource.TOPIC_CONFIG)
      .map((entry) => ({ name: entry.configName, value: entry.configValue }));
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: kafkajs.ConfigResourceTypes.TOPIC,
          name: topic,
          configEntries: [...own, ...Object.entries(entries).map(([name, value]) => ({ name, value }))],
        },
      ],
    });
  };
  const eventually = async (check: () => Promise<void>) => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        return await check();
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  };

  beforeAll(async () => {
    kafka = createKafka(
      { brokers: (process.env.KAFKA_BROKERS ?? '').split(','), clientId: 'test-topic-provisioner' },
      () => undefined,
    );
    admin = kafka.admin();
    await admin.connect();
    topics = new TopicNames(`t-topics-${randomBytes(3).toString('hex')}.`);
    await ensureTopics(kafka, topics.all(), layout);
  });
  afterAll(async () => {
    await admin.deleteTopics({ topics: topics.all() }).catch(() => undefined);
    await admin.disconnect();
  });

  it('keeps overrides when it runs again with the same layout', async () => {
    const [main] = topics.all();
    await operatorOverrides(main, { 'retention.bytes': '123456789' });
    await eventually(async () => expect((await configs(main))['retention.bytes']).toBe('123456789'));

    await ensureTopics(kafka, topics.all(), layout);

    expect(await configs(main)).toMatchObject({ 'retention.bytes': '123456789', 'min.insync.replicas': '1' });
  });

  it('changes its own settings without wiping the others (a new DLT retention)', async () => {
    const dlt = topics.all().find((topic) => topic.endsWith('.dlt')) as string;
    await operatorOverrides(dlt, { 'segment.ms': '3600000', 'max.message.bytes': '2000000' });
    await eventually(async () => expect((await configs(dlt))['segment.ms']).toBe('3600000'));

    await ensureTopics(kafka, topics.all(), { ...layout, deadLetterRetentionMs: 7 * DAY });

    expect(await configs(dlt)).toMatchObject({
      'retention.ms': String(7 * DAY),
      'min.insync.replicas': '1',
      'segment.ms': '3600000',
      'max.message.bytes': '2000000',
    });
  });
});
