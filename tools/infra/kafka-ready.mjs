// @ts-check
// A broker is ready when it answers metadata and the controller has elected itself.
import kafkajs from 'kafkajs';
import { waitFor } from './process-tools.mjs';

/**
 * @param {string} brokers
 * @param {number} [timeoutMs]
 * @param {Pick<import('kafkajs').KafkaConfig, 'ssl' | 'sasl'>} [security] TLS / SASL of a secured listener
 */
export async function waitForKafkaReady(brokers, timeoutMs = 90_000, security = {}) {
  const kafka = new kafkajs.Kafka({
    clientId: 'leadhooks-infra',
    brokers: brokers.split(','),
    ...security,
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
