import { type DynamicModule, Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { TopicNames } from '@leadhooks/contracts';
import { EventPublisher } from '@leadhooks/messaging';

export const KAFKA = Symbol('KAFKA');

/** The Kafka client is built in bootstrap (the consumer transport needs it before DI) and shared here. */
@Global()
@Module({})
export class MessagingModule implements OnApplicationShutdown {
  static forRoot(kafka: Kafka, topics: TopicNames): DynamicModule {
    return {
      module: MessagingModule,
      providers: [
        { provide: KAFKA, useValue: kafka },
        { provide: TopicNames, useValue: topics },
        { provide: EventPublisher, useFactory: () => new EventPublisher(kafka) },
      ],
      exports: [KAFKA, TopicNames, EventPublisher],
    };
  }

  constructor(@Inject(EventPublisher) private readonly publisher: EventPublisher) {}

  async onApplicationShutdown(): Promise<void> {
    await this.publisher.disconnect();
  }
}
