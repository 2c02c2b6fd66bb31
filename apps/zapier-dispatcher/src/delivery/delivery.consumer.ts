import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { LEAD_CREATED_TOPIC, retryTopic } from '@leadhooks/contracts';
import type { ConsumedMessage, HandlerOutcome } from '@leadhooks/messaging';
import { DeliveryService } from './delivery.service.js';

/** Every consumed topic carries a ConsumedMessage (see DueTimeKafkaServer). */
type DeliveryTopics = Record<string, ConsumedMessage>;

/** lead.created and its retry tiers all run the same delivery; the tier is read from the message. */
@Controller()
export class DeliveryConsumer {
  constructor(@Inject(DeliveryService) private readonly delivery: DeliveryService) {}

  @EventPattern<DeliveryTopics>(LEAD_CREATED_TOPIC)
  onLeadCreated(@Payload() message: ConsumedMessage): Promise<HandlerOutcome> {
    return this.delivery.handle(message);
  }

  @EventPattern<DeliveryTopics>(retryTopic('1m'))
  onRetry1m(@Payload() message: ConsumedMessage): Promise<HandlerOutcome> {
    return this.delivery.handle(message);
  }

  @EventPattern<DeliveryTopics>(retryTopic('2m'))
  onRetry2m(@Payload() message: ConsumedMessage): Promise<HandlerOutcome> {
    return this.delivery.handle(message);
  }

  @EventPattern<DeliveryTopics>(retryTopic('4m'))
  onRetry4m(@Payload() message: ConsumedMessage): Promise<HandlerOutcome> {
    return this.delivery.handle(message);
  }

  @EventPattern<DeliveryTopics>(retryTopic('8m'))
  onRetry8m(@Payload() message: ConsumedMessage): Promise<HandlerOutcome> {
    return this.delivery.handle(message);
  }

  @EventPattern<DeliveryTopics>(retryTopic('16m'))
  onRetry16m(@Payload() message: ConsumedMessage): Promise<HandlerOutcome> {
    return this.delivery.handle(message);
  }
}
