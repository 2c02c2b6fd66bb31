import type { Kafka, Producer } from 'kafkajs';
import { EventPublisher } from './event-publisher.js';

/** A fake kafkajs client: each producer records what it sent; `hang` makes its sends never settle. */
function fakeKafka(options: { hangFirstProducer?: boolean } = {}) {
  const producers: Array<{ sent: string[]; sends: string[][]; disconnected: boolean }> = [];
  const kafka = {
    producer: () => {
      const record = { sent: [] as string[], sends: [] as string[][], disconnected: false };
      const hangs = options.hangFirstProducer === true && producers.length === 0;
      producers.push(record);
      return {
        connect: () => Promise.resolve(),
        disconnect: () => Promise.resolve(void (record.disconnected = true)),
        sendBatch: ({ topicMessages }: { topicMessages: Array<{ messages: Array<{ value: string }> }> }) => {
          if (hangs) return new Promise(() => undefined);
          record.sends.push(topicMessages.flatMap((t) => t.messages.map((m) => m.value)));
          record.sent.push(...topicMessages.flatMap((t) => t.messages.map((m) => m.value)));
          return Promise.resolve([]);
        },
      } as unknown as Producer;
    },
  } as unknown as Kafka;
  return { kafka, producers };
}

describe(EventPublisher.name, () => {
  it('sends a publish made the moment the previous one resolved (no publish is left queued)', async () => {
    const { kafka, producers } = fakeKafka();
    const sut = new EventPublisher(kafka, 1_000);
    for (let i = 0; i < 20; i++) {
      await sut.publish('t', [{ key: 'k', value: `m${i}` }]);
    }
    const last = sut.publish('t', [{ key: 'k', value: 'last' }]);
    await expect(
      Promise.race([last.then(() => 'sent'), new Promise((r) => setTimeout(() => r('stuck'), 500))]),
    ).resolves.toBe('sent');
    expect(producers[0].sent).toHaveLength(21);
  });

  it('puts publishes queued during a send into the next send, in order', async () => {
    const { kafka, producers } = fakeKafka();
    const sut = new EventPublisher(kafka, 1_000);
    await Promise.all(['a', 'b', 'c', 'd'].map((value) => sut.publish('t', [{ key: 'k', value }])));
    expect(producers[0].sent).toEqual(['a', 'b', 'c', 'd']);
  });

  it('gives up on a send that never settles, rejects it, and sends the next publish with a new producer', async () => {
    const { kafka, producers } = fakeKafka({ hangFirstProducer: true });
    const sut = new EventPublisher(kafka, 100);
    await expect(sut.publish('t', [{ key: 'k', value: 'lost-in-a-hang' }])).rejects.toThrow(
      /did not finish within 100 ms/,
    );
    await sut.publish('t', [{ key: 'k', value: 'after' }]);
    expect(producers).toHaveLength(2);
    expect(producers[0].disconnected).toBe(true);
    expect(producers[1].sent).toEqual(['after']);
    expect(sut.replacedProducers).toBe(1);
  });

  it('carries at most maxSendBytes of one topic per send (so per partition), in order; a larger message alone', async () => {
    const { kafka, producers } = fakeKafka();
    const sut = new EventPublisher(kafka, 1_000, 10_000);
    const value = (tag: string, bytes: number) => tag + 'x'.repeat(bytes - tag.length);
    await Promise.all([
      sut.publish('t', [
        { key: 'k', value: value('a', 4_000) },
        { key: 'k', value: value('b', 4_000) },
      ]),
      sut.publish('t', [{ key: 'k', value: value('c', 4_000) }]),
      sut.publish('t', [{ key: 'k', value: value('d', 30_000) }]),
      sut.publish('t', [{ key: 'k', value: value('e', 100) }]),
    ]);
    expect(producers[0].sends.map((send) => send.map((sent) => sent[0]).join(''))).toEqual([
      'ab',
      'c',
      'd',
      'e',
    ]);
    expect(sut.replacedProducers).toBe(0);
  });
});
