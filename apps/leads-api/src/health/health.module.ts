import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DbModule } from '@leadhooks/db';
import { KafkaModule } from '@leadhooks/messaging';
import { HealthController } from './health.controller.js';

@Module({ imports: [TerminusModule, DbModule, KafkaModule], controllers: [HealthController] })
export class HealthModule {}
