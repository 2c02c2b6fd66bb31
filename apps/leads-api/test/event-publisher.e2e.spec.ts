import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createKafka, EventPublisher } from '@leadhooks/messaging';
import { createTestKafka, HoldingProxy, type TestKafka, waitUntil } from '@leadhooks/testing';

/**
 * kafkajs rolls a partition's sequence back after a produce request times out and retries; a concurrent send
 * can take that sequence and be acknowledged as a duplicate without being written. Here the broker's responses
 * are really held back (a TCP proxy), so sends time out while other sends are queued behind them.
 */
describe('EventPublisher when produce requests time out under concurrent sends (real Kafka behind a holding proxy)', () => {
  let kafka: TestKafka;
  let proxy: HoldingProxy;

  beforeAll(async () => {
    kafka = await createTestKafka('publisher', 1);
    proxy = await HoldingProxy.start(kafka.brokers);
  });

  afterAll(async () => {
    await proxy?.close();
    await kafka?.cleanup();
  });

  async function readAll(topic: string, expected: number): Promise<string[]> {
    const seen: string[] = [];
    const consumer = kafka.kafka.consumer({
      groupId: kafka.groupId(`reader-${randomUUID()}`),
      maxWaitTimeInMs: 100,
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => void seen.push(message.value?.toString() ?? ''),
    });
    try {
      await waitUntil(`${expected} messages on ${topic}`, () => new Set(seen).size >= expected || undefined, {
        timeoutMs: 20_000,
      }).catch(() => undefined);
      await sleep(500);
    } finally {
      await consumer.disconnect();
    }
    return seen;
  }

  it('never reports a message published that the topic does not have, and keeps publishing after the timeouts', async () => {
    const client = createKafka({
      brokers: kafka.brokers,
      clientId: 'publisher-under-test',
      requestTimeoutMs: 1_000,
      socketFactory: proxy.socketFactory,
    });
    const sut = new EventPublisher(client);
    const topic = kafka.topics.main;
    await sut.connect();
    const resolved: string[] = [];
    const rejected: string[] = [];
    const send = (value: string) =>
      sut.publish(topic, [{ key: 'same-lead', value }]).then(
        () => resolved.push(value),
        () => rejected.push(value),
      );

    await Promise.all(Array.from({ length: 5 }, (_, i) => send(`before-${i}`)));
    proxy.hold();
    const during = Array.from({ length: 40 }, (_, i) => send(`during-${i}`));
    await sleep(2_500);
    proxy.release();
    await Promise.all(during);
    // A publisher wedged on OUT_OF_ORDER_SEQUENCE_NUMBER would fail every one of these.
    await Promise.all(Array.from({ length: 5 }, (_, i) => send(`after-${i}`)));
    await sut.disconnect();

    expect(resolved.filter((value) => value.startsWith('after-'))).toHaveLength(5);
    const onTopic = new Set(await readAll(topic, resolved.length));
    const missing = resolved.filter((value) => !onTopic.has(value));
    expect(missing).toEqual([]);
    expect(resolved.length + rejected.length).toBe(50);
  });
});
