import type { FastifyRequest } from 'fastify';

const INTAKE_PATH = /^\/v1\/sites\/([^/?]+)\/leads(?:[/?]|$)/;

type CorsCallback = (
  error: Error | null,
  options: { origin: boolean | string; methods?: string[]; allowedHeaders?: string[]; maxAge?: number },
) => void;

/**
 * CORS: the public intake for the site's own origin (its host or a subdomain: a form on acme.test may post to
 * /v1/sites/acme.test/leads from the browser), and the API for the origins of a console deployed on its own
 * (CONSOLE_ORIGINS: the key travels in the Authorization header, never a cookie). Nothing else is exposed
 * cross-origin.
 */
export function apiCors(consoleOrigins: string[]) {
  const consoles = new Set(consoleOrigins);
  return (request: FastifyRequest, callback: CorsCallback): void => {
    const origin = request.headers.origin;
    if (origin && consoles.has(origin) && request.url.startsWith('/v1/'))
      return callback(null, {
        origin,
        methods: ['GET', 'POST', 'PATCH', 'DELETE'],
        allowedHeaders: ['authorization', 'content-type', 'idempotency-key'],
        maxAge: 600,
      });
    siteOriginCors(request, callback);
  };
}

export function siteOriginCors(request: FastifyRequest, callback: CorsCallback): void {
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
