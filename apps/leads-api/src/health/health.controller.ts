import { Controller, Get, Inject } from '@nestjs/common';
import {
  HealthCheck,
  type HealthCheckResult,
  HealthCheckService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';

@Controller('health')
export class HealthController {
  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(TypeOrmHealthIndicator) private readonly postgres: TypeOrmHealthIndicator,
  ) {}

  /** The process answers (no dependency checked: a restart would not fix them). */
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * Ready to take leads: Postgres answers a query (503 otherwise). Kafka is not asked: a lead is stored with its
   * outbox row in Postgres and the relay publishes it when Kafka answers, so a Kafka outage must not take the
   * intake out of service (on Kubernetes every pod would leave the Service at once).
   */
  @Get('ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check([() => this.postgres.pingCheck('postgres', { timeout: 3_000 })]);
  }
}
