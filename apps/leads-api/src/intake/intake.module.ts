import { Module } from '@nestjs/common';
import { IntakeRateLimitGuard } from './intake-rate-limit.guard.js';
import { IntakeController } from './intake.controller.js';
import { IntakeService } from './intake.service.js';

@Module({ controllers: [IntakeController], providers: [IntakeService, IntakeRateLimitGuard] })
export class IntakeModule {}
