import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { type DeadLetter, toDeadLetter } from './dead-letter.js';

/**
 * Reads the whole DLT up to its current end without disturbing anyone: a throw-away consumer group that never
 * commits, so the DLT can be listed again and again and other consumers' offsets are untouched.
 */
export async function readDeadLetters(
  kafka: Kafka,
  topic: string,
  logicalTopic: string,
  timeoutMs = 30_000,
): Promise<DeadLetter[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const remaining = new Map(
    ends.filter((p) => Number(p.high) > Number(p.low)).map((p) => [p.partition, BigInt(p.high) - 1n]),
  );
  if (remaining.size === 0) return [];

  const letters: DeadLetter[] = [];
  const consumer = kafka.consumer({ groupId: `leadhooks-dlt-reader-${randomUUID()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`Reading ${topic} took longer than ${timeoutMs} ms`)),
      timeoutMs,
    );
    void consumer.run({
      autoCommit: false,
      // eslint-disable-next-line @typescript-eslint/require-await -- kafkajs wants a promise-returning handler
      eachMessage: async ({ partition, message }) => {
        const last = remaining.get(partition);
        if (last === undefined) return;
        if (BigInt(message.offset) <= last) letters.push(toDeadLetter(logicalTopic, partition, message));
        if (BigInt(message.offset) >= last) remaining.delete(partition);
        if (remaining.size === 0) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  try {
    await done;
  } finally {
    await consumer.disconnect();
  }
  return letters.sort(
    (a, b) => a.deadLetteredAt.getTime() - b.deadLetteredAt.getTime() || a.partition - b.partition,
  );
}

/**
 * Streams a DLT from its beginning to its current end, in chunks of at most `chunkSize` letters: `onChunk` gets
 * each chunk, and the next one is read only once it has returned (kafkajs waits for the handler), so however many
 * letters 30 days of retention hold, about one chunk and one fetch (capped by `maxBytes`) are in memory at a time.
 * Same throw-away consumer group as `readDeadLetters`. Letters come in partition order, not time order.
 */
export async function streamDeadLetters(
  kafka: Kafka,
  topic: string,
  logicalTopic: string,
  chunkSize: number,
  onChunk: (letters: DeadLetter[]) => Promise<void>,
  timeoutMs = 10 * 60_000,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const remaining = new Map(
    ends.filter((p) => Number(p.high) > Number(p.low)).map((p) => [p.partition, BigInt(p.high) - 1n]),
  );
  if (remaining.size === 0) return;

  let chunk: DeadLetter[] = [];
  const consumer = kafka.consumer({
    groupId: `leadhooks-dlt-reader-${randomUUID()}`,
    maxWaitTimeInMs: 100,
    maxBytes: 4 * 1024 * 1024,
    maxBytesPerPartition: 1024 * 1024,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`Reading ${topic} took longer than ${timeoutMs} ms`)),
      timeoutMs,
    );
    void consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 1,
      eachMessage: async ({ partition, message }) => {
        try {
          const last = remaining.get(partition);
          if (last === undefined) return;
          if (BigInt(message.offset) <= last) chunk.push(toDeadLetter(logicalTopic, partition, message));
          if (BigInt(message.offset) >= last) remaining.delete(partition);
          if (chunk.length >= chunkSize || (remaining.size === 0 && chunk.length)) {
            const full = chunk;
            chunk = [];
            await onChunk(full);
          }
          if (remaining.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        } catch (error) {
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      },
    });
  });
  try {
    await done;
  } finally {
    await consumer.disconnect();
  }
}
