import { createTestDatabase, type TestDatabase } from './test-database.js';
import { createTestKafka, type TestKafka } from './test-kafka.js';
import { WebhookReceiver } from './webhook-receiver.js';

/** What an integration test file needs, on the real services: its own database, its own topics, a receiver. */
export interface Testbed {
  db: TestDatabase;
  kafka: TestKafka;
  receiver: WebhookReceiver;
  stop(): Promise<void>;
}

/** Provisions a test file's database, topics (with `partitions` each) and webhook receiver, in parallel. */
export async function startTestbed(label: string, { partitions = 3 } = {}): Promise<Testbed> {
  const [db, kafka, receiver] = await Promise.all([
    createTestDatabase(label),
    createTestKafka(label, partitions),
    WebhookReceiver.start(),
  ]);
  return {
    db,
    kafka,
    receiver,
    async stop() {
      await receiver.stop();
      await kafka.cleanup();
      await db.drop();
    },
  };
}
