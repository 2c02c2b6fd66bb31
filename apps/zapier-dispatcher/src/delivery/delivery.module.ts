import { Module } from '@nestjs/common';
import { WebhookSender } from '@leadhooks/webhooks';
import { DISPATCHER_CONFIG } from '../config/config.module.js';
import type { DispatcherConfig } from '../config/dispatcher.config.js';
import { DeliveryConsumer } from './delivery.consumer.js';
import { DeliveryService } from './delivery.service.js';
import { StrandedLeadSweeper } from '../sweep/stranded-lead.sweeper.js';

@Module({
  controllers: [DeliveryConsumer],
  providers: [
    DeliveryService,
    StrandedLeadSweeper,
    {
      provide: WebhookSender,
      inject: [DISPATCHER_CONFIG],
      useFactory: (config: DispatcherConfig) =>
        new WebhookSender({
          timeoutMs: config.webhookTimeoutMs,
          maxResponseBytes: config.webhookMaxResponseBytes,
          allowInsecure: config.allowInsecureWebhookUrls,
          userAgent: config.userAgent,
        }),
    },
  ],
})
export class DeliveryModule {}
