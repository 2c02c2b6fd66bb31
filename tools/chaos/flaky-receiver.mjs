// @ts-check
// The chaos run's webhook receiver, as its own process: answers ~20% of deliveries with 500, some slowly with a 2xx,
// everything with 503 during an outage window the runner switches on and off, and records every request (lead,
// attempt, when, what it answered, whether the Standard Webhooks signature verified).
//   node tools/chaos/flaky-receiver.mjs   → prints its port; POST /__secrets, /__outage; GET /__requests
import http from 'node:http';
import { Webhook } from 'standardwebhooks';

const failureRatio = Number(process.env.CHAOS_FAILURE_RATIO ?? 0.2);
const slowRatio = Number(process.env.CHAOS_SLOW_RATIO ?? 0.05);
const slowMs = Number(process.env.CHAOS_SLOW_MS ?? 1500);

/** @type {Map<string, Webhook>} site hostname → verifier */
const verifiers = new Map();
/** @type {Array<{ site: string, leadId: string, eventId: string, attempt: number, receivedAt: number, answeredAt: number, status: number, signatureOk: boolean }>} */
const requests = [];
let outage = false;

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
  if (url === '/__secrets') {
    for (const [site, secret] of Object.entries(JSON.parse(body)))
      verifiers.set(site, new Webhook(String(secret)));
    return res.writeHead(204).end();
  }
  if (url === '/__outage') {
    outage = JSON.parse(body).on === true;
    return res.writeHead(204).end();
  }
  if (url === '/__requests')
    return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(requests));
  const receivedAt = Date.now();
  const site = url.split('/').pop() ?? '';
  let payload = /** @type {Record<string, unknown>} */ ({});
  try {
    payload = JSON.parse(body);
  } catch {}
  let signatureOk = false;
  try {
    verifiers.get(site)?.verify(body, /** @type {Record<string, string>} */ (req.headers));
    signatureOk = verifiers.has(site);
  } catch {}
  const roll = Math.random();
  const status = outage ? 503 : roll < failureRatio ? 500 : 200;
  const delay = !outage && status === 200 && roll > 1 - slowRatio ? slowMs : 0;
  const record = {
    site,
    leadId: String(payload.lead_id ?? ''),
    eventId: String(payload.event_id ?? ''),
    attempt: Number(payload.attempt ?? 0),
    receivedAt,
    answeredAt: 0,
    status,
    signatureOk,
  };
  requests.push(record);
  setTimeout(() => {
    record.answeredAt = Date.now();
    if (!res.destroyed)
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'flaky');
  }, delay);
});
server.keepAliveTimeout = 30_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  process.stdout.write(`${address.port}\n`);
});
