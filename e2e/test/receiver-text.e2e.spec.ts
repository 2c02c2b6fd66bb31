import { randomBytes } from 'node:crypto';
import { HEADERS } from '@leadhooks/contracts';
import {
  readTopicsFromStart,
  startTestbed,
  type Testbed,
  waitForLeadStatus,
  waitUntil,
} from '@leadhooks/testing';
import { AppProcess } from '../src/app-process.js';
import { runDlt } from '../src/dlt-cli.js';
import { createSite, postLead, stackEnv } from '../src/stack.js';

/**
 * A failed attempt's error text can quote the receiver's answer, and a receiver may echo the lead. Kafka keeps retry
 * and DLT messages for weeks and logs are shipped elsewhere: neither can be erased, so neither may hold that text
 * (docs/privacy.md). Postgres keeps it (erasure clears it there).
 */
describe("A receiver's answer stays in Postgres (built apps as processes, real Kafka + Postgres)", () => {
  let bed: Testbed;
  let api: AppProcess;
  let dispatcher: AppProcess;
  let cliEnv: Record<string, string>;
  const email = `echo.${randomBytes(4).toString('hex')}@example.com`;
  const phone = `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
  let leadId = '';

  beforeAll(async () => {
    bed = await startTestbed('e2eechotext');
    // A receiver quoting the lead back in its error answer.
    bed.receiver.respondWith((request) => {
      const sent = JSON.parse(request.body) as { email: string; phone: string };
      return { status: 500, body: `could not store ${sent.email} / ${sent.phone}: duplicate contact` };
    });
    const env = stackEnv(bed.db, bed.kafka, { RETRY_DELAYS: '200ms,200ms,200ms,200ms,200ms' });
    cliEnv = {
      DATABASE_URL: bed.db.url,
      KAFKA_BROKERS: env.KAFKA_BROKERS,
      KAFKA_TOPIC_PREFIX: env.KAFKA_TOPIC_PREFIX,
      DATA_ENCRYPTION_KEY: env.DATA_ENCRYPTION_KEY,
      LEADHOOKS_ACTOR: 'ops-test',
    };
    [api, dispatcher] = await Promise.all([
      AppProcess.start('leads-api', env),
      AppProcess.start('zapier-dispatcher', env),
    ]);
    await createSite(api, 'echo.test', `${bed.receiver.url}echo`);
    leadId = (await postLead(api, 'echo.test', { name: 'Echo Tester', email, phone })).body.id;
    await waitForLeadStatus(bed.db.dataSource, leadId, 'FAILED', 30_000);
  });

  afterAll(async () => {
    await Promise.all([api?.stop(), dispatcher?.stop()]);
    await bed?.stop();
  });

  it('the receiver did echo the lead, and Postgres holds its words (the test can see a leak)', async () => {
    expect(bed.receiver.requests).toHaveLength(6);
    const [attempt] = await bed.db.dataSource.query<Array<{ error: string; response_snippet: string }>>(
      `SELECT error, response_snippet FROM delivery_attempt WHERE lead_id = $1 ORDER BY attempt LIMIT 1`,
      [leadId],
    );
    expect(attempt.error).toContain(email);
    expect(attempt.response_snippet).toContain(phone);
  });

  it('no message on the main, retry or DLT topics holds the email or the phone, in a header or its value', async () => {
    const messages = await readTopicsFromStart(bed.kafka.kafka, bed.kafka.topics.all());
    const failures = messages.filter((m) => m.headers[HEADERS.lastError] !== undefined);
    // Five retry hand-ons and the dead letter, named by the status alone.
    expect(failures.map((m) => bed.kafka.topics.logical(m.topic)).sort()).toEqual(
      [
        'lead.created.dlt',
        'lead.created.retry.16m',
        'lead.created.retry.1m',
        'lead.created.retry.2m',
        'lead.created.retry.4m',
        'lead.created.retry.8m',
      ].sort(),
    );
    expect(new Set(failures.map((m) => m.headers[HEADERS.lastError]))).toEqual(new Set(['HTTP 500']));
    const wire = JSON.stringify(messages);
    expect(wire).not.toContain(email);
    expect(wire).not.toContain(phone);
    expect(wire).not.toContain('duplicate contact');
  });

  it('no log line of either app holds them, and the DLT CLI shows the status (its filter finds it by it)', async () => {
    const listed = await runDlt(['list', '--error', '500'], cliEnv);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(leadId);
    expect(listed.stdout).toContain('HTTP 500');
    const json = await runDlt(['list', '--json', '--lead', leadId], cliEnv);
    const logs = [api.output.join(''), dispatcher.output.join(''), listed.stdout, listed.stderr, json.stdout];
    // The failure lines were written (the logs are not simply empty).
    await waitUntil('the dead-letter log line', () =>
      dispatcher.output.join('').includes('dead-lettered, FAILED') ? true : undefined,
    );
    expect(dispatcher.output.join('')).toMatch(/failed at zapier .*HTTP 500; retry/);
    for (const text of logs) {
      expect(text).not.toContain(email);
      expect(text).not.toContain(phone);
      expect(text).not.toContain('duplicate contact');
    }
  });
});
