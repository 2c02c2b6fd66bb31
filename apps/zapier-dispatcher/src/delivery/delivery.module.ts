import { Module } from '@nestjs/common';
import { DbModule } from '@leadhooks/db';
import { KafkaModule } from '@leadhooks/messaging';
import { OutboxModule } from '@leadhooks/outbox';
import { WebhookDelivery, WebhookSender } from '@leadhooks/webhooks';
import { DISPATCHER_CONFIG } from '../config/config.module.js';
import type { DispatcherConfig } from '../config/dispatcher.config.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { DeadLetterRedrive } from '../dlt/dead-letter-redrive.service.js';
import { StrandedDeliverySweeper } from '../sweep/stranded-delivery.sweeper.js';
import { DeliveryConsumer } from './delivery.consumer.js';
import { DeliveryRunner } from './delivery-runner.service.js';
import { DeliveryService } from './delivery.service.js';
import { OutboundMapper } from './outbound-mapper.service.js';

@Module({
  imports: [DbModule, KafkaModule, OutboxModule, MetricsModule],
  controllers: [DeliveryConsumer],
  providers: [
    DeliveryService,
    DeliveryRunner,
    OutboundMapper,
    StrandedDeliverySweeper,
    DeadLetterRedrive,
    {
      provide: WebhookDelivery,
      inject: [DISPATCHER_CONFIG],
      useFactory: (config: DispatcherConfig) =>
        new WebhookDelivery(
          new WebhookSender({
            timeoutMs: config.webhookTimeoutMs,
            maxResponseBytes: config.webhookMaxResponseBytes,
            allowInsecure: config.allowInsecureWebhookUrls,
            allowedTargets: config.webhookAllowedTargets,
          }),
        ),
    },
  ],
})
export class DeliveryModule {}
