import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { CONSUMED_TOPICS, TopicNames } from '@leadhooks/contracts';
import { createKafka, DueTimeKafkaServer } from '@leadhooks/messaging';
import { createAppLogger } from '@leadhooks/observability';
import { AppModule } from './app.module.js';
import type { DispatcherConfig } from './config/dispatcher.config.js';
import { deliveryStartTime } from './delivery/delivery-schedule.js';

/** The dispatcher: a Nest microservice on our Kafka transport, plus a small HTTP server for health/metrics. */
export async function createDispatcher(config: DispatcherConfig): Promise<NestFastifyApplication> {
  const kafkaLog = new Logger('Kafka');
  const kafka = createKafka(
    { brokers: config.kafkaBrokers, clientId: 'zapier-dispatcher' },
    (level, message, extra) => {
      const line = `${message} ${JSON.stringify(extra)}`;
      if (level === 'error') kafkaLog.error(line);
      else if (level === 'warn') kafkaLog.warn(line);
      else kafkaLog.debug(line);
    },
  );
  const topics = new TopicNames(config.kafkaTopicPrefix);
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, kafka, topics),
    new FastifyAdapter(),
    {
      logger: createAppLogger(config.logLevel, config.logFormat, 'zapier-dispatcher'),
    },
  );
  app.connectMicroservice(
    {
      strategy: new DueTimeKafkaServer({
        kafka,
        groupId: config.kafkaGroupId,
        physicalTopic: (logical) => topics.physical(logical),
        requiredPatterns: CONSUMED_TOPICS,
        dueAt: (message, topic) =>
          deliveryStartTime(message, topic, config.retryDelaysMs, config.retryJitterRatio),
        sessionTimeoutMs: config.kafkaSessionTimeoutMs,
        heartbeatIntervalMs: Math.min(3_000, Math.floor(config.kafkaSessionTimeoutMs / 3)),
        maxWaitTimeInMs: 200,
        partitionsConsumedConcurrently: config.partitionsConsumedConcurrently,
        maxInFlightPerPartition: config.maxInFlightPerPartition,
        maxBufferedPerPartition: config.maxBufferedPerPartition,
        commitIntervalMs: config.commitIntervalMs,
        errorBackoffMs: 2_000,
        drainTimeoutMs: config.webhookTimeoutMs + 2_000,
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
