import { startTestbed, type Testbed } from '@leadhooks/testing';
import { EventPublisher } from '@leadhooks/messaging';
import { streamDeadLetters } from '../src/dlt/dead-letter-reader.js';

/**
 * The automatic re-drive reads DLTs that keep 30 days (issue 20, item 14): streamed in bounded chunks, the next
 * read only after the previous one was handled, instead of every letter into memory at once.
 */
describe('streamDeadLetters (real Kafka)', () => {
  let testbed: Testbed;

  beforeAll(async () => {
    testbed = await startTestbed('dlt-stream', { partitions: 1 });
  });

  afterAll(() => testbed?.stop());

  it('hands the whole DLT over in chunks of at most the bound, one chunk at a time', async () => {
    const publisher = new EventPublisher(testbed.kafka.kafka);
    await publisher.publish(
      testbed.kafka.topics.dlt,
      Array.from({ length: 7 }, (_, i) => ({ key: `lead-${i}`, value: '{"not":"an event"}', headers: {} })),
    );
    await publisher.disconnect();
    const sizes: number[] = [];
    const offsets: string[] = [];
    let handling = false;
    await streamDeadLetters(
      testbed.kafka.kafka,
      testbed.kafka.topics.dlt,
      'lead.created.dlt',
      3,
      async (letters) => {
        expect(handling).toBe(false);
        handling = true;
        sizes.push(letters.length);
        offsets.push(...letters.map((letter) => letter.offset));
        await new Promise((resolve) => setTimeout(resolve, 100));
        handling = false;
      },
    );
    expect(sizes).toEqual([3, 3, 1]);
    expect(offsets).toEqual(['0', '1', '2', '3', '4', '5', '6']);
  });
});
