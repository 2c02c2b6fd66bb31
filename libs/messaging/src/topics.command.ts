#!/usr/bin/env node
// `npm run topics`: creates the product's topics (main, retry tiers, DLT) with explicit partition counts.
import { EnvReader } from '@leadhooks/config';
import { TopicNames } from '@leadhooks/contracts';
import { createKafka } from './kafka-client.js';
import { ensureTopics } from './topic-provisioner.js';

const env = new EnvReader();
const brokers = env.list('KAFKA_BROKERS');
const prefix = env.string('KAFKA_TOPIC_PREFIX', '');
const partitions = env.int('KAFKA_TOPIC_PARTITIONS', 12, { min: 1, max: 1000 });
const replicationFactor = env.int('KAFKA_REPLICATION_FACTOR', 1, { min: 1, max: 10 });
try {
  env.done();
  const topics = new TopicNames(prefix).all();
  const created = await ensureTopics(createKafka({ brokers, clientId: 'leadhooks-topics' }), topics, { partitions, replicationFactor });
  console.log(created.length ? `Created topics: ${created.join(', ')}` : `Topics present: ${topics.join(', ')}`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
