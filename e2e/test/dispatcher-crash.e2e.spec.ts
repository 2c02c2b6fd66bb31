import { DeliveryAttemptEntity, LeadEntity } from '@leadhooks/db';
import {
  createTestDatabase,
  createTestKafka,
  type TestDatabase,
  type TestKafka,
  waitUntil,
  WebhookReceiver,
} from '@leadhooks/testing';
import { AppProcess } from '../src/app-process.js';
import { createSite, postLead, stackEnv } from '../src/stack.js';

describe('dispatcher killed (-9) mid-delivery', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let receiver: WebhookReceiver;
  let api: AppProcess;
  const dispatchers: AppProcess[] = [];

  beforeAll(async () => {
    [db, kafka, receiver] = await Promise.all([
      createTestDatabase('e2ecrash'),
      createTestKafka('e2ecrash'),
      WebhookReceiver.start(),
    ]);
    api = await AppProcess.start('leads-api', stackEnv(db, kafka));
  });

  afterAll(async () => {
    await Promise.all([api?.stop(), ...dispatchers.map((d) => d.stop())]);
    await receiver?.stop();
    await kafka?.cleanup();
    await db?.drop();
  });

  it('still ends SENT: the lease expires, the uncommitted message is consumed again, nothing is lost', async () => {
    // The first request hangs (the dispatcher dies while waiting); later ones succeed.
    receiver.respondWith((_request, index) =>
      index === 0 ? { status: 200, delayMs: 60_000 } : { status: 200 },
    );
    await createSite(api, 'crash.test', receiver.url);
    const first = await AppProcess.start('zapier-dispatcher', stackEnv(db, kafka));
    dispatchers.push(first);
    const { body } = await postLead(api, 'crash.test', { email: 'crash@example.com' });
    await waitUntil('the first delivery to be in flight', () => receiver.requests.length === 1);
    await first.crash();

    dispatchers.push(await AppProcess.start('zapier-dispatcher', stackEnv(db, kafka)));
    const sent = await waitUntil(
      'lead SENT after the crash',
      async () => {
        const current = await db.dataSource.getRepository(LeadEntity).findOneByOrFail({ id: body.id });
        return current.zapierStatus === 'SENT' ? current : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    expect(sent.zapierAttemptCount).toBe(1);
    expect(receiver.requests.length).toBe(2);
    const attempts = await db.dataSource.getRepository(DeliveryAttemptEntity).findBy({ leadId: body.id });
    expect(attempts.map((a) => [a.attempt, a.httpStatus])).toEqual([[1, 200]]);
  });
});
