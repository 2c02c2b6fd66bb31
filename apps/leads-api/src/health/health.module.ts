import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DbModule } from '@leadhooks/db';
import { HealthController } from './health.controller.js';

@Module({ imports: [TerminusModule, DbModule], controllers: [HealthController] })
export class HealthModule {}
