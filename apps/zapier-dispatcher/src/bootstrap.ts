import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Kafka } from 'kafkajs';
import { Logger as PinoLogger } from 'nestjs-pino';
import { TopicNames } from '@leadhooks/contracts';
import { DueTimeKafkaServer, KAFKA } from '@leadhooks/messaging';
import { AppModule } from './app.module.js';
import type { DispatcherConfig } from './config/dispatcher.config.js';
import { dispatcherLanes } from './consumer-lanes.js';
import { deliveryStartTime } from './delivery/delivery-schedule.js';
import { DeliveryService } from './delivery/delivery.service.js';

/** The dispatcher: a Nest microservice on our Kafka transport, plus a small HTTP server for health and metrics. */
export async function createDispatcher(config: DispatcherConfig): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config),
    new FastifyAdapter(),
    { bufferLogs: true },
  );
  app.useLogger(app.get(PinoLogger));
  const topics = app.get(TopicNames);
  app.connectMicroservice(
    {
      strategy: new DueTimeKafkaServer({
        kafka: app.get<Kafka>(KAFKA),
        physicalTopic: (logical) => topics.physical(logical),
        lanes: dispatcherLanes(config),
        dueAt: (message, topic) =>
          deliveryStartTime(message, topic, config.retryDelaysMs, config.retryJitterRatio),
        sessionTimeoutMs: config.kafkaSessionTimeoutMs,
        heartbeatIntervalMs: Math.min(3_000, Math.floor(config.kafkaSessionTimeoutMs / 3)),
        partitionsConsumedConcurrently: config.partitionsConsumedConcurrently,
        maxInFlightPerPartition: config.maxInFlightPerPartition,
        maxBufferedPerPartition: config.maxBufferedPerPartition,
        commitIntervalMs: config.commitIntervalMs,
        errorBackoffMs: 2_000,
        maxHandlerFailures: config.handlerMaxFailures,
        deadLetter: (consumed, reason) => app.get(DeliveryService).deadLetterPoison(consumed, reason),
        drainTimeoutMs: config.shutdownDrainMs,
      }),
    },
    { inheritAppConfig: true },
  );
  app.enableShutdownHooks();
  return app;
}

export async function startDispatcher(config: DispatcherConfig): Promise<NestFastifyApplication> {
  const app = await createDispatcher(config);
  await app.startAllMicroservices();
  await app.listen(config.port, config.host);
  new Logger('zapier-dispatcher').log(`Health and metrics on http://${config.host}:${config.port}`);
  return app;
}
