import { Module } from '@nestjs/common';
import { DbModule } from '@leadhooks/db';
import { IntakeModule } from '../intake/intake.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { InboundController } from './inbound.controller.js';
import { InboundLog } from './inbound-log.service.js';
import { InboundMapper } from './inbound-mapper.service.js';
import { InboundService } from './inbound.service.js';

/** Inbound sources' public side: `POST /v1/inbound/{token}`, the mapping workers and the request log. */
@Module({
  imports: [DbModule, MetricsModule, IntakeModule],
  controllers: [InboundController],
  providers: [InboundService, InboundMapper, InboundLog],
  exports: [InboundMapper, InboundLog],
})
export class InboundModule {}
