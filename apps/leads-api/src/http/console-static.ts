import fastifyStatic from '@fastify/static';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';

/**
 * Serves the admin console's static bundle at /console/ (the console also deploys on its own). Strict headers: the
 * page loads only its own files, may call only this API (or any API when deployed elsewhere: connect-src), is
 * never framed, and sends no referrer.
 */
export async function serveConsole(app: NestFastifyApplication, dir: string): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  await app.register(fastifyStatic, {
    root: dir,
    prefix: '/console/',
    index: 'index.html',
    decorateReply: false,
    cacheControl: false,
    setHeaders: (reply: FastifyReply) => {
      reply.header(
        'content-security-policy',
        "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
      );
      reply.header('x-content-type-options', 'nosniff');
      reply.header('referrer-policy', 'no-referrer');
      reply.header('cache-control', 'no-cache');
    },
  });
  fastify.get('/console', (_request, reply) => void reply.redirect('/console/', 302));
  new Logger('leads-api').log(`Admin console at /console/ (from ${dir})`);
}
