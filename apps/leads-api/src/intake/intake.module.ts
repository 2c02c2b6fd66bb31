import { Module } from '@nestjs/common';
import { SitesModule } from '../sites/sites.module.js';
import { IntakeRateLimitGuard } from './intake-rate-limit.guard.js';
import { IntakeController } from './intake.controller.js';
import { IntakeService } from './intake.service.js';
import { IntakeWriter } from './intake-writer.service.js';

@Module({
  imports: [SitesModule],
  controllers: [IntakeController],
  providers: [IntakeService, IntakeWriter, IntakeRateLimitGuard],
})
export class IntakeModule {}
