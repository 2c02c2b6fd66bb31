import { Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import type { Kafka } from 'kafkajs';
import { TopicNames } from '@leadhooks/contracts';
import { EventPublisher } from './event-publisher.js';
import { createKafka } from './kafka-client.js';
import { describeKafkaConnection } from './kafka-connection.js';
import { KafkaHealthIndicator } from './kafka.health.js';
import { KAFKA, KAFKA_SETTINGS, type KafkaModuleSettings } from './kafka.tokens.js';

const kafkaLog = new Logger('Kafka');

/** The Kafka client, topic names, the idempotent publisher and the Kafka health indicator of one process. */
@Module({
  imports: [TerminusModule],
  providers: [
    {
      provide: KAFKA,
      inject: [KAFKA_SETTINGS],
      useFactory: (settings: KafkaModuleSettings) => {
        kafkaLog.log(`Kafka at ${describeKafkaConnection(settings)}`);
        return createKafka(settings, (level, message, extra) => {
          const line = `${message} ${JSON.stringify(extra)}`;
          if (level === 'error') kafkaLog.error(line);
          else if (level === 'warn') kafkaLog.warn(line);
          else kafkaLog.debug(line);
        });
      },
    },
    {
      provide: TopicNames,
      inject: [KAFKA_SETTINGS],
      useFactory: (settings: KafkaModuleSettings) => new TopicNames(settings.topicPrefix),
    },
    {
      provide: EventPublisher,
      inject: [KAFKA, KAFKA_SETTINGS],
      useFactory: (kafka: Kafka, settings: KafkaModuleSettings) =>
        new EventPublisher(kafka, undefined, settings.maxSendBytes),
    },
    KafkaHealthIndicator,
  ],
  exports: [KAFKA, TopicNames, EventPublisher, KafkaHealthIndicator],
})
export class KafkaModule implements OnApplicationShutdown {
  constructor(@Inject(EventPublisher) private readonly publisher: EventPublisher) {}

  async onApplicationShutdown(): Promise<void> {
    await this.publisher.disconnect();
  }
}
