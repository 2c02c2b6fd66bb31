import type { FastifyRequest } from 'fastify';

const INTAKE_PATH = /^\/v1\/sites\/([^/?]+)\/leads(?:[/?]|$)/;

/**
 * CORS for the public intake only, and only for the site's own origin (its host or a subdomain): a form on
 * acme.test may post to /v1/sites/acme.test/leads from the browser; nothing else is exposed cross-origin.
 */
export function siteOriginCors(
  request: FastifyRequest,
  callback: (
    error: Error | null,
    options: { origin: boolean | string; methods?: string[]; allowedHeaders?: string[]; maxAge?: number },
  ) => void,
): void {
  const origin = request.headers.origin;
  const match = INTAKE_PATH.exec(request.url);
  if (!origin || !match) return callback(null, { origin: false });
  let host: string;
  try {
    host = new URL(origin).hostname.toLowerCase();
  } catch {
    return callback(null, { origin: false });
  }
  const site = decodeURIComponent(match[1]).toLowerCase();
  const allowed = host === site || host.endsWith(`.${site}`);
  callback(
    null,
    allowed
      ? { origin, methods: ['POST'], allowedHeaders: ['content-type', 'idempotency-key'], maxAge: 600 }
      : { origin: false },
  );
}
