import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { TopicNames } from '@leadhooks/contracts';
import { createKafka, EventPublisher } from '@leadhooks/messaging';
import { LEADS_API_CONFIG } from '../config/config.module.js';
import type { LeadsApiConfig } from '../config/leads-api.config.js';

export const KAFKA = Symbol('KAFKA');
const kafkaLog = new Logger('Kafka');

@Global()
@Module({
  providers: [
    {
      provide: KAFKA,
      inject: [LEADS_API_CONFIG],
      useFactory: (config: LeadsApiConfig) =>
        createKafka({ brokers: config.kafkaBrokers, clientId: 'leads-api' }, (level, message, extra) => {
          const line = `${message} ${JSON.stringify(extra)}`;
          if (level === 'error') kafkaLog.error(line);
          else if (level === 'warn') kafkaLog.warn(line);
          else kafkaLog.debug(line);
        }),
    },
    { provide: TopicNames, inject: [LEADS_API_CONFIG], useFactory: (config: LeadsApiConfig) => new TopicNames(config.kafkaTopicPrefix) },
    { provide: EventPublisher, inject: [KAFKA], useFactory: (kafka: Kafka) => new EventPublisher(kafka) },
  ],
  exports: [KAFKA, TopicNames, EventPublisher],
})
export class MessagingModule implements OnApplicationShutdown {
  constructor(@Inject(EventPublisher) private readonly publisher: EventPublisher) {}

  async onApplicationShutdown(): Promise<void> {
    await this.publisher.disconnect();
  }
}
