import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { LeadEntity, type Site } from '@leadhooks/db';
import { EventPublisher } from '@leadhooks/messaging';
import {
  firstAttemptHeaders,
  seedLead,
  seedSite,
  startTestbed,
  type Testbed,
  waitForLeadStatus,
} from '@leadhooks/testing';
import { startTestDispatcher } from './dispatcher-harness.js';

const EMOJI = '😀';

/**
 * Whatever a receiver answers is recorded once, and a recorded 2xx is never followed by another POST (issue 20,
 * item 1): NUL bytes (binary, UTF-16, gzip) and an emoji across a snippet limit once made the outcome's statement
 * fail, so the lease was never released, no attempt row was written and the delivery was POSTed again forever.
 */
describe('zapier-dispatcher: a receiver answer Postgres cannot store as it is (real Kafka + Postgres)', () => {
  let testbed: Testbed;
  let dispatcher: NestFastifyApplication;
  let publisher: EventPublisher;

  beforeAll(async () => {
    testbed = await startTestbed('receiver-answers', { partitions: 1 });
    publisher = new EventPublisher(testbed.kafka.kafka);
    ({ app: dispatcher } = await startTestDispatcher(testbed.db, testbed.kafka, {
      RETRY_DELAYS: '30s,30s,30s,30s,30s',
      RETRY_JITTER_PERCENT: '0',
    }));
    testbed.receiver.respondWith((request) => {
      if (request.path.endsWith('nul-2xx'))
        return {
          status: 200,
          body: 'PK\u0003\u0004\u0000\u0000binary\u0000',
          headers: { 'content-type': 'application/zip' },
        };
      if (request.path.endsWith('utf16-2xx'))
        return { status: 201, body: Buffer.from('{"ok":true}', 'utf16le').toString('latin1') };
      // 'x' × 199 puts the emoji across oneLine(…, 200) in the error; 1,998 across the 2,000 of the snippet.
      if (request.path.endsWith('emoji-error'))
        return { status: 500, body: `${'x'.repeat(199)}${EMOJI}${EMOJI}` };
      if (request.path.endsWith('emoji-snippet'))
        return { status: 200, body: `${'y'.repeat(1_998)}${EMOJI}${EMOJI}` };
      return { status: 200 };
    });
  });

  afterAll(async () => {
    await dispatcher?.close();
    await publisher?.disconnect();
    await testbed?.stop();
  });

  const siteAt = (path: string) =>
    seedSite(testbed.db.dataSource, { webhookUrl: `${testbed.receiver.url}${path}`, enabled: true });
  const requestsFor = (leadId: string) => testbed.receiver.requests.filter((r) => r.body.includes(leadId));

  async function publishLead(site: Site) {
    const event = await seedLead(testbed.db.dataSource, site);
    await publisher.publish(testbed.kafka.topics.main, [
      { key: event.data.lead_id, value: JSON.stringify(event), headers: firstAttemptHeaders() },
    ]);
    return event.data.lead_id;
  }

  const attempts = (leadId: string) =>
    testbed.db.dataSource.query<
      Array<{ http_status: number; error: string | null; response_snippet: string | null }>
    >(
      `SELECT http_status, error, response_snippet FROM delivery_attempt WHERE lead_id = $1 ORDER BY started_at`,
      [leadId],
    );

  it('records a 2xx whose body is binary or UTF-16 (NUL bytes) or has an emoji across the snippet limit, and never POSTs it again', async () => {
    const leads = [
      await publishLead(await siteAt('nul-2xx')),
      await publishLead(await siteAt('utf16-2xx')),
      await publishLead(await siteAt('emoji-snippet')),
    ];
    for (const id of leads) await waitForLeadStatus(testbed.db.dataSource, id, 'SENT', 15_000);
    // Longer than a lease (2 s timeout + 2 s margin): a delivery whose outcome was lost would be POSTed again by now.
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    for (const id of leads) {
      expect(requestsFor(id)).toHaveLength(1);
      const [attempt, ...more] = await attempts(id);
      expect(more).toHaveLength(0);
      expect(attempt.response_snippet?.isWellFormed()).toBe(true);
      expect(attempt.response_snippet).not.toContain('\u0000');
    }
  });

  it('records a failure whose error has an emoji across its limit, with its retry, once', async () => {
    const id = await publishLead(await siteAt('emoji-error'));
    const lead = () => testbed.db.dataSource.getRepository(LeadEntity).findOneByOrFail({ id });
    for (let waited = 0; (await lead()).zapierAttemptCount !== 1 && waited < 15_000; waited += 200)
      await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await lead()).zapierAttemptCount).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    // The next attempt is 30 s away: one request, one attempt row, the lease given back.
    expect(requestsFor(id)).toHaveLength(1);
    const [attempt, ...more] = await attempts(id);
    expect(more).toHaveLength(0);
    expect(attempt.http_status).toBe(500);
    expect(attempt.error?.isWellFormed()).toBe(true);
    expect(attempt.error).toMatch(/^HTTP 500/);
    const [delivery] = await testbed.db.dataSource.query<
      Array<{ status: string; lock_token: string | null }>
    >(`SELECT status, lock_token FROM delivery WHERE lead_id = $1`, [id]);
    expect(delivery).toEqual({ status: 'PENDING', lock_token: null });
  });
});
