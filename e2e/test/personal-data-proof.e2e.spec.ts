import { randomBytes } from 'node:crypto';
import { isSealedLeadEvent, openLeadEvent, parseWireLeadEvent } from '@leadhooks/contracts';
import {
  readTopicsFromStart,
  type StoredMessage,
  startTestbed,
  type Testbed,
  testLeadKeys,
  waitUntil,
} from '@leadhooks/testing';
import { AppProcess } from '../src/app-process.js';
import { runDlt } from '../src/dlt-cli.js';
import { ADMIN_KEY, createSite, postLead, stackEnv } from '../src/stack.js';

/**
 * The whole-stack proof of issue 24 (docs/privacy.md), on the built apps as processes, real Postgres and Kafka:
 * leads with a known email and phone are delivered to one endpoint, fail into the retry tiers at a second and into
 * the DLT at a third (whose receiver quotes the lead back), then are erased. Afterwards no table (every column of
 * every row, as text), no message of any topic (main, retry tiers and DLTs of every family, read from the
 * beginning: keys, values and headers) and no log line of either app (at debug level) holds the email or the phone
 * readable; the pending deliveries ended SKIPPED; a DLT replay of an erased lead sends nothing; the endpoint
 * subscribed to lead.deleted got one per lead, ids only. And the retention sweep erases an old lead the same way
 * (its lead.deleted says `retention`) and leaves a new one.
 */
