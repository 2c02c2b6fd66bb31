import { Webhook } from 'standardwebhooks';
import { LeadEntity } from '@leadhooks/db';
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

describe('a lead from form to webhook (both apps as real processes, real Postgres + Kafka)', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let receiver: WebhookReceiver;
  let api: AppProcess;
  let dispatcher: AppProcess;

  beforeAll(async () => {
    [db, kafka, receiver] = await Promise.all([
      createTestDatabase('e2eflow'),
      createTestKafka('e2eflow'),
      WebhookReceiver.start(),
    ]);
    [api, dispatcher] = await Promise.all([
      AppProcess.start('leads-api', stackEnv(db, kafka)),
      AppProcess.start('zapier-dispatcher', stackEnv(db, kafka)),
    ]);
  });

  afterAll(async () => {
    await Promise.all([api?.stop(), dispatcher?.stop()]);
    await receiver?.stop();
    await kafka?.cleanup();
    await db?.drop();
  });

  const lead = (id: string) => db.dataSource.getRepository(LeadEntity).findOneByOrFail({ id });

  it('delivers a submitted lead exactly once, signed, with the SPEC payload, and marks it SENT', async () => {
    const site = await createSite(api, 'acme-flow.test', receiver.url);
    const { status, body } = await postLead(api, 'acme-flow.test', {
      name: 'Ada',
      email: 'ada@example.com',
      plan: 'pro',
    });
    expect(status).toBe(201);
    expect(body.zapier_status).toBe('PENDING');
    await waitUntil('lead SENT', async () =>
      (await lead(body.id)).zapierStatus === 'SENT' ? true : undefined,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(
      new Webhook(site.zapier.secret).verify(request.body, request.headers as Record<string, string>),
    ).toMatchObject({
      event: 'lead.created',
      lead_id: body.id,
      site_id: site.id,
      site_hostname: 'acme-flow.test',
      name: 'Ada',
      email: 'ada@example.com',
      plan: 'pro',
      attempt: 1,
    });
    expect(dispatcher.output.join('')).not.toContain('secret-token');
  });

  it('stores a lead for a site without a hook and sends nothing', async () => {
    receiver.requests.length = 0;
    await createSite(api, 'nohook-flow.test', null, false);
    const { status, body } = await postLead(api, 'nohook-flow.test', { phone: '+1 555 0100' });
    expect(status).toBe(201);
    expect(body.zapier_status).toBe('NOT_CONFIGURED');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await lead(body.id)).toMatchObject({ phone: '+1 555 0100', zapierStatus: 'NOT_CONFIGURED' });
    expect(receiver.requests).toHaveLength(0);
  });
});
