import 'reflect-metadata';
import { Logger, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import multipart from '@fastify/multipart';
import { Logger as PinoLogger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import type { LeadsApiConfig } from './config/leads-api.config.js';
import { serveConsole } from './http/console-static.js';
import { captureInboundBodies } from './inbound/inbound-body-capture.js';
import { apiCors } from './http/site-origin-cors.js';
import { refuseUnstorableParameters } from './http/storable-request.js';
import { validationException } from './http/validation-errors.js';
import { IntakeMetrics } from './metrics/intake-metrics.js';

/** Builds the HTTP app (used by main.ts and by the tests, which pass their own config). */
export async function createLeadsApi(config: LeadsApiConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({ bodyLimit: config.bodyLimitBytes, trustProxy: config.trustProxy });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    bufferLogs: true,
  });
  app.useLogger(app.get(PinoLogger));
  // Forms post urlencoded (Nest registers @fastify/formbody), JSON, or multipart when they carry a file input;
  // a file's content is never stored, only its fields. Anything else, text/plain included, is a 415.
  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeContentTypeParser('text/plain');
  // Inbound sources read their own bodies (any type, exact bytes for signatures, every outcome logged).
  captureInboundBodies(fastify, { pathPrefix: '/v1/inbound/', limitBytes: config.inbound.bodyLimitBytes });
  refuseUnstorableParameters(fastify);
  // A 400 raised before any route runs (an empty or unparseable body) is answered by Nest's own layer; like every
  // other 400 it names what was wrong: the body.
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (reply.statusCode !== 400 || typeof payload !== 'string' || payload.includes('"errors"'))
      return done(null, payload);
    try {
      const body = JSON.parse(payload) as { message?: unknown };
      done(
        null,
        JSON.stringify({
          ...body,
          errors: [
            { field: 'body', message: typeof body.message === 'string' ? body.message : 'invalid body' },
          ],
        }),
      );
    } catch {
      done(null, payload);
    }
  });
  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    limits: {
      fields: 200,
      fieldSize: config.bodyLimitBytes,
      files: 20,
      fileSize: config.bodyLimitBytes,
      parts: 250,
    },
    onFile: async (part) => {
      part.file.resume();
      await new Promise((resolve) => part.file.on('end', resolve));
    },
  });
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: validationException,
    }),
  );
  app.enableCors(apiCors(config.console.origins) as never);
  if (config.console.dir) await serveConsole(app, config.console.dir);

  const metrics = app.get(IntakeMetrics);
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.requestDuration.observe({ route }, reply.elapsedTime / 1000);
    done();
  });

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('leadhooks leads-api')
      .setDescription('Form intake (public) and administration (bearer API key) for leadhooks')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
  app.enableShutdownHooks();
  return app;
}

export async function startLeadsApi(config: LeadsApiConfig): Promise<NestFastifyApplication> {
  const app = await createLeadsApi(config);
  await app.listen(config.port, config.host);
  new Logger('leads-api').log(`Listening on http://${config.host}:${config.port} (OpenAPI at /docs)`);
  return app;
}