describe('Personal data: erased from every store (built apps, real Postgres + Kafka)', () => {
  let bed: Testbed;
  let api: AppProcess;
  let dispatcher: AppProcess;
  let cliEnv: Record<string, string>;
  const tag = randomBytes(4).toString('hex');
  const people = [0, 1, 2].map((i) => ({
    email: `proof.${tag}.${i}@example.com`,
    phone: `+1 555 01${i}${tag.slice(0, 1).replace(/\D/, '7')} ${String(100 + i)}`,
  }));
  /** Every form of a person's contact data that must not survive: the email, the phone, the phone's digits. */
  const needles = people.flatMap(({ email, phone }) => [email, phone, phone.replace(/\D/g, '')]);
  const leads: string[] = [];
  const admin = { authorization: `Bearer ${ADMIN_KEY}` };
  let siteId = '';
  const endpoints: Record<'retry' | 'dlt' | 'deleted', string> = { retry: '', dlt: '', deleted: '' };
  let erasedAt = 0;
  /** The retention test's lead data, and what the DLT CLI printed: the log check greps for them too. */
  const alsoNeverLogged: string[] = [];
  let cliOutput = '';

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${api.url}${path}`, {
      method,
      headers: body === undefined ? admin : { ...admin, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return {
      status: response.status,
      body: (await response.json().catch(() => null)) as Record<string, unknown>,
    };
  };
  const query = <T>(sql: string, params: unknown[] = []) => bed.db.dataSource.query<T[]>(sql, params);
  const requestsTo = (path: string) => bed.receiver.requests.filter((r) => r.path === path);

  /** Tables whose rows hold any needle in any column, read as text (`row::text`). */
  async function tablesHolding(values: string[]): Promise<Record<string, number>> {
    const tables = await query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
    );
    const found: Record<string, number> = {};
    for (const { table_name } of tables) {
      const [{ count }] = await query<{ count: number }>(
        `SELECT count(*)::int AS count FROM "${table_name}" t
          WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) AS needle WHERE strpos(t::text, needle) > 0)`,
        [values],
      );
      if (count) found[table_name] = count;
    }
    return found;
  }

  const logs = () => [api.output.join(''), dispatcher.output.join('')];
  const sealedOf = (messages: StoredMessage[], leadId: string) =>
    messages.flatMap((m) => {
      const parsed = parseWireLeadEvent(m.value);
      return parsed.ok && parsed.event.data.lead_id === leadId && isSealedLeadEvent(parsed.event)
        ? [{ message: m, event: parsed.event }]
        : [];
    });

  beforeAll(async () => {
    bed = await startTestbed('e2eproof');
    // /ok takes everything; /retry and /dlt answer 500 quoting the lead back (a receiver echoing what it got).
    bed.receiver.respondWith((request) => {
      if (['/ok', '/deleted', '/retention-deleted'].includes(request.path)) return { status: 200 };
      const sent = JSON.parse(request.body) as { email?: string; phone?: string };
      return { status: 500, body: `could not store ${sent.email} / ${sent.phone}: duplicate contact` };
    });
    // Short first retry, then long enough that the /retry deliveries are still pending when the leads are erased.
    const env = stackEnv(bed.db, bed.kafka, {
      RETRY_DELAYS: '1s,20s,20s,20s,20s',
      RETRY_JITTER_PERCENT: '0',
      LOG_LEVEL: 'verbose',
      RETENTION_SWEEP_INTERVAL: '1s',
    });
    cliEnv = {
      DATABASE_URL: bed.db.url,
      KAFKA_BROKERS: env.KAFKA_BROKERS,
      KAFKA_TOPIC_PREFIX: env.KAFKA_TOPIC_PREFIX,
      DATA_ENCRYPTION_KEY: env.DATA_ENCRYPTION_KEY,
      LEADHOOKS_ACTOR: 'ops-proof',
    };
    [api, dispatcher] = await Promise.all([
      AppProcess.start('leads-api', env),
      AppProcess.start('zapier-dispatcher', env),
    ]);
    const base = bed.receiver.url.replace(/\/hooks\/.*$/, '');
    siteId = (await createSite(api, 'proof.test', `${base}/ok`)).id;
    for (const [name, settings] of Object.entries({
      retry: { events: ['lead.created', 'lead.updated'] },
      dlt: { events: ['lead.created'], max_attempts: 2 },
      deleted: { events: ['lead.deleted'] },
    })) {
      const made = await call('POST', `/v1/admin/sites/${siteId}/endpoints`, {
        name,
        url: `${base}/${name}`,
        enabled: true,
        ...settings,
      });
      expect(made.status).toBe(201);
      endpoints[name as keyof typeof endpoints] = String(made.body.id);
    }
    for (const person of people) {
      const posted = await postLead(api, 'proof.test', {
        name: 'Pat Proof',
        ...person,
        message: `call me at ${person.phone}`,
        company: 'Proof Inc',
      });
      expect(posted.status).toBe(201);
      leads.push(posted.body.id);
    }
    // A change travels as lead.updated (sealed), to the retry endpoint too.
    expect((await call('PATCH', `/v1/leads/${leads[0]}`, { message: 'updated, still call me' })).status).toBe(
      200,
    );
    // A search by email: its query string must not reach a log line either.
    expect(
      (await call('GET', `/v1/leads/search?site_id=${siteId}&email=${encodeURIComponent(people[1].email)}`))
        .status,
    ).toBe(200);
  }, 240_000);

  afterAll(async () => {
    await Promise.all([api?.stop(), dispatcher?.stop()]);
    await bed?.stop();
  });

  it('before erasure: delivered, in the retry tiers and in the DLT, and the stores do hold the data (the checks can fail)', async () => {
    const states = async () =>
      query<{ endpoint_id: string; status: string; attempt_count: number }>(
        `SELECT endpoint_id, status, attempt_count FROM delivery WHERE lead_id = ANY($1::uuid[]) AND event_type = 'lead.created'`,
        [leads],
      );
    await waitUntil(
      'zapier SENT, dlt FAILED, retry PENDING after two attempts, for every lead',
      async () => {
        const rows = await states();
        const of = (endpoint: string) => rows.filter((row) => row.endpoint_id === endpoint);
        return of(endpoints.dlt).length === 3 &&
          of(endpoints.dlt).every((row) => row.status === 'FAILED') &&
          of(endpoints.retry).length === 3 &&
          of(endpoints.retry).every((row) => row.status === 'PENDING' && row.attempt_count >= 2) &&
          rows.filter((row) => row.status === 'SENT').length === 3
          ? rows
          : undefined;
      },
      { timeoutMs: 60_000 },
    );
    expect(requestsTo('/ok')).toHaveLength(3);

    const held = await tablesHolding(needles);
    expect(held).toMatchObject({ lead: 3, delivery_attempt: expect.any(Number) });
    const messages = await readTopicsFromStart(bed.kafka.kafka, bed.kafka.topics.all());
    const logical = (m: StoredMessage) => bed.kafka.topics.logical(m.topic);
    for (const leadId of leads) {
      const sealed = sealedOf(messages, leadId);
      // Each lead travelled on its main topic, a retry tier and the DLT, sealed: readable only with its key.
      expect(sealed.map(({ message }) => logical(message))).toEqual(
        expect.arrayContaining(['lead.created', 'lead.created.retry.1m', 'lead.created.dlt']),
      );
      const [{ sealed_key }] = await query<{ sealed_key: string }>(
        `SELECT sealed_key FROM lead_key WHERE lead_id = $1`,
        [leadId],
      );
      const opened = openLeadEvent(sealed[0].event, testLeadKeys().open(sealed_key));
      expect(opened.ok && JSON.stringify(opened.event.data)).toContain(people[leads.indexOf(leadId)].email);
    }
  }, 120_000);

  it('erases every lead: the answer says so, pending deliveries end SKIPPED (erased), nothing is sent after it', async () => {
    for (const leadId of leads) {
      const erased = await call('DELETE', `/v1/leads/${leadId}`);
      expect(erased.status).toBe(200);
      expect(erased.body).toMatchObject({
        lead_id: leadId,
        reason: 'request',
        already_erased: false,
        event_id: expect.any(String),
        erased: { lead_fields: true, data_key: true },
      });
    }
    erasedAt = Date.now();
    const rows = await query<{
      event_type: string;
      endpoint_id: string;
      status: string;
      last_error: string | null;
    }>(`SELECT event_type, endpoint_id, status, last_error FROM delivery WHERE lead_id = ANY($1::uuid[])`, [
      leads,
    ]);
    const retry = rows.filter((row) => row.endpoint_id === endpoints.retry);
    expect(retry.length).toBeGreaterThanOrEqual(3);
    for (const row of retry) expect(row).toMatchObject({ status: 'SKIPPED', last_error: 'erased' });
    expect(rows.filter((row) => row.status === 'PENDING' && row.event_type !== 'lead.deleted')).toEqual([]);
  });

  it('the endpoint subscribed to lead.deleted gets one per lead, ids only', async () => {
    await waitUntil('three lead.deleted deliveries', () => requestsTo('/deleted').length >= 3 || undefined, {
      timeoutMs: 30_000,
    });
    const received = requestsTo('/deleted').map((r) => JSON.parse(r.body) as Record<string, unknown>);
    expect(received.map((payload) => payload.lead_id).sort()).toEqual([...leads].sort());
    for (const payload of received) {
      expect(payload).toMatchObject({ event: 'lead.deleted', site_id: siteId, reason: 'request' });
      expect(Object.keys(payload).sort()).toEqual(
        [
          'attempt',
          'erased_at',
          'event',
          'event_id',
          'id',
          'lead_id',
          'reason',
          'site_hostname',
          'site_id',
          'site_name',
        ].sort(),
      );
    }
    // Their outcomes are recorded just after the receiver answered.
    await waitUntil('the lead.deleted deliveries SENT', async () => {
      const rows = await query<{ status: string }>(
        `SELECT status FROM delivery WHERE lead_id = ANY($1::uuid[]) AND event_type = 'lead.deleted'`,
        [leads],
      );
      return rows.length === 3 && rows.every((row) => row.status === 'SENT') ? rows : undefined;
    });
    expect(requestsTo('/deleted')).toHaveLength(3);
  }, 60_000);

  it('a DLT replay of an erased lead sends nothing', async () => {
    const before = bed.receiver.requests.length;
    const replayed = await runDlt(['replay', '--lead', leads[0], '--yes'], cliEnv);
    cliOutput += replayed.stdout + replayed.stderr;
    expect(replayed.code).toBe(0);
    expect(replayed.stdout).toMatch(/replayed 0, skipped [1-9]\d*, failed 0/);
    // Longer than the first retry tier and the outbox poll: a requeued message would have been sent by now.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    expect(bed.receiver.requests.slice(before).filter((r) => r.body.includes(leads[0]))).toEqual([]);
  }, 60_000);

  it('no table holds the email or the phone, in any column of any row', async () => {
    // The retry tier that was pending at the erasure has come due meanwhile (20 s after the second attempt).
    await waitUntil('20 s past the erasure', () => Date.now() - erasedAt > 21_000 || undefined, {
      timeoutMs: 30_000,
    });
    expect(bed.receiver.requests.filter((r) => r.receivedAt > erasedAt && r.path !== '/deleted')).toEqual([]);
    expect(await tablesHolding(needles)).toEqual({});
    const keys = await query<{ sealed_key: string | null }>(
      `SELECT sealed_key FROM lead_key WHERE lead_id = ANY($1::uuid[])`,
      [leads],
    );
    expect(keys).toEqual([{ sealed_key: null }, { sealed_key: null }, { sealed_key: null }]);
  }, 60_000);

  it('no message of any topic (main, retry tiers, DLTs; keys, values, headers) holds them, and no sealed copy opens', async () => {
    const messages = await readTopicsFromStart(bed.kafka.kafka, bed.kafka.topics.all());
    const wire = JSON.stringify(messages);
    for (const needle of [...needles, 'duplicate contact']) expect(wire).not.toContain(needle);
    const keys = await query<{ lead_id: string; sealed_key: string | null }>(
      `SELECT lead_id, sealed_key FROM lead_key WHERE lead_id = ANY($1::uuid[])`,
      [leads],
    );
    for (const leadId of leads) {
      const sealed = sealedOf(messages, leadId);
      expect(sealed.length).toBeGreaterThanOrEqual(3);
      const key = keys.find((row) => row.lead_id === leadId)?.sealed_key ?? null;
      for (const { event } of sealed)
        expect(openLeadEvent(event, testLeadKeys().open(key))).toMatchObject({ ok: false, code: 'erased' });
    }
  }, 60_000);

  it('the retention sweep erases an old lead the same way (lead.deleted, reason retention) and leaves a new one', async () => {
    const base = bed.receiver.url.replace(/\/hooks\/.*$/, '');
    const site = await createSite(api, 'retention.test', `${base}/ok`);
    const deletedHook = await call('POST', `/v1/admin/sites/${site.id}/endpoints`, {
      name: 'deleted',
      url: `${base}/retention-deleted`,
      enabled: true,
      events: ['lead.deleted'],
    });
    expect(deletedHook.status).toBe(201);
    alsoNeverLogged.push(
      `old.${tag}@example.com`,
      '+1 555 0188 001',
      `new.${tag}@example.com`,
      '+1 555 0188 002',
    );
    const old = await postLead(api, 'retention.test', {
      email: `old.${tag}@example.com`,
      phone: '+1 555 0188 001',
    });
    const fresh = await postLead(api, 'retention.test', {
      email: `new.${tag}@example.com`,
      phone: '+1 555 0188 002',
    });
    // The old one came in 40 days ago; the site keeps leads 30 days.
    await query(`UPDATE lead SET created_at = now() - interval '40 days' WHERE id = $1`, [old.body.id]);
    expect((await call('PATCH', `/v1/admin/sites/${site.id}`, { retention_days: 30 })).status).toBe(200);

    await waitUntil(
      'the sweep erased the old lead',
      async () => {
        const [row] = await query<{ erased_at: Date | null }>(`SELECT erased_at FROM lead WHERE id = $1`, [
          old.body.id,
        ]);
        return row.erased_at ?? undefined;
      },
      { timeoutMs: 30_000 },
    );
    const [audit] = await query<{ erased_by: string; reason: string }>(
      `SELECT erased_by, reason FROM lead_erasure WHERE lead_id = $1`,
      [old.body.id],
    );
    expect(audit).toEqual({ erased_by: 'retention', reason: 'retention' });
    expect(await tablesHolding([`old.${tag}@example.com`, '+1 555 0188 001'])).toEqual({});
    const wire = JSON.stringify(await readTopicsFromStart(bed.kafka.kafka, bed.kafka.topics.all()));
    expect(wire).toContain(old.body.id);
    expect(wire).not.toContain(`old.${tag}@example.com`);
    await waitUntil(
      'its lead.deleted delivered',
      () => requestsTo('/retention-deleted').length >= 1 || undefined,
      {
        timeoutMs: 30_000,
      },
    );
    expect(JSON.parse(requestsTo('/retention-deleted')[0].body)).toMatchObject({
      event: 'lead.deleted',
      lead_id: old.body.id,
      reason: 'retention',
    });
    const kept = await call('GET', `/v1/leads/${fresh.body.id}`);
    expect(kept.body).toMatchObject({ id: fresh.body.id, email: `new.${tag}@example.com`, erased_at: null });
    expect(requestsTo('/retention-deleted')).toHaveLength(1);
  }, 90_000);

  it('no log line of either app (every level down to verbose) nor of the DLT CLI holds them, over the whole run', async () => {
    const [apiLog, dispatcherLog] = logs();
    // The logs are there and at the lowest level: the grep below has something to search.
    expect(dispatcherLog).toMatch(/"level":"(debug|verbose)"/);
    expect(dispatcherLog).toMatch(/failed at retry .*HTTP 500; retry/);
    expect(dispatcherLog).toContain('dead-lettered, FAILED');
    expect(apiLog.length).toBeGreaterThan(0);
    for (const text of [apiLog, dispatcherLog, cliOutput])
      for (const needle of [...needles, ...alsoNeverLogged, 'duplicate contact'])
        expect(text).not.toContain(needle);
  });
});
