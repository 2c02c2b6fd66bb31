import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import {
  createTestDatabase,
  createTestKafka,
  type TestDatabase,
  type TestKafka,
  TYPEFORM_FORM_RESPONSE,
  WebhookReceiver,
} from '@leadhooks/testing';
import { AppProcess } from '../src/app-process.js';
import { ADMIN_KEY, postLead, stackEnv } from '../src/stack.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/screenshots');

/**
 * The admin console (SPEC §13) in a real headless Chromium (Debian's, driven by playwright-core) against the real
 * stack: leads-api serving the console at /console/, the dispatcher, Postgres, Kafka and a local receiver.
 */
describe('admin console in a real browser', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let receiver: WebhookReceiver;
  let api: AppProcess;
  let dispatcher: AppProcess;
  let browser: Browser;
  let page: Page;
  let failing = false;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM))
      throw new Error(`No Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
    [db, kafka, receiver] = await Promise.all([
      createTestDatabase('e2econsole'),
      createTestKafka('e2econsole'),
      WebhookReceiver.start(),
    ]);
    receiver.respondWith(() =>
      failing ? { status: 503, body: 'down for maintenance' } : { status: 200, body: 'ok' },
    );
    const env = stackEnv(db, kafka, { RETRY_DELAYS: '1s,1s,1s,1s,1s', RETRY_JITTER_PERCENT: '0' });
    [api, dispatcher] = await Promise.all([
      AppProcess.start('leads-api', env),
      AppProcess.start('zapier-dispatcher', env),
      (async () => {
        browser = await chromium.launch({
          executablePath: CHROMIUM,
          args: ['--no-sandbox', '--disable-gpu'],
        });
      })(),
    ]);
    page = await browser.newPage({ viewport: { width: 1280, height: 860 }, timezoneId: 'Europe/Paris' });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([api?.stop(), dispatcher?.stop()]);
    await receiver?.stop();
    await kafka?.cleanup();
    await db?.drop();
  });

  const shot = (name: string) =>
    page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
  const hookUrl = () => receiver.url.replace(/\/hooks\/.*$/, '/console-hook');

  it('signs in with an admin key kept in the tab only, and refuses a wrong one in plain words', async () => {
    await page.goto(`${api.url}/console/`);
    await page.getByLabel('Admin API key').fill('lh_wrong_key_000000000000000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'The API key was refused' }).waitFor();
    await page.getByLabel('Admin API key').fill(ADMIN_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: /Overview/ }).waitFor();
    expect(page.url()).not.toContain(ADMIN_KEY);
    const stored = await page.evaluate(() => ({ local: localStorage.length, cookie: document.cookie }));
    expect(stored).toEqual({ local: 0, cookie: '' });
  });

  let leadOk = '';
  it('creates a site and an endpoint, shows the new secret once, and tests it with the receiver’s answer', async () => {
    await page.getByRole('link', { name: 'Sites' }).click();
    await page.getByText('No sites yet').waitFor();
    await page.getByLabel('Hostname').fill('console.test');
    await page.getByLabel('Name', { exact: true }).fill('Console Test');
    await page.getByRole('button', { name: 'Add site' }).click();
    await page.getByRole('heading', { name: /console\.test/ }).waitFor();

    await page.locator('#new-endpoint-name').fill('crm');
    await page.locator('#new-endpoint-url').fill(hookUrl());
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const secret = await page.getByTestId('revealed-secret').textContent();
    expect(secret).toMatch(/^whsec_/);
    await page.getByRole('button', { name: 'I have stored it' }).click();
    const card = page.locator('article[data-endpoint="crm"]');
    await card.waitFor();
    expect(await page.content()).not.toContain(secret!);

    await card.getByRole('button', { name: 'Send test' }).click();
    await card
      .getByTestId('test-result')
      .filter({ hasText: 'The receiver accepted the test: 200' })
      .waitFor();
    expect(receiver.requests.filter((r) => r.path === '/console-hook')).toHaveLength(1);

    const lead = await postLead(api, 'console.test', { name: 'Ada Lovelace', email: 'ada@example.com' });
    leadOk = lead.body.id;
  });

  it('shows a posted lead turn SENT on its page without a reload', async () => {
    await page.goto(`${api.url}/console/#/leads/${leadOk}`);
    const delivery = page.locator('article.delivery').filter({ hasText: 'crm' });
    await delivery.locator('[data-status="SENT"]').waitFor({ timeout: 15_000 });
    await delivery.getByText('HTTP 200').waitFor();
  });

  let leadFailed = '';
  it('shows retries and the dead letter when the receiver fails, replays it from the screen, and it turns SENT', async () => {
    failing = true;
    leadFailed = (await postLead(api, 'console.test', { name: 'Grace Hopper', email: 'grace@example.com' }))
      .body.id;
    await page.goto(`${api.url}/console/#/leads/${leadFailed}`);
    const delivery = page.locator('article.delivery').filter({ hasText: 'crm' });
    await delivery.getByText('HTTP 503').first().waitFor({ timeout: 15_000 });
    await delivery.locator('[data-status="FAILED"]').waitFor({ timeout: 30_000 });
    expect(await delivery.locator('.timeline li.failed').count()).toBe(6);
    await shot('console-lead-timeline');

    await page.getByRole('link', { name: 'Dead letters' }).click();
    const row = page.locator('tr').filter({ hasText: 'console.test → crm' });
    await row.waitFor();
    await row.getByRole('checkbox').check();
    await shot('console-dead-letters');
    failing = false;
    await page.getByRole('button', { name: 'Replay 1 selected' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Replay' }).click();
    const outcome = page.locator('p.notice');
    await outcome.waitFor();
    expect(await outcome.textContent()).toContain('Replayed 1');
    await page.getByRole('cell', { name: 'console' }).first().waitFor();

    await page.goto(`${api.url}/console/#/leads/${leadFailed}`);
    await delivery.locator('[data-status="SENT"]').waitFor({ timeout: 15_000 });
    await delivery.getByText('replay').waitFor();
  });

  it('sums it up on the overview and shows the leads list with status badges', async () => {
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.locator('.figure', { hasText: 'Sent' }).waitFor();
    await shot('console-overview');
    await page.getByRole('link', { name: 'Leads' }).click();
    await page.locator('tbody tr').nth(1).waitFor();
    expect(await page.locator('tbody [data-status]').count()).toBe(2);
  });

  it('makes an inbound source from a preset, shows its URL once, previews the mapping live on the last request, and shows the request log', async () => {
    const site = await page.evaluate(async (key) => {
      const sites = (await (
        await fetch('/v1/admin/sites', { headers: { authorization: `Bearer ${key}` } })
      ).json()) as Array<{ id: string; hostname: string }>;
      return sites.find((candidate) => candidate.hostname === 'console.test')!;
    }, ADMIN_KEY);
    await page.goto(`${api.url}/console/#/sites/${site.id}`);
    await page.getByRole('link', { name: /Inbound sources/ }).click();
    await page.getByText('No source yet').waitFor();
    await page.getByLabel('Form tool').selectOption('typeform');
    await page.getByTestId('preset-notes').filter({ hasText: 'Typeform' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Typeform contact');
    await page.getByLabel('Signing secret (optional)').fill('typeform-secret-1');
    await page.getByRole('button', { name: 'Add source' }).click();
    const url = (await page.getByTestId('source-url').textContent())!;
    expect(url).toMatch(/\/v1\/inbound\/lhin_[A-Za-z0-9_-]{43}$/);
    await page.getByRole('button', { name: 'Copy URL' }).waitFor();
    await shot('console-sources');
    await page.getByRole('button', { name: 'I have copied it' }).click();
    await page.locator('li[data-source="Typeform contact"]').waitFor();
    expect(await page.content()).not.toContain(url.split('/').pop()!);

    // Typeform posts a signed submission, and one that does not map.
    const token = url.split('/').pop()!;
    const post = (body: string) =>
      fetch(`${api.url}/v1/inbound/${token}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'typeform-signature': `sha256=${createHmac('sha256', 'typeform-secret-1').update(body).digest('base64')}`,
        },
        body,
      });
    const invalid = structuredClone(TYPEFORM_FORM_RESPONSE);
    invalid.form_response.token = 'not-mappable';
    invalid.form_response.answers[1].email = 'laura-at-example';
    expect((await post(JSON.stringify(invalid))).status).toBe(422);
    expect((await post(JSON.stringify(TYPEFORM_FORM_RESPONSE))).status).toBe(201);

    await page.getByRole('link', { name: 'Typeform contact' }).click();
    const preview = page.getByTestId('mapping-preview');
    await preview.filter({ hasText: 'Would be stored as this lead' }).waitFor();
    await preview.getByText('laura@example.com').waitFor();
    const log = page.getByTestId('request-log');
    await log.locator('[data-status="201"]').waitFor();
    await log.locator('[data-status="422"]').waitFor();
    await shot('console-source-mapping');

    // Editing the mapping previews as one types: a lead without a contact is refused, naming why.
    const editor = page.getByLabel('Mapping (JSONata)');
    await editor.fill('{ "name": body.form_response.hidden.user_id }');
    await preview.filter({ hasText: 'Would be refused (422)' }).waitFor();
    await preview.getByText('email or phone').first().waitFor();
    await editor.fill('{ "email": body.form_response.answers[type="email"].email, "lead_source" ');
    await preview.locator('li', { hasText: 'mapping' }).first().waitFor();
    await page.getByRole('button', { name: 'Undo changes' }).click();
    await preview.filter({ hasText: 'Would be stored as this lead' }).waitFor();

    // The refused request's details, and a preview on it.
    const refused = log.locator('tr', { has: page.locator('[data-status="422"]') });
    await refused.getByRole('button', { name: 'Show' }).click();
    await page.locator('tr.request-detail pre', { hasText: 'laura-at-example' }).waitFor();
    await shot('console-source-log');
    expect(await page.content()).not.toContain('typeform-signature');

    await page.setViewportSize({ width: 375, height: 800 });
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
    ).toBeLessThanOrEqual(0);
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it('edits an endpoint: a custom JSONata mapping previewed live on a real lead, its policy, signing, headers, timeout and rate limit; Save shows the card updated and a reload finds it stored', async () => {
    const admin = { authorization: `Bearer ${ADMIN_KEY}` };
    const sites = (await (await fetch(`${api.url}/v1/admin/sites`, { headers: admin })).json()) as Array<{
      id: string;
      hostname: string;
    }>;
    const site = sites.find((candidate) => candidate.hostname === 'console.test')!;
    const storedCrm = async () =>
      (
        (await (
          await fetch(`${api.url}/v1/admin/sites/${site.id}/endpoints`, { headers: admin })
        ).json()) as Array<Record<string, unknown>>
      ).find((endpoint) => endpoint.name === 'crm')!;
    const newest = (
      await postLead(api, 'console.test', { name: 'Edsger Dijkstra', email: 'edsger@example.com' })
    ).body.id;

    await page.goto(`${api.url}/console/#/sites/${site.id}`);
    const card = page.locator('article[data-endpoint="crm"]');
    await card.getByRole('button', { name: 'Edit' }).click();
    await card.getByLabel('Payload format').selectOption('custom');
    const preview = card.getByTestId('endpoint-mapping-preview');
    const json = preview.getByTestId('preview-json');
    // The mapping is the admin's text and what it renders holds a lead's: both stay text on the page.
    const mapping =
      '{"contact": {"email": lead.email, "full_name": lead.name}, "source": site.hostname, "note": "<img src=x onerror=\'window.__pwned=1\'>"}';
    await card.getByLabel('Mapping (JSONata)').fill(mapping);
    await json.filter({ hasText: '"full_name": "Edsger Dijkstra"' }).waitFor();
    expect(await preview.getByTestId('preview-lead').textContent()).toBe(newest);
    await card.getByLabel('A lead by id').check();
    await card.getByLabel('Lead id').fill(leadOk);
    await json.filter({ hasText: '"full_name": "Ada Lovelace"' }).waitFor();
    expect(JSON.parse((await json.textContent())!)).toEqual({
      contact: { email: 'ada@example.com', full_name: 'Ada Lovelace' },
      source: 'console.test',
      note: "<img src=x onerror='window.__pwned=1'>",
    });
    expect(await preview.getByTestId('preview-lead').textContent()).toBe(leadOk);

    await card.getByLabel(/^Description/).fill('CRM <b>contacts</b>');
    await card.getByLabel('How requests are signed').selectOption('hmac_sha256_hex');
    await card.getByLabel('X-Webhook-Signature format').selectOption('');
    await card.getByLabel('Attempts per lead (first try included)').selectOption('3');
    await card.getByLabel(/^Retry after a 4xx answer/).uncheck();
    await card.getByLabel(/^Timeout in ms/).fill('5000');
    await card.getByLabel(/^Rate limit/).fill('20');
    await card.getByRole('button', { name: 'Add a header' }).click();
    await card.getByLabel('Header 1 name').fill('X-Api-Key');
    await card.getByLabel('Header 1 value').fill('crm-key-1');
    // The README's picture of the editor: the card alone, mapping and live preview included.
    await card.screenshot({ path: path.join(SCREENSHOTS, 'console-endpoint-editor.png') });
    await card.getByRole('button', { name: 'Save', exact: true }).click();

    const expectCard = async () => {
      const facts = card.getByTestId('endpoint-facts');
      await facts.locator('[data-fact="format"]').filter({ hasText: 'custom' }).waitFor();
      expect(await facts.locator('[data-fact="description"]').textContent()).toBe('CRM <b>contacts</b>');
      expect(await facts.locator('[data-fact="signing"]').textContent()).toBe('hmac_sha256_hex (bare hex)');
      expect(await facts.locator('[data-fact="policy"]').textContent()).toMatch(
        /^\s*3 attempts,\s+4xx answers not retried\s*$/,
      );
      expect(await facts.locator('[data-fact="limits"]').textContent()).toMatch(/^\s*5000 ms ·\s+20\/s\s*$/);
      expect(await facts.locator('[data-fact="headers"]').textContent()).toBe('X-Api-Key (values hidden)');
      expect(await card.getByTestId('stored-mapping').textContent()).toBe(mapping);
    };
    await expectCard();
    await card.getByText('Saved: the next request uses these settings.').waitFor();
    expect(await storedCrm()).toMatchObject({
      format: 'custom',
      mapping,
      description: 'CRM <b>contacts</b>',
      auth: 'hmac_sha256_hex',
      signature_prefix: '',
      max_attempts: 3,
      retry_on_4xx: false,
      timeout_ms: 5000,
      rate_limit_per_second: 20,
      headers: { 'X-Api-Key': '***' },
    });
    await page.reload();
    await expectCard();

    // A test send carries the mapping's output, the header, and a bare hex signature over those very bytes.
    await card.getByRole('button', { name: 'Send test' }).click();
    await card
      .getByTestId('test-result')
      .filter({ hasText: 'The receiver accepted the test: 200' })
      .waitFor();
    const sent = receiver.requests.filter((r) => r.path === '/console-hook').at(-1)!;
    expect(Object.keys(JSON.parse(sent.body) as object)).toEqual(['contact', 'source', 'note']);
    expect(sent.headers['x-api-key']).toBe('crm-key-1');
    expect(sent.headers['x-webhook-signature']).toMatch(/^[0-9a-f]{64}$/);

    // A mapping that does not parse: the preview names the spot as one types, and Save stores nothing.
    await card.getByRole('button', { name: 'Edit' }).click();
    const editor = card.getByLabel('Mapping (JSONata)');
    await editor.fill('{"contact": {"email": lead.email},\n "x": <script>window.__pwned=2</script>}');
    await preview.getByTestId('mapping-position').filter({ hasText: 'At line 2' }).waitFor();
    expect(await preview.textContent()).toContain('The mapping does not parse');
    await preview.getByRole('button', { name: 'Go to it' }).click();
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('TEXTAREA');
    await card.getByRole('button', { name: 'Save', exact: true }).click();
    const mappingProblem = card.getByTestId('field-problem').filter({ hasText: /position|at \d+|Syntax/i });
    await mappingProblem.waitFor();
    expect(await editor.getAttribute('aria-invalid')).toBe('true');
    expect(await editor.getAttribute('aria-describedby')).toBe(await mappingProblem.getAttribute('id'));
    expect((await storedCrm()).mapping).toBe(mapping);

    // A header the transport sets: the API's refusal is said under the headers, and nothing is stored either.
    await editor.fill(mapping);
    await card.getByRole('button', { name: 'Add a header' }).click();
    await card.getByLabel('Header 2 name').fill('Content-Length');
    await card.getByLabel('Header 2 value').fill('1');
    await card.getByRole('button', { name: 'Save', exact: true }).click();
    await card.getByTestId('field-problem').filter({ hasText: "header 'Content-Length'" }).waitFor();
    expect((await storedCrm()).headers).toEqual({ 'X-Api-Key': '***' });
    await card.getByRole('button', { name: 'Cancel' }).click();
    await expectCard();

    expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
    expect(await page.locator('main img, main script, main b').count()).toBe(0);
  });

  it("sets a site's lead retention on its page, and deletes the site only once its hostname is typed, saying how many leads were erased", async () => {
    const admin = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' };
    const made = await fetch(`${api.url}/v1/admin/sites`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ hostname: 'retention.test', name: 'Retention Test' }),
    });
    const site = (await made.json()) as { id: string };
    for (const email of ['rita@example.com', 'ron@example.com'])
      expect((await postLead(api, 'retention.test', { name: 'Rita', email })).status).toBe(201);
    const stored = async () =>
      (await fetch(`${api.url}/v1/admin/sites/${site.id}`, { headers: admin })).json() as Promise<{
        retention_days: number | null;
      }>;

    await page.goto(`${api.url}/console/#/sites/${site.id}`);
    await page.reload();
    const retention = page.getByTestId('retention');
    await retention
      .getByTestId('retention-current')
      .filter({ hasText: 'The default: kept forever' })
      .waitFor();
    await retention.getByLabel('For a number of days').check();
    await retention.getByLabel('Days', { exact: true }).fill('90');
    await retention.getByRole('button', { name: 'Save retention' }).click();
    await retention.getByRole('status').filter({ hasText: 'Saved. 90 days, then erased' }).waitFor();
    expect(await stored()).toMatchObject({ retention_days: 90 });
    await retention.getByTestId('retention-current').filter({ hasText: '90 days, then erased' }).waitFor();
    await shot('console-site-settings');
    await retention.getByLabel('Forever', { exact: true }).check();
    await retention.getByRole('button', { name: 'Save retention' }).click();
    await retention.getByRole('status').filter({ hasText: 'Kept forever' }).waitFor();
    expect(await stored()).toMatchObject({ retention_days: 0 });
    await retention.getByLabel('As the default').check();
    await retention.getByRole('button', { name: 'Save retention' }).click();
    await retention.getByRole('status').filter({ hasText: 'The default' }).waitFor();
    expect(await stored()).toMatchObject({ retention_days: null });

    await page.getByRole('button', { name: 'Delete site…' }).click();
    const dialog = page.getByRole('dialog');
    const confirm = dialog.getByRole('button', { name: 'Delete site and erase its leads' });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel('Type retention.test to confirm').fill('Retention Test');
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel('Type retention.test to confirm').fill('retention.test');
    expect(await confirm.isDisabled()).toBe(false);
    await dialog.screenshot({ path: path.join(SCREENSHOTS, 'console-site-delete.png') });
    await confirm.click();
    await page
      .getByTestId('site-deleted')
      .filter({ hasText: 'retention.test was deleted: 2 leads erased' })
      .waitFor();
    expect((await fetch(`${api.url}/v1/admin/sites/${site.id}`, { headers: admin })).status).toBe(404);
    expect(
      await db.dataSource.query(`SELECT count(*)::int AS n FROM lead_erasure WHERE erased_by = $1`, [
        `site-deletion:${site.id}`,
      ]),
    ).toEqual([{ n: 2 }]);
    await page.getByRole('link', { name: '← Sites' }).click();
    await page.getByRole('heading', { name: 'Sites' }).waitFor();
    expect(await page.getByRole('link', { name: 'retention.test' }).count()).toBe(0);
  });

  it('works by keyboard and at 375 px width', async () => {
    await page.goto(`${api.url}/console/#/overview`);
    await page.reload();
    await page.getByRole('heading', { name: /Overview/ }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.setViewportSize({ width: 375, height: 800 });
    await page.goto(`${api.url}/console/#/leads`);
    await page.locator('tbody tr').first().waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.goto(`${api.url}/console/#/dead-letters`);
    await page.getByText('No dead letters').waitFor();
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
    ).toBeLessThanOrEqual(0);
    expect(pageErrors).toEqual([]);
  });

  it('checks ids from the URL hash: a crafted link reaches no other admin route, even with a click on every button', async () => {
    const admin = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' };
    const made = await fetch(`${api.url}/v1/admin/sites`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ hostname: 'crafted.test', name: 'Crafted' }),
    });
    const target = (await made.json()) as { id: string };
    const siteKeys = async () =>
      (
        (await (
          await fetch(`${api.url}/v1/admin/sites/${target.id}/api-keys`, { headers: admin })
        ).json()) as unknown[]
      ).length;
    const fresh = await browser.newPage();
    const calls: string[] = [];
    fresh.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname.startsWith('/v1/')) calls.push(`${request.method()} ${url.pathname}${url.search}`);
    });
    try {
      await fresh.goto(`${api.url}/console/`);
      await fresh.getByLabel('Admin API key').fill(ADMIN_KEY);
      await fresh.getByRole('button', { name: 'Sign in' }).click();
      await fresh.getByRole('heading', { name: /Overview/ }).waitFor();
      // Each link's id climbs out of its route ("..") and cuts the rest of the path off ("?", "#").
      const crafted = [
        `sites/${encodeURIComponent(`${target.id}/api-keys#`)}`,
        `leads/${encodeURIComponent(`x/../../admin/sites/${target.id}/api-keys?`)}`,
        `sites/${target.id}/sources/${encodeURIComponent(`../../sites/${target.id}/api-keys?`)}`,
      ];
      for (const link of crafted) {
        await fresh.goto(`${api.url}/console/#/${link}`);
        await fresh.reload();
        await fresh.locator('[data-testid="bad-link"], main button').first().waitFor();
        // Whatever the screen offers, pressed: none of it may write anywhere but the screen's own, real ids.
        for (const button of await fresh.locator('main button').all()) {
          if (await button.isVisible()) await button.click({ timeout: 2_000 }).catch(() => undefined);
        }
        await fresh.waitForTimeout(500);
        await fresh.getByTestId('bad-link').waitFor({ timeout: 2_000 });
      }
      expect(await siteKeys()).toBe(0);
      expect(calls.filter((call) => call.includes('api-keys') || /\.\.|%2e/i.test(call))).toEqual([]);
    } finally {
      await fresh.close();
    }
  });
});
