import { Gauge, type Registry } from 'prom-client';
import type { Admin, Kafka } from 'kafkajs';

/** Consumer lag per topic (sum over partitions) of each group's topics, read from the broker when Prometheus scrapes. */
export function registerConsumerLag(
  registry: Registry,
  kafka: Kafka,
  groups: ReadonlyArray<{ groupId: string; topics: string[] }>,
): () => Promise<void> {
  let admin: Admin | undefined;
  new Gauge({
    name: 'leadhooks_consumer_lag',
    help: 'Messages not yet consumed by the dispatcher groups, per topic',
    labelNames: ['topic'],
    registers: [registry],
    async collect() {
      try {
        if (!admin) {
          admin = kafka.admin();
          await admin.connect();
        }
        const committed = (
          await Promise.all(groups.map(({ groupId, topics }) => admin!.fetchOffsets({ groupId, topics })))
        ).flat();
        for (const { topic, partitions } of committed) {
          const ends = await admin.fetchTopicOffsets(topic);
          let lag = 0;
          for (const end of ends) {
            const offset = Number(partitions.find((p) => p.partition === end.partition)?.offset ?? -1);
            lag += Math.max(0, Number(end.high) - Math.max(offset, Number(end.low)));
          }
          this.set({ topic }, lag);
        }
      } catch {
        // A scrape during a broker outage reports the last known values.
      }
    },
  });
  return async () => {
    await admin?.disconnect().catch(() => undefined);
  };
}
