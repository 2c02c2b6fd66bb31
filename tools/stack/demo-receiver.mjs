// @ts-check
// A local webhook receiver for the demo stack: prints each delivery (path, event, delivery id) and what proves it
// came from leadhooks: a Standard Webhooks signature is verified with the demo site's secret (read from
// .cache/stack/demo-site.json); a secret header or a hex HMAC (endpoints of other auth modes) is shown as present,
// since only the admin who created that endpoint holds its secret.
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
      if (req.headers['x-webhook-secret']) verdict = 'X-Webhook-Secret header present';
      else if (req.headers['x-webhook-signature'])
        verdict = `X-Webhook-Signature ${req.headers['x-webhook-signature']}`;
      else if (req.url !== '/hooks/demo')
        verdict = "Standard Webhooks signature present (only the demo site's secret is known here)";
      else if (key) {
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
      console.log(
        `${req.headers['x-webhook-event']} to ${req.url}, delivery ${req.headers['x-webhook-delivery-id']} (${verdict}):\n${lead}`,
      );
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
  })
  .listen(port, '127.0.0.1', () =>
    console.log(`demo receiver listening on http://127.0.0.1:${port}/hooks/demo`),
  );
