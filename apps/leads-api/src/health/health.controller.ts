import { Controller, Get, Inject } from '@nestjs/common';
import {
  HealthCheck,
  type HealthCheckResult,
  HealthCheckService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { KafkaHealthIndicator } from '@leadhooks/messaging';

@Controller('health')
export class HealthController {
  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(TypeOrmHealthIndicator) private readonly postgres: TypeOrmHealthIndicator,
    @Inject(KafkaHealthIndicator) private readonly kafka: KafkaHealthIndicator,
  ) {}

  /** The process answers (no dependency checked: a restart would not fix them). */
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Ready to take leads: Postgres answers a query and a Kafka broker describes the cluster (503 otherwise). */
  @Get('ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.postgres.pingCheck('postgres', { timeout: 3_000 }),
      () => this.kafka.isHealthy('kafka'),
    ]);
  }
}
