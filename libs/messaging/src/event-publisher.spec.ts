import type { Kafka, Producer } from 'kafkajs';
import { EventPublisher } from './event-publisher.js';

/** The broker's answer to a record batch over its limit, as kafkajs wraps it (the protocol error as `cause`). */
const tooLarge = () =>
  Object.assign(new Error('too large'), { cause: { type: 'MESSAGE_TOO_LARGE', retriable: false } });

/**
 * A fake kafkajs client: each producer records what it sent; `hang` makes its sends never settle; a send carrying a
 * value that starts with `big` is refused whole for its size.
 */
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
          if (topicMessages.some((t) => t.messages.some((m) => m.value.startsWith('big'))))
            return Promise.reject(tooLarge());
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

  it('keeps its producer when a lone message is refused for its size (nothing was written), not otherwise', async () => {
    const { kafka, producers } = fakeKafka();
    const sut = new EventPublisher(kafka, 1_000);
    await sut.publish('t', [{ key: 'k', value: 'before' }]);
    await expect(sut.publish('t', [{ key: 'k', value: 'big-alone' }])).rejects.toThrow('too large');
    await sut.publish('t', [{ key: 'k', value: 'after' }]);
    expect(producers).toHaveLength(1);
    expect(producers[0].sent).toEqual(['before', 'after']);
    expect(sut.replacedProducers).toBe(0);

    // With other messages in the send, the broker may have written those: the producer is replaced.
    await expect(
      sut.publish('t', [
        { key: 'k', value: 'small' },
        { key: 'k', value: 'big-with-others' },
      ]),
    ).rejects.toThrow('too large');
    await sut.publish('t', [{ key: 'k', value: 'later' }]);
    expect(producers).toHaveLength(2);
    expect(producers[1].sent).toEqual(['later']);
    expect(sut.replacedProducers).toBe(1);
  });
});
