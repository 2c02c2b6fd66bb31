import { createHmac } from 'node:crypto';
import {
  createTestDatabase,
  createTestKafka,
  GRAVITY_FORMS_ENTRY,
  jotformSubmissionParts,
  TALLY_FORM_RESPONSE,
  type TestDatabase,
  type TestKafka,
  TYPEFORM_FORM_RESPONSE,
  waitUntil,
  WebhookReceiver,
  WEBFLOW_FORM_SUBMISSION,
} from '@leadhooks/testing';
import { AppProcess } from '../src/app-process.js';
import { ADMIN_KEY, createSite, stackEnv } from '../src/stack.js';

interface SourceCreated {
  id: string;
  name: string;
  token: string;
  url: string;
}

interface LogLine {
  status: number;
  lead_id: string | null;
  replayed: boolean;
  errors: Array<{ field: string; message: string }> | null;
  headers: Record<string, string>;
}

interface FlatDelivery {
  event: string;
  lead_id: string;
  email: string | null;
  name: string | null;
  lead_source: string | null;
  form_type: string | null;
}

/**
 * Inbound sources on the real stack (both apps as processes, real Postgres and Kafka): each preset tool's
 * documented request, signed as the tool signs it, becomes a lead that the dispatcher delivers to the site's
 * endpoint; an unsigned or wrongly signed request is refused; a body that does not map is a 422 naming the field;
 * a repeat of a submission makes no second lead and no second delivery; and the request log shows each request.
 */
