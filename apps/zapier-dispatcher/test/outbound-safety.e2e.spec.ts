import net from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { EventPublisher } from '@leadhooks/messaging';
import { DeliveryAttemptEntity, LeadEntity } from '@leadhooks/db';
import {
  createTestDatabase,
  createTestKafka,
  firstAttemptHeaders,
  seedLead,
  seedSite,
  type TestDatabase,
  type TestKafka,
  waitUntil,
} from '@leadhooks/testing';
import { startTestDispatcher } from './dispatcher-harness.js';

/**
 * The dispatcher as deployed (ALLOW_INSECURE_WEBHOOK_URLS off): hook URLs pointing at this machine are refused
 * without a single TCP connection. The URLs are stored straight in the database, as if the admin API's own
 * checks had been bypassed or the rules had changed since.
 */
describe('zapier-dispatcher outbound URL safety (real Kafka + Postgres)', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let dispatcher: NestFastifyApplication;
  let publisher: EventPublisher;
  let trap: net.Server;
  let trapPort: number;
  let connections = 0;

  beforeAll(async () => {
    trap = net.createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve));
    trapPort = (trap.address() as net.AddressInfo).port;
    [db, kafka] = await Promise.all([
      createTestDatabase('outbound_safety'),
      createTestKafka('outbound-safety'),
    ]);
    publisher = new EventPublisher(kafka.kafka);
    ({ app: dispatcher } = await startTestDispatcher(db, kafka, {
      ALLOW_INSECURE_WEBHOOK_URLS: 'false',
      RETRY_DELAYS: '30s,30s,30s,30s,30s',
    }));
  });

  afterAll(async () => {
    await dispatcher?.close();
    await publisher?.disconnect();
    await kafka?.cleanup();
    await db?.drop();
    await new Promise((resolve) => trap?.close(resolve));
  });

  it.each([
    ['a loopback IPv4 literal', 'https://127.0.0.1:PORT/hooks/catch/1/abc', /loopback/],
    ['an IPv4-mapped IPv6 loopback literal', 'https://[::ffff:127.0.0.1]:PORT/hooks/catch/1/abc', /loopback/],
    ['localhost by name', 'https://localhost:PORT/hooks/catch/1/abc', /public host/],
    ['a plain http URL', 'http://127.0.0.1:PORT/hooks/catch/1/abc', /https/],
    ['the cloud metadata address', 'https://169.254.169.254/latest/meta-data', /link-local|metadata/],
  ])('refuses %s: attempt recorded as a failure, no connection made', async (_label, template, reason) => {
    const site = await seedSite(db.dataSource, {
      webhookUrl: template.replace('PORT', String(trapPort)),
      enabled: true,
    });
    const event = await seedLead(db.dataSource, site);
    await publisher.publish(kafka.topics.main, [
      { key: event.data.lead_id, value: JSON.stringify(event), headers: firstAttemptHeaders() },
    ]);

    const attempt = await waitUntil(
      'the refused attempt',
      async () =>
        (await db.dataSource
          .getRepository(DeliveryAttemptEntity)
          .findOneBy({ leadId: event.data.lead_id })) ?? undefined,
    );
    expect(attempt).toMatchObject({ attempt: 1, httpStatus: null, errorClass: 'forbidden-target' });
    expect(attempt.error).toMatch(reason);
    expect(attempt.error).not.toContain('/hooks/catch/1/abc');
    const lead = await db.dataSource.getRepository(LeadEntity).findOneByOrFail({ id: event.data.lead_id });
    expect(lead).toMatchObject({ zapierStatus: 'PENDING', zapierAttemptCount: 1 });
    expect(lead.zapierLastError).toMatch(reason);
    expect(connections).toBe(0);
  });
});
