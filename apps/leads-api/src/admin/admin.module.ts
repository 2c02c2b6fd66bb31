import { Module } from '@nestjs/common';
import { DbModule } from '@leadhooks/db';
import { WebhookDelivery, WebhookSender } from '@leadhooks/webhooks';
import { LEADS_API_CONFIG } from '../config/config.module.js';
import type { LeadsApiConfig } from '../config/leads-api.config.js';
import { SitesModule } from '../sites/sites.module.js';
import { AuthModule } from '../auth/auth.module.js';
import { InboundModule } from '../inbound/inbound.module.js';
import { RetentionModule } from '../retention/retention.module.js';
import { AdminDeliveriesController } from './deliveries/admin-deliveries.controller.js';
import { AdminEndpointsController } from './endpoints/admin-endpoints.controller.js';
import { AdminEndpointsService } from './endpoints/admin-endpoints.service.js';
import { EndpointTester } from './endpoints/endpoint-tester.service.js';
import { AdminMappingsController } from './mappings/admin-mappings.controller.js';
import { MappingPreviewService } from './mappings/mapping-preview.service.js';
import { OutboundMappingService } from './mappings/outbound-mapping.service.js';
import { AdminOverviewController } from './overview/admin-overview.controller.js';
import { AdminReplaysController } from './replays/admin-replays.controller.js';
import { AdminReplaysService } from './replays/admin-replays.service.js';
import { AdminSiteKeysController } from './site-keys/admin-site-keys.controller.js';
import { AdminSitesController } from './sites/admin-sites.controller.js';
import { AdminSitesService } from './sites/admin-sites.service.js';
import { AdminSourcesController } from './sources/admin-sources.controller.js';
import { AdminSourcesService } from './sources/admin-sources.service.js';

@Module({
  imports: [DbModule, SitesModule, AuthModule, InboundModule, RetentionModule],
  controllers: [
    AdminSitesController,
    AdminEndpointsController,
    AdminSiteKeysController,
    AdminDeliveriesController,
    AdminReplaysController,
    AdminOverviewController,
    AdminSourcesController,
    AdminMappingsController,
  ],
  providers: [
    AdminSitesService,
    AdminEndpointsService,
    AdminReplaysService,
    AdminSourcesService,
    EndpointTester,
    OutboundMappingService,
    MappingPreviewService,
    {
      provide: WebhookDelivery,
      inject: [LEADS_API_CONFIG],
      useFactory: (config: LeadsApiConfig) =>
        new WebhookDelivery(
          new WebhookSender({
            timeoutMs: config.webhookTimeoutMs,
            maxResponseBytes: 4096,
            allowInsecure: config.allowInsecureWebhookUrls,
            allowedTargets: config.webhookAllowedTargets,
          }),
        ),
    },
  ],
})
export class AdminModule {}