describe('inbound sources to delivered leads (built apps, real Postgres + Kafka)', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let receiver: WebhookReceiver;
  let api: AppProcess;
  let dispatcher: AppProcess;

  beforeAll(async () => {
    [db, kafka, receiver] = await Promise.all([
      createTestDatabase('e2einbound'),
      createTestKafka('e2einbound'),
      WebhookReceiver.start(),
    ]);
    const env = stackEnv(db, kafka, { PUBLIC_BASE_URL: 'https://leads.example.com' });
    [api, dispatcher] = await Promise.all([
      AppProcess.start('leads-api', env),
      AppProcess.start('zapier-dispatcher', env),
    ]);
  });

  afterAll(async () => {
    await Promise.all([api?.stop(), dispatcher?.stop()]);
    await receiver?.stop();
    await kafka?.cleanup();
    await db?.drop();
  });

  const admin = async <T>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${api.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${ADMIN_KEY}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  };

  /** Posts to a source as the tool does: to its URL's path on this API. */
  const deliver = async (
    source: SourceCreated,
    body: string | FormData,
    headers: Record<string, string> = {},
  ) => {
    const response = await fetch(`${api.url}${new URL(source.url).pathname}`, {
      method: 'POST',
      headers: typeof body === 'string' ? { 'content-type': 'application/json', ...headers } : headers,
      body,
    });
    return {
      status: response.status,
      headers: response.headers,
      body: (await response.json()) as Record<string, unknown>,
    };
  };

  const deliveries = () =>
    receiver.requests
      .filter((request) => request.path.startsWith('/inbound-site/'))
      .map((request) => JSON.parse(request.body) as FlatDelivery);

  it('delivers a lead for each preset tool’s request; signatures required; 422 names the field; repeats make nothing; the log shows each', async () => {
    const site = await createSite(
      api,
      'inbound.test',
      `${receiver.url.replace(/\/hooks\/.*$/, '')}/inbound-site/hook`,
    );
    const source = async (body: Record<string, unknown>) => {
      const made = await admin<SourceCreated>('POST', `/v1/admin/sites/${site.id}/sources`, body);
      expect(made.status).toBe(201);
      expect(made.body.url).toBe(`https://leads.example.com/v1/inbound/${made.body.token}`);
      return made.body;
    };
    const typeform = await source({ name: 'Typeform', preset: 'typeform', secret: 'typeform-secret' });
    const tally = await source({ name: 'Tally', preset: 'tally', secret: 'tally-secret-1' });
    const webflow = await source({ name: 'Webflow', preset: 'webflow', secret: 'webflow-secret-1' });
    const jotform = await source({ name: 'Jotform', preset: 'jotform' });
    const gravity = await source({
      name: 'Gravity Forms',
      preset: 'gravity_forms',
      secret: 'gravity-secret-1',
    });

    // Typeform, signed as Typeform signs: sha256=<base64 HMAC of the raw body>.
    const typeformBody = JSON.stringify(TYPEFORM_FORM_RESPONSE);
    const typeformSigned = {
      'typeform-signature': `sha256=${createHmac('sha256', 'typeform-secret').update(typeformBody).digest('base64')}`,
    };
    expect((await deliver(typeform, typeformBody)).status).toBe(401);
    expect((await deliver(typeform, typeformBody, { 'typeform-signature': 'sha256=AAAA' })).status).toBe(401);
    const typeformLead = await deliver(typeform, typeformBody, typeformSigned);
    expect(typeformLead.status).toBe(201);

    const tallyBody = JSON.stringify(TALLY_FORM_RESPONSE);
    const tallyLead = await deliver(tally, tallyBody, {
      'tally-signature': createHmac('sha256', 'tally-secret-1').update(tallyBody).digest('base64'),
    });
    expect(tallyLead.status).toBe(201);

    const webflowSigned = (body: string) => {
      const at = String(Date.now());
      return {
        'x-webflow-timestamp': at,
        'x-webflow-signature': createHmac('sha256', 'webflow-secret-1').update(`${at}:${body}`).digest('hex'),
      };
    };
    const webflowBody = JSON.stringify(WEBFLOW_FORM_SUBMISSION);
    const webflowLead = await deliver(webflow, webflowBody, webflowSigned(webflowBody));
    expect(webflowLead.status).toBe(201);

    const jotformForm = new FormData();
    for (const [name, value] of jotformSubmissionParts(jotform.url)) jotformForm.append(name, value);
    const jotformLead = await deliver(jotform, jotformForm);
    expect(jotformLead.status).toBe(201);

    const gravityLead = await deliver(gravity, JSON.stringify(GRAVITY_FORMS_ENTRY), {
      'x-webhook-secret': 'gravity-secret-1',
    });
    expect(gravityLead.status).toBe(201);

    // A body that does not map is a 422 naming the field.
    const invalidBody = JSON.stringify({
      ...WEBFLOW_FORM_SUBMISSION,
      payload: { ...WEBFLOW_FORM_SUBMISSION.payload, id: 'other', data: { email: 'nope' } },
    });
    const invalid = await deliver(webflow, invalidBody, webflowSigned(invalidBody));
    expect(invalid.status).toBe(422);
    expect(invalid.body).toMatchObject({
      errors: [{ field: 'email', message: expect.stringContaining('email') }],
    });

    // Typeform retries the same submission: the same answer, no second lead.
    const repeat = await deliver(typeform, typeformBody, typeformSigned);
    expect(repeat.status).toBe(201);
    // The first lead, with its delivery status as it is now (as intake answers a repeated Idempotency-Key).
    expect(repeat.body.id).toBe(typeformLead.body.id);
    expect(repeat.headers.get('idempotent-replayed')).toBe('true');

    // Each lead reaches the site's endpoint through the dispatcher, exactly once.
    const ids = [typeformLead, tallyLead, webflowLead, jotformLead, gravityLead].map(
      (answer) => answer.body.id as string,
    );
    await waitUntil(
      'every inbound lead delivered',
      () => ids.every((id) => deliveries().some((delivery) => delivery.lead_id === id)),
      { timeoutMs: 30_000 },
    );
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(
      deliveries()
        .map((delivery) => [delivery.email, delivery.lead_source])
        .sort(),
    ).toEqual([
      ['alice@example.com', 'Tally'],
      ['ben@example.com', 'Gravity Forms'],
      ['kin@example.com', 'Jotform'],
      ['laura@example.com', 'Typeform'],
      ['zaphod@heartofgold.ai', 'Webflow'],
    ]);
    expect(deliveries().find((delivery) => delivery.lead_id === ids[0])).toMatchObject({
      event: 'lead.created',
      name: 'Laura',
      form_type: 'Webhooks example',
    });

    // The request log shows each request, newest first, without the signature header.
    const log = await waitForLog(typeform.id, 4);
    expect(log.map((line) => [line.status, line.replayed, line.lead_id])).toEqual([
      [201, true, ids[0]],
      [201, false, ids[0]],
      [401, false, null],
      [401, false, null],
    ]);
    expect(log.every((line) => !('typeform-signature' in line.headers))).toBe(true);
    const webflowLog = await waitForLog(webflow.id, 2);
    expect(webflowLog[0]).toMatchObject({ status: 422, errors: [{ field: 'email' }] });
  });

  async function waitForLog(sourceId: string, lines: number): Promise<LogLine[]> {
    let items: LogLine[] = [];
    await waitUntil(
      `${lines} log lines for source ${sourceId}`,
      async () => {
        const page = await admin<{ items: LogLine[] }>('GET', `/v1/admin/sources/${sourceId}/requests`);
        items = page.body.items;
        return items.length >= lines;
      },
      { timeoutMs: 10_000 },
    );
    return items;
  }
});
