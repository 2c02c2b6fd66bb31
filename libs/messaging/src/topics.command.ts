#!/usr/bin/env node
// `npm run topics`: creates the product's topics (main, retry tiers, DLT) with explicit partitions, replication,
// min.insync.replicas and DLT retention. Production defaults 3 / 2 / 30d; a single local broker needs 1 / 1.
import { EnvReader, exitUnlessCommandRuns } from '@leadhooks/config';
import { TopicNames } from '@leadhooks/contracts';
import { createKafka } from './kafka-client.js';
import { readKafkaConnection } from './kafka-connection.js';
import { ensureTopics, PRODUCTION_TOPIC_LAYOUT } from './topic-provisioner.js';

exitUnlessCommandRuns(`
Usage: npm run topics   (in an image: node libs/messaging/dist/topics.command.js)

Creates the product's topics (main, retry tiers, DLT) that are missing, with explicit partitions, replication and
min.insync.replicas, and sets min.insync.replicas and the DLT's retention on existing ones incrementally: other
per-topic settings an operator made are kept.

Environment:
  KAFKA_BROKERS              host:port,... (required)
  KAFKA_TOPIC_PREFIX         prefix of every topic name (default none)
  KAFKA_TOPIC_PARTITIONS     partitions of a new topic (default 12)
  KAFKA_REPLICATION_FACTOR   replicas of a new topic (default ${PRODUCTION_TOPIC_LAYOUT.replicationFactor})
  KAFKA_MIN_INSYNC_REPLICAS  min.insync.replicas (default ${PRODUCTION_TOPIC_LAYOUT.minInsyncReplicas})
  KAFKA_DLT_RETENTION        the DLT's retention.ms as a duration (default 30d)
`);

const env = new EnvReader();
const connection = readKafkaConnection(env);
const prefix = env.string('KAFKA_TOPIC_PREFIX', '');
const partitions = env.int('KAFKA_TOPIC_PARTITIONS', 12, { min: 1, max: 1000 });
const replicationFactor = env.int('KAFKA_REPLICATION_FACTOR', PRODUCTION_TOPIC_LAYOUT.replicationFactor, {
  min: 1,
  max: 10,
});
const minInsyncReplicas = env.int('KAFKA_MIN_INSYNC_REPLICAS', PRODUCTION_TOPIC_LAYOUT.minInsyncReplicas, {
  min: 1,
  max: 10,
});
const deadLetterRetentionMs = env.durationMs('KAFKA_DLT_RETENTION', '30d');
try {
  env.done();
  const topics = new TopicNames(prefix).all();
  const layout = { partitions, replicationFactor, minInsyncReplicas, deadLetterRetentionMs };
  const created = await ensureTopics(
    createKafka({ ...connection, clientId: 'leadhooks-topics' }),
    topics,
    layout,
  );
  console.log(
    `${created.length ? `Created topics: ${created.join(', ')}` : `Topics present: ${topics.join(', ')}`} ` +
      `(replication ${replicationFactor}, min.insync.replicas ${minInsyncReplicas}, DLT retention ${Math.round(deadLetterRetentionMs / 86_400_000)}d)`,
  );
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
