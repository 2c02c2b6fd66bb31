// @ts-check
// `npm run bench:inbound`: what a lead through an inbound source costs next to a form's lead, on the real stack
// (leads-api built and started as its own process, its outbox relay running, real Postgres + Kafka), back to back in
// one run: form intake, a `custom` source (flat JSON through a mapping), and a signed Typeform source (the
// documented payload, its preset mapping and signature check). Each submission is a new lead.
//   npm run bench:inbound -- --connections 16 --duration 10
import crypto from 'node:crypto';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import {
  ADMIN_KEY,
  createSite,
  fmt,
  machineLine,
  prepareBenchEnvironment,
  printTable,
  startApp,
} from './bench-stack.mjs';

const { values: args } = parseArgs({
  options: {
    connections: { type: 'string', default: '16' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
  },
});
const connections = Number(args.connections);
const durationS = Number(args.duration);
const warmupS = Number(args.warmup);

const lead = {
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  message: 'Call me back',
  utm_campaign: 'winter',
};
/** Typeform's documented example, trimmed to a contact form (fixture: libs/testing/src/inbound-fixtures). */
const typeform = {
  event_id: 'LtWXD3crgy',
  event_type: 'form_response',
  form_response: {
    form_id: 'lT4Z3j',
    token: 'x',
    submitted_at: '2018-01-18T18:17:02Z',
    landed_at: '2018-01-18T18:07:02Z',
    hidden: { utm_campaign: 'winter' },
    definition: {
      id: 'lT4Z3j',
      title: 'Contact',
      fields: [
        { id: 'JwWggjAKtOkA', title: 'What is your first name?', type: 'short_text', ref: 'first_name' },
        { id: 'SMEUb7VJz92Q', title: 'Your email', type: 'email', ref: 'email' },
        { id: 'DlXFaesGBpoF', title: 'How can we help?', type: 'long_text', ref: 'message' },
      ],
    },
    answers: [
      { type: 'text', text: 'Ada', field: { id: 'JwWggjAKtOkA', type: 'short_text' } },
      { type: 'email', email: 'ada@example.com', field: { id: 'SMEUb7VJz92Q', type: 'email' } },
      { type: 'text', text: 'Call me back', field: { id: 'DlXFaesGBpoF', type: 'long_text' } },
    ],
  },
};

/** @param {string} url @param {number} seconds @param {(i: number) => { body: string, headers: Record<string, string> }} request */
function load(url, seconds, request) {
  let i = 0;
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        method: 'POST',
        connections,
        duration: seconds,
        requests: [
          {
            setupRequest: (req) => {
              const next = request(i++);
              return {
                ...req,
                body: next.body,
                headers: { 'content-type': 'application/json', ...next.headers },
              };
            },
          },
        ],
      },
      (/** @type {Error | null} */ error, /** @type {any} */ result) =>
        error ? reject(error) : resolve(result),
    );
  });
}

const prepared = await prepareBenchEnvironment('leadhooks_bench_inbound');
// Per-source rate off: the point is the cost of a lead, not the limit (the mapping gate stays at its defaults).
const env = { ...prepared.env, INBOUND_RATE_LIMIT_PER_SOURCE_PER_SECOND: '0' };
const api = await startApp('leads-api', env);
const site = await createSite(api.url, 'bench-inbound.test', null);
/** @param {Record<string, unknown>} body */
async function source(body) {
  const response = await fetch(`${api.url}/v1/admin/sites/${site.id}/sources`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== 201) throw new Error(`source: ${response.status} ${await response.text()}`);
  return /** @type {{ token: string }} */ (await response.json());
}
const custom = await source({ name: 'bench custom', preset: 'custom' });
const signed = await source({ name: 'bench typeform', preset: 'typeform', secret: 'bench-secret-1' });

const run = crypto.randomBytes(4).toString('hex');
const cases = [
  [
    'form intake',
    `${api.url}/v1/sites/bench-inbound.test/leads`,
    () => ({ body: JSON.stringify(lead), headers: {} }),
  ],
  [
    'inbound custom',
    `${api.url}/v1/inbound/${custom.token}`,
    (/** @type {number} */ i) => ({
      body: JSON.stringify({ ...lead, idempotency_key: `${run}-${i}` }),
      headers: {},
    }),
  ],
  [
    'inbound typeform (signed)',
    `${api.url}/v1/inbound/${signed.token}`,
    (/** @type {number} */ i) => {
      const body = JSON.stringify({
        ...typeform,
        form_response: { ...typeform.form_response, token: `${run}-${i}` },
      });
      const signature = crypto.createHmac('sha256', 'bench-secret-1').update(body).digest('base64');
      return { body, headers: { 'typeform-signature': `sha256=${signature}` } };
    },
  ],
];
const rows = [];
for (const [
  name,
  url,
  request,
] of /** @type {Array<[string, string, (i: number) => { body: string, headers: Record<string, string> }]>} */ (
  cases
)) {
  await load(url, warmupS, request);
  const result = /** @type {any} */ (await load(url, durationS, request));
  const non2xx = result.non2xx + result.errors;
  rows.push([
    name,
    fmt(result.requests.average, 0),
    fmt(result.latency.p50, 1),
    fmt(result.latency.p99, 1),
    String(non2xx),
  ]);
}
console.log(machineLine());
printTable(['case', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx'], rows);
await api.stop();
process.exit(0);
