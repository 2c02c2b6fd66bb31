import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { LEAD_CREATED_TOPIC, LEAD_DELETED_TOPIC, LEAD_UPDATED_TOPIC, retryTopic } from '@leadhooks/contracts';
import type { ConsumedMessage, HandlerOutcome } from '@leadhooks/messaging';
import { DeliveryService } from './delivery.service.js';

/** Every consumed topic carries a ConsumedMessage (see DueTimeKafkaServer). */
type DeliveryTopics = Record<string, ConsumedMessage>;

/**
 * lead.created, lead.updated and lead.deleted, each with its retry tiers: all run the same delivery; the event family comes
 * from the topic, the tier and the delivery from the message headers.
 */
@Controller()
export class DeliveryConsumer {
  constructor(@Inject(DeliveryService) private readonly delivery: DeliveryService) {}

  @EventPattern<DeliveryTopics>(LEAD_CREATED_TOPIC)
  onLeadCreated(@Payload() message: ConsumedMessage): Promise<HandlerOutcome> {
    return this.delivery.handle(message);
  }

  @EventPattern<DeliveryTopics>(retryTopic('1m'))
  onLeadCreatedRetry1m(@Payload() message: ConsumedMessage): Promise<HandlerOutcome> {
    return this.delivery.handle(message);
  }

  @EventPattern<DeliveryTopics>(retryTopic('2m'))
  onLeadCreatedRetry2m(@Payload() message: ConsumedMessage): Promise<HandlerOutcome> {
    return this.delivery.handle(message);
  }

  @EventPattern<DeliveryTopics>(retryTopic('4m'))
  onLeadCreatedRetry4m(@Payload() message: ConsumedMessage): Promise<HandlerOutcome> {
    return this.delivery.handle(message);
  }

  @EventPattern<DeliveryTopics>(retryTopic('8m'))
  onLeadCreatedRetry8m(@Payload() message: ConsumedMessage): Promise<HandlerOutcome> {
    return this.delivery.handle(message);
  }

  @EventPattern<DeliveryTopics>(retryTopic('16m'))
  onLeadCreatedRetry16m(@Payload() message: ConsumedMessage): Promise<HandlerOutcome> {
    return this.delivery.handle(message);
  }

  @EventPattern<DeliveryTopics>(LEAD_UPDATED_TOPIC)
  onLeadUpdated(@Payload() message: ConsumedMessage): Promise<HandlerOutcome> {
    return this.delivery.handle(message);
  }

  @EventPattern<DeliveryTopics>(retryTopic('1m', 'lead.updated'))
  onLeadUpdatedRetry1m(@Payload() message: ConsumedMessage): Promise<HandlerOutcome> {
    return this.delivery.handle(message);
  }

  @EventPattern<DeliveryTopics>(retryTopic('2m', 'lead.updated'))
  onLeadUpdatedRetry2m(@Payload() message: ConsumedMessage): Promise<HandlerOutcome> {
    return this.delivery.handle(message);
  }

  @EventPattern<DeliveryTopics>(retryTopic('4m', 'lead.updated'))
  onLeadUpdatedRetry4m(@Payload() message: ConsumedMessage): Promise<HandlerOutcome> {
    return this.delivery.handle(message);
  }

  @EventPattern<DeliveryTopics>(retryTopic('8m', 'lead.updated'))
  onLeadUpdatedRetry8m(@Payload() message: ConsumedMessage): Promise<HandlerOutcome> {
    return this.delivery.handle(message);
  }

  @EventPattern<DeliveryTopics>(retryTopic('16m', 'lead.updated'))
  onLeadUpdatedRetry16m(@Payload() message: ConsumedMessage): Promise<HandlerOutcome> {
    return this.delivery.handle(message);
  }
  @EventPattern<DeliveryTopics>(LEAD_DELETED_TOPIC)
  onLeadDeleted(@Payload() message: ConsumedMessage): Promise<HandlerOutcome> {
    return this.delivery.handle(message);
  }

  @EventPattern<DeliveryTopics>(retryTopic('1m', 'lead.deleted'))
  onLeadDeletedRetry1m(@Payload() message: ConsumedMessage): Promise<HandlerOutcome> {
    return this.delivery.handle(message);
  }

  @EventPattern<DeliveryTopics>(retryTopic('2m', 'lead.deleted'))
  onLeadDeletedRetry2m(@Payload() message: ConsumedMessage): Promise<HandlerOutcome> {
    return this.delivery.handle(message);
  }

  @EventPattern<DeliveryTopics>(retryTopic('4m', 'lead.deleted'))
  onLeadDeletedRetry4m(@Payload() message: ConsumedMessage): Promise<HandlerOutcome> {
    return this.delivery.handle(message);
  }

  @EventPattern<DeliveryTopics>(retryTopic('8m', 'lead.deleted'))
  onLeadDeletedRetry8m(@Payload() message: ConsumedMessage): Promise<HandlerOutcome> {
    return this.delivery.handle(message);
  }

  @EventPattern<DeliveryTopics>(retryTopic('16m', 'lead.deleted'))
  onLeadDeletedRetry16m(@Payload() message: ConsumedMessage): Promise<HandlerOutcome> {
    return this.delivery.handle(message);
  }
}
