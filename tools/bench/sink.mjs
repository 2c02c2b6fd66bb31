// @ts-check
// A healthy webhook receiver for the dispatch benchmark, run as its own process so it does not share an event
// loop with the load generator. Answers 200 at once and keeps, per lead, when its first delivery arrived and
// how old the lead was then (arrival − submitted_at). GET /stats returns them; GET /arrivals?since=<epoch ms> the
// first deliveries since then with their arrival times (the sustained bench's steps); DELETE /stats clears them.
import http from 'node:http';

const port = Number(process.env.SINK_PORT ?? 0);
/** @type {Map<string, number>} lead id → age at arrival (ms) */
let ages = new Map();
/** First deliveries in arrival order: [arrived at (epoch ms), age (ms)]. @type {Array<[number, number]>} */
let arrivals = [];
let requests = 0;
let duplicates = 0;
let firstAt = 0;
let lastAt = 0;

const server = http.createServer((request, response) => {
  if (request.method === 'GET' && request.url === '/stats') {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ requests, duplicates, firstAt, lastAt, ages: [...ages.values()] }));
    return;
  }
  if (request.method === 'GET' && request.url?.startsWith('/arrivals')) {
    const since = Number(new URL(request.url, 'http://sink').searchParams.get('since') ?? 0);
    let from = arrivals.length;
    while (from > 0 && arrivals[from - 1][0] >= since) from--;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ delivered: ages.size, duplicates, arrivals: arrivals.slice(from) }));
    return;
  }
  if (request.method === 'DELETE' && request.url === '/stats') {
    ages = new Map();
    arrivals = [];
    requests = duplicates = firstAt = lastAt = 0;
    response.writeHead(204).end();
    return;
  }
  const chunks = /** @type {Buffer[]} */ ([]);
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const arrivedAt = Date.now();
    requests++;
    firstAt ||= arrivedAt;
    lastAt = arrivedAt;
    try {
      const payload = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      if (typeof payload.lead_id === 'string' && typeof payload.submitted_at === 'string') {
        if (ages.has(payload.lead_id)) duplicates++;
        else {
          const age = arrivedAt - Date.parse(payload.submitted_at);
          ages.set(payload.lead_id, age);
          arrivals.push([arrivedAt, age]);
        }
      }
    } catch {}
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{"status":"success"}');
  });
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1', () => {
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  process.stdout.write(`${address.port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
