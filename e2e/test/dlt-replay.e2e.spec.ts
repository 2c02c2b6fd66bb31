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
import { runDlt } from '../src/dlt-cli.js';
import { createSite, postLead, stackEnv } from '../src/stack.js';

interface Listed {
  leadId: string;
  status: string | null;
  siteHostname: string;
  attempts: number;
  lastError: string;
  replayedAt: string | null;
}

describe('DLT replay CLI (real Kafka + Postgres, built apps and CLI as processes)', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let receiver: WebhookReceiver;
  let api: AppProcess;
  let dispatcher: AppProcess;
  let cliEnv: Record<string, string>;
  let healthy = false;
  const leads: Record<'a1' | 'a2' | 'b1', string> = { a1: '', a2: '', b1: '' };

  const lead = (id: string) => db.dataSource.getRepository(LeadEntity).findOneByOrFail({ id });
  const deliveredOk = (id: string) =>
    receiver.requests.filter(
      (r) => (JSON.parse(r.body) as { lead_id: string }).lead_id === id && r.headers['x-answer'] !== 'fail',
    );
  const list = async (...args: string[]) => {
    const result = await runDlt(['list', '--json', ...args], cliEnv);
    expect(result).toMatchObject({ code: 0 });
    return JSON.parse(result.stdout) as Listed[];
  };

  beforeAll(async () => {
    [db, kafka, receiver] = await Promise.all([
      createTestDatabase('e2edlt'),
      createTestKafka('e2edlt'),
      WebhookReceiver.start(),
    ]);
    receiver.respondWith((request) => {
      if (healthy) return { status: 200 };
      request.headers['x-answer'] = 'fail';
      return { status: 503, body: 'maintenance' };
    });
    const env = stackEnv(db, kafka, { RETRY_DELAYS: '200ms,200ms,200ms,200ms,200ms' });
    cliEnv = {
      DATABASE_URL: db.url,
      KAFKA_BROKERS: env.KAFKA_BROKERS,
      KAFKA_TOPIC_PREFIX: env.KAFKA_TOPIC_PREFIX,
      DATA_ENCRYPTION_KEY: env.DATA_ENCRYPTION_KEY,
      LEADHOOKS_ACTOR: 'ops-test',
    };
    [api, dispatcher] = await Promise.all([
      AppProcess.start('leads-api', env),
      AppProcess.start('zapier-dispatcher', env),
    ]);
    await createSite(api, 'alpha.test', `${receiver.url}alpha`);
    await createSite(api, 'beta.test', `${receiver.url}beta`);
    leads.a1 = (await postLead(api, 'alpha.test', { email: 'a1@example.com' })).body.id;
    leads.a2 = (await postLead(api, 'alpha.test', { email: 'a2@example.com' })).body.id;
    leads.b1 = (await postLead(api, 'beta.test', { email: 'b1@example.com' })).body.id;
    for (const id of Object.values(leads)) {
      await waitUntil(
        `lead ${id} FAILED`,
        async () => ((await lead(id)).zapierStatus === 'FAILED' ? true : undefined),
        { timeoutMs: 30_000 },
      );
    }
    await waitUntil('3 leads in the DLT', async () => (await list()).length === 3 || undefined, {
      timeoutMs: 20_000,
      intervalMs: 500,
    });
  });

  afterAll(async () => {
    await Promise.all([api?.stop(), dispatcher?.stop()]);
    await receiver?.stop();
    await kafka?.cleanup();
    await db?.drop();
  });

  it('lists the DLT, and every filter selects exactly what it says', async () => {
    const all = await list();
    expect(all.map((l) => l.leadId).sort()).toEqual(Object.values(leads).sort());
    expect(all[0]).toMatchObject({
      attempts: 6,
      lastError: expect.stringContaining('503'),
      replayedAt: null,
    });
    expect((await list('--site', 'alpha.test')).map((l) => l.leadId).sort()).toEqual(
      [leads.a1, leads.a2].sort(),
    );
    expect((await list('--lead', leads.b1)).map((l) => l.siteHostname)).toEqual(['beta.test']);
    expect(await list('--error', 'HTTP 503')).toHaveLength(3);
    expect(await list('--error', 'maintenance')).toHaveLength(0); // the receiver's words stay in Postgres
    expect(await list('--error', 'timed out')).toHaveLength(0);
    expect(await list('--since', '1h')).toHaveLength(3);
    expect(await list('--until', '2020-01-01T00:00:00Z')).toHaveLength(0);
    const table = await runDlt(['list', '--site', 'beta.test'], cliEnv);
    expect(table.stdout).toContain('LEAD');
    expect(table.stdout).toContain(leads.b1);
    expect(table.stdout).toContain('1 dead-lettered message(s)');
  });

  it('changes nothing on --dry-run', async () => {
    const result = await runDlt(['replay', '--lead', leads.a1, '--dry-run'], cliEnv);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`would replay ${leads.a1}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await lead(leads.a1)).zapierStatus).toBe('FAILED');
    expect(await db.dataSource.query('SELECT count(*)::int AS n FROM dlt_replay')).toEqual([{ n: 0 }]);
  });

  it('replays a lead once the receiver is fixed: SENT, history kept; it leaves the default listing and is never re-sent', async () => {
    healthy = true;
    const first = await runDlt(['replay', '--lead', leads.a1, '--yes'], cliEnv);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('[1/1] replayed 1, skipped 0, failed 0');
    expect(first.stdout).toMatch(/replayed 1, skipped 0 \(already SENT or in flight\), failed 0/);
    const sent = await waitUntil('a1 SENT', async () => {
      const current = await lead(leads.a1);
      return current.zapierStatus === 'SENT' ? current : undefined;
    });
    expect(sent.zapierAttemptCount).toBe(7);
    expect(deliveredOk(leads.a1)).toHaveLength(1);

    // Delivered now: the default listing leaves it out, --all shows it with its status, and a replay selects nothing.
    expect(await list('--lead', leads.a1)).toEqual([]);
    const shown = await list('--lead', leads.a1, '--all');
    expect(shown).toEqual([expect.objectContaining({ leadId: leads.a1, status: 'SENT' })]);
    expect(shown[0].replayedAt).not.toBeNull();
    const second = await runDlt(['replay', '--lead', leads.a1, '--yes'], cliEnv);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('0 lead(s) selected for replay');
    expect(deliveredOk(leads.a1)).toHaveLength(1);
  });

  it('replays by site and leaves the others alone; runs are recorded with who, filter and counts', async () => {
    const result = await runDlt(['replay', '--site', 'beta.test', '--yes'], cliEnv);
    expect(result.code).toBe(0);
    await waitUntil('b1 SENT', async () =>
      (await lead(leads.b1)).zapierStatus === 'SENT' ? true : undefined,
    );
    expect((await lead(leads.a2)).zapierStatus).toBe('FAILED');
    const runs: Array<{ actor: string; filter: Record<string, unknown>; replayed: number; skipped: number }> =
      await db.dataSource.query(
        'SELECT actor, filter, replayed, skipped FROM dlt_replay ORDER BY started_at',
      );
    expect(runs).toEqual([
      { actor: 'ops-test', filter: { lead: leads.a1 }, replayed: 1, skipped: 0 },
      { actor: 'ops-test', filter: { site: 'beta.test' }, replayed: 1, skipped: 0 },
    ]);
  });

  it('refuses bad arguments with a clear message and exit code 2', async () => {
    const noScope = await runDlt(['replay', '--yes'], cliEnv);
    expect(noScope.code).toBe(2);
    expect(noScope.stderr).toContain('--all');
    const badTime = await runDlt(['list', '--since', 'last tuesday'], cliEnv);
    expect(badTime.code).toBe(2);
    expect(badTime.stderr).toContain('--since');
    const badLead = await runDlt(['replay', '--lead', 'not-a-uuid'], cliEnv);
    expect(badLead.code).toBe(2);
    expect((await runDlt(['explode'], cliEnv)).code).toBe(2);
    const noTty = await runDlt(['replay', '--lead', leads.a2], cliEnv);
    expect(noTty.code).toBe(2);
    expect(noTty.stderr).toContain('--yes');
    const help = await runDlt(['replay', '--help'], cliEnv);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--dry-run');
  });
});
