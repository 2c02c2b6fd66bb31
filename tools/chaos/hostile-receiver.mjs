// @ts-check
// The hostile-tenant chaos run's receivers, as their own process (`npm run chaos -- --scenario hostile`):
//   /healthy/<site>   answers 200 at once (the healthy tenants);
//   /binary/<site>    answers what Postgres cannot store and snippet limits cut badly: NUL bytes, random binary,
//                     gzip nobody asked for, UTF-16, emoji cut at 200 / 500 / 2,000 characters, with 2xx and 5xx;
//   /never/<site>/<n> never answers (the connection stays open until the sender gives up).
// Every request is recorded (route, site, lead, event, delivery id, attempt, when, what it answered).
//   node tools/chaos/hostile-receiver.mjs   → prints its port; GET /__requests
import crypto from 'node:crypto';
import http from 'node:http';
import zlib from 'node:zlib';

/** @type {Array<{ route: string, site: string, leadId: string, event: string, deliveryId: string, attempt: number, receivedAt: number, status: number }>} */
const requests = [];
let binaryCount = 0;

/** An emoji run placed so a cut at `at` characters falls inside a surrogate pair. */
const cutEmoji = (/** @type {number} */ at) => 'x'.repeat(at - 1) + '😀'.repeat(400);

/** What the binary receiver answers, in turn: [status, headers, body]. */
const HOSTILE_ANSWERS = /** @type {Array<() => [number, Record<string, string>, Buffer | string]>} */ ([
  () => [200, { 'content-type': 'text/plain' }, 'ok\u0000\u0000\u0000done'],
  () => [500, { 'content-type': 'application/octet-stream' }, crypto.randomBytes(600)],
  () => [
    502,
    { 'content-type': 'text/plain', 'content-encoding': 'gzip' },
    zlib.gzipSync('bad gateway '.repeat(50)),
  ],
  () => [500, { 'content-type': 'text/plain' }, cutEmoji(200)],
  () => [
    503,
    { 'content-type': 'text/plain; charset=utf-16le' },
    Buffer.from('\ufeffservice down', 'utf16le'),
  ],
  () => [500, { 'content-type': 'text/plain' }, cutEmoji(500)],
  () => [200, { 'content-type': 'text/plain' }, cutEmoji(2000)],
  () => [500, { 'content-type': 'text/plain' }, `nul\u0000${cutEmoji(2000)}`],
]);

/** @param {http.IncomingMessage} req @returns {Promise<string>} */
function bodyOf(req) {
  return new Promise((resolve) => {
    const chunks = /** @type {Buffer[]} */ ([]);
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

const server = http.createServer(async (req, res) => {
  const body = await bodyOf(req);
  const url = req.url ?? '';
  if (url === '/__requests')
    return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(requests));
  const [, route = '', site = ''] = url.split('/');
  let payload = /** @type {Record<string, unknown>} */ ({});
  try {
    payload = JSON.parse(body);
  } catch {}
  const record = {
    route,
    site,
    leadId: String(payload.lead_id ?? ''),
    event: String(payload.event ?? ''),
    deliveryId: String(req.headers['x-webhook-delivery-id'] ?? ''),
    attempt: Number(payload.attempt ?? 0),
    receivedAt: Date.now(),
    status: 0,
  };
  requests.push(record);
  if (route === 'never') return; // never answered: the sender's timeout ends it
  if (route === 'binary') {
    const [status, headers, answer] = HOSTILE_ANSWERS[binaryCount++ % HOSTILE_ANSWERS.length]();
    record.status = status;
    return res.writeHead(status, headers).end(answer);
  }
  record.status = 200;
  res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
});
server.keepAliveTimeout = 60_000;
server.requestTimeout = 0;
server.headersTimeout = 60_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  process.stdout.write(`${address.port}\n`);
});
