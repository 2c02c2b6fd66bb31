import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildLeadCreatedEvent, leadSnapshot } from '@leadhooks/contracts';
import { WebhookDelivery } from './webhook-delivery.js';
import { generateWebhookSecret } from './webhook-secret.js';
import { WebhookSender } from './webhook-sender.js';

const GUIDE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/outbound-mapping.md');

/** The guide's code block in `language`, exactly as the docs show it. */
function guideExample(language: 'python' | 'js'): string {
  const match = new RegExp('\\(guide example\\):\\s*```' + language + '\\n([^]*?)```').exec(
    fs.readFileSync(GUIDE, 'utf8'),
  );
  if (!match) throw new Error(`no ${language} example in ${GUIDE}`);
  return match[1];
}

interface Received {
  body: Buffer;
  signature: string;
}

/**
 * The integration guide's receiver examples (docs/outbound-mapping.md), run as written with python3 and node on the
 * raw bytes of requests our sender made, must accept an `hmac_sha256_hex` endpoint with `signature_prefix: ""`.
 */
describe('the integration guide verification examples against hmac_sha256_hex', () => {
  let server: http.Server;
  let url: string;
  const received: Received[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guide-sig-'));
  const delivery = new WebhookDelivery(
    new WebhookSender({ timeoutMs: 5_000, maxResponseBytes: 1_024, allowInsecure: true }),
  );
  const secret = generateWebhookSecret();
  const site = { id: '0193a000-0000-7000-8000-000000000001', hostname: 'acme.test', name: 'Acme' };
  const event = buildLeadCreatedEvent(
    '0193a000-0000-7000-8000-0000000000e1',
    new Date('2026-12-03T10:00:00Z'),
    leadSnapshot({
      id: '0193a000-0000-7000-8000-0000000000a1',
      siteId: site.id,
      siteHostname: site.hostname,
      submittedAt: new Date('2026-12-03T10:00:00Z'),
      pageUrl: 'https://acme.test/contact',
      leadSource: null,
      formType: null,
      name: 'Zoë “Ω” Müller',
      email: 'zoe@example.com',
      phone: null,
      message: 'Ünïcode and "quotes" \\ and \n lines',
      extra: { plan: 'pro' },
    }),
  );

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({
          body: Buffer.concat(chunks),
          signature: String(request.headers['x-webhook-signature']),
        });
        response.end('ok');
      });
    });
    // Longer than the examples' runs on a busy machine: the sender reuses its keep-alive connection.
    server.keepAliveTimeout = 120_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/hook`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function send(signaturePrefix: string | undefined, body?: string): Promise<Received> {
    const before = received.length;
    const result = await delivery.deliver(
      event,
      site,
      1,
      {
        url,
        auth: 'hmac_sha256_hex',
        format: body === undefined ? 'flat' : 'custom',
        headers: {},
        secrets: { secret, previousSecret: null, previousSecretExpiresAt: null },
        deliveryId: '0193a000-0000-7000-8000-0000000000d1',
        signaturePrefix,
      },
      new Date(),
      body,
    );
    expect(result.error ?? 'ok').toBe('ok');
    expect(received).toHaveLength(before + 1);
    return received[before];
  }

  /** Runs the guide's Python function on the raw bytes received; true when it accepts. */
  function python(request: Received): boolean {
    fs.writeFileSync(path.join(dir, 'body'), request.body);
    const script = `${guideExample('python')}
import sys
with open(sys.argv[1], "rb") as f:
    raw = f.read()
print("accepted" if verify(sys.argv[2], raw, sys.argv[3]) else "rejected")
`;
    const out = execFileSync('python3', ['-c', script, path.join(dir, 'body'), secret, request.signature]);
    return out.toString().trim() === 'accepted';
  }

  /** Runs the guide's Node function the same way, in its own node process (CommonJS, as the guide writes it). */
  function node(request: Received): boolean {
    fs.writeFileSync(path.join(dir, 'body'), request.body);
    const script = `${guideExample('js')}
const raw = require('node:fs').readFileSync(process.argv[1]);
console.log(verify(process.argv[2], raw, process.argv[3]) ? 'accepted' : 'rejected');
`;
    const out = execFileSync(process.execPath, [
      '--input-type=commonjs',
      '-e',
      script,
      path.join(dir, 'body'),
      secret,
      request.signature,
    ]);
    return out.toString().trim() === 'accepted';
  }

  it('accepts a flat body signed with signature_prefix "" in both examples', async () => {
    const request = await send('');
    expect(request.signature).toMatch(/^[0-9a-f]{64}$/);
    expect([python(request), node(request)]).toEqual([true, true]);
  });

  it('accepts a custom mapping output (non-ASCII bytes) signed over exactly those bytes', async () => {
    const body = JSON.stringify({ contact: { name: 'Zoë “Ω” Müller', note: 'ü\n"x"' }, n: 1.5 });
    const request = await send('', body);
    expect(request.body.toString('utf8')).toBe(body);
    expect([python(request), node(request)]).toEqual([true, true]);
  });

  it('rejects the default sha256= header in both examples (why the option exists), and a tampered body', async () => {
    const prefixed = await send(undefined);
    expect(prefixed.signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect([python(prefixed), node(prefixed)]).toEqual([false, false]);
    const bare = await send('');
    const tampered = { ...bare, body: Buffer.concat([bare.body, Buffer.from(' ')]) };
    expect([python(tampered), node(tampered)]).toEqual([false, false]);
  });
});
