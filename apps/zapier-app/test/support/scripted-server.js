'use strict';

const http = require('node:http');

/**
 * A loopback HTTP server that answers each request as the test scripts it (status, headers, body), recording what
 * it received: how the app reads answers that the real leads-api (exercised in e2e/) gives rarely or never (an HTML
 * page, a 503, a redirect, a 429 with Retry-After).
 */
async function startScriptedServer() {
  const requests = [];
  let answer = () => ({ status: 200, body: {} });
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const request = { method: req.method, url: req.url, headers: req.headers, body };
      requests.push(request);
      const reply = answer(request);
      const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? {});
      res.writeHead(reply.status, {
        'content-type': typeof reply.body === 'string' ? 'text/html' : 'application/json',
        ...reply.headers,
      });
      res.end(text);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    requests,
    answer: (fn) => (answer = fn),
    stop: () => new Promise((resolve) => server.close(resolve)),
  };
}

module.exports = { startScriptedServer };
