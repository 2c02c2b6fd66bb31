import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs, { type Admin, type Kafka } from 'kafkajs';

/** How long `ensureTopics` waits for the brokers to show changed topic configs. */
const CONFIG_PROPAGATION_TIMEOUT_MS = 30_000;

export interface TopicLayout {
  partitions: number;
  /** Copies of every partition (production: 3). */
  replicationFactor: number;
  /** Copies that must have a write before it is acknowledged with acks=all (production: 2). */
  minInsyncReplicas: number;
  /** Retention of dead-letter topics (ms): long, so ops can replay after a holiday. */
  deadLetterRetentionMs: number;
}

/** Production defaults (KAFKA_REPLICATION_FACTOR, KAFKA_MIN_INSYNC_REPLICAS, KAFKA_DLT_RETENTION). */
export const PRODUCTION_TOPIC_LAYOUT = {
  replicationFactor: 3,
  minInsyncReplicas: 2,
  deadLetterRetentionMs: 30 * 86_400_000,
} as const;

function configsFor(topic: string, layout: TopicLayout): Array<{ name: string; value: string }> {
  const configs = [{ name: 'min.insync.replicas', value: String(layout.minInsyncReplicas) }];
  if (topic.endsWith('.dlt'))
    configs.push({ name: 'retention.ms', value: String(layout.deadLetterRetentionMs) });
  return configs;
}

/**
 * Creates missing topics with explicit partitions, replication, `min.insync.replicas` and (for DLTs) retention
 * (brokers run with auto-create off), brings existing topics' configs to the same values, and fails when an
 * existing topic has fewer partitions than asked for. Returns the topics it created.
 */
export async function ensureTopics(kafka: Kafka, topics: string[], layout: TopicLayout): Promise<string[]> {
  if (layout.minInsyncReplicas > layout.replicationFactor) {
    throw new Error(
      `min.insync.replicas (${layout.minInsyncReplicas}) cannot exceed the replication factor (${layout.replicationFactor})`,
    );
  }
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
          configEntries: configsFor(topic, layout),
        })),
      });
    }
    const present = topics.filter((topic) => existing.has(topic));
    if (present.length) await alterTopicConfigs(admin, present, layout);
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

/**
 * Sets our configs on existing topics and keeps every other per-topic override an operator made (retention.bytes,
 * cleanup.policy, ...). Kafka's AlterConfigs replaces a topic's whole override set, and kafkajs has no
 * IncrementalAlterConfigs, so the change is made incrementally here: the topic's current overrides are read and
 * sent back with ours; a topic already as wanted is not touched at all.
 */
async function alterTopicConfigs(admin: Admin, topics: string[], layout: TopicLayout): Promise<void> {
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((name) => ({ type: kafkajs.ConfigResourceTypes.TOPIC, name })),
  });
  const changes = topics.flatMap((topic) => {
    const entries = resources.find((resource) => resource.resourceName === topic)?.configEntries ?? [];
    const wanted = configsFor(topic, layout);
    const current = (name: string) => entries.find((entry) => entry.configName === name)?.configValue;
    if (wanted.every(({ name, value }) => current(name) === value)) return [];
    const overrides = entries
      .filter(
        (entry) =>
          entry.configSource === kafkajs.ConfigSource.TOPIC_CONFIG &&
          !entry.isSensitive &&
          entry.configValue !== null &&
          !wanted.some(({ name }) => name === entry.configName),
      )
      .map((entry) => ({ name: entry.configName, value: entry.configValue }));
    return [
      { type: kafkajs.ConfigResourceTypes.TOPIC, name: topic, configEntries: [...overrides, ...wanted] },
    ];
  });
  if (!changes.length) return;
  await admin.alterConfigs({ validateOnly: false, resources: changes });
  await untilConfigsShow(
    admin,
    changes.map((change) => change.name),
    layout,
  );
}

/**
 * In KRaft mode a config change is acknowledged once the controller has it; a broker serves the old value until it
 * has applied the change from the metadata log. Waits until every topic shows the wanted values, so what follows
 * (and whoever runs `topics` before starting the apps) sees them.
 */
async function untilConfigsShow(admin: Admin, topics: string[], layout: TopicLayout): Promise<void> {
  const deadline = Date.now() + CONFIG_PROPAGATION_TIMEOUT_MS;
  for (;;) {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: topics.map((name) => ({ type: kafkajs.ConfigResourceTypes.TOPIC, name })),
    });
    const stale = topics.filter((topic) => {
      const entries = resources.find((resource) => resource.resourceName === topic)?.configEntries ?? [];
      return configsFor(topic, layout).some(
        ({ name, value }) => entries.find((entry) => entry.configName === name)?.configValue !== value,
      );
    });
    if (!stale.length) return;
    if (Date.now() > deadline)
      throw new Error(
        `Topic configs not applied within ${CONFIG_PROPAGATION_TIMEOUT_MS} ms: ${stale.join(', ')}`,
      );
    await sleep(100);
  }
}
