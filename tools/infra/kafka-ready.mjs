// @ts-check
// A broker is ready when it answers metadata and the controller has elected itself.
import kafkajs from 'kafkajs';
import { waitFor } from './process-tools.mjs';

/** @param {string} brokers */
export async function waitForKafkaReady(brokers, timeoutMs = 90_000) {
  const kafka = new kafkajs.Kafka({
    clientId: 'leadhooks-infra',
    brokers: brokers.split(','),
    logLevel: kafkajs.logLevel.NOTHING,
    retry: { retries: 0 },
  });
  await waitFor(
    `Kafka at ${brokers} to answer`,
    async () => {
      const admin = kafka.admin();
      try {
        await admin.connect();
        const cluster = await admin.describeCluster();
        return cluster.brokers.length > 0 && cluster.controller !== null;
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    },
    { timeoutMs, intervalMs: 500 },
  );
}
