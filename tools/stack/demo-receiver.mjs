// @ts-check
// A local webhook receiver for the demo stack: prints each delivery and whether its Standard Webhooks
// signature verifies with the demo site's secret (read from .cache/stack/demo-site.json).
import http from 'node:http';
import fs from 'node:fs';
import { Webhook } from 'standardwebhooks';

const port = Number(process.env.DEMO_RECEIVER_PORT ?? 4000);
const siteFile = process.argv[2];

function secret() {
  try {
    return JSON.parse(fs.readFileSync(siteFile, 'utf8')).secret;
  } catch {
    return undefined;
  }
}

http
  .createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let verdict = 'signature not checked (no demo secret)';
      const key = secret();
      if (key) {
        try {
          new Webhook(key).verify(body, /** @type {Record<string, string>} */ (req.headers));
          verdict = 'signature verified';
        } catch (error) {
          verdict = `SIGNATURE INVALID (${error instanceof Error ? error.message : error})`;
        }
      }
      let lead = body;
      try {
        lead = JSON.stringify(JSON.parse(body), null, 2);
      } catch {}
      console.log(`Delivery ${req.headers['webhook-id']} (${verdict}):\n${lead}`);
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
  })
  .listen(port, '127.0.0.1', () =>
    console.log(`demo receiver listening on http://127.0.0.1:${port}/hooks/demo`),
  );
