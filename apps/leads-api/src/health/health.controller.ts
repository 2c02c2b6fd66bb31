import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { KAFKA } from '../messaging/messaging.module.js';

@Controller('health')
export class HealthController {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(KAFKA) private readonly kafka: Kafka,
  ) {}

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Ready when Postgres answers and a Kafka broker answers metadata. */
  @Get('ready')
  async ready(): Promise<{ status: 'ok'; postgres: 'up'; kafka: 'up' }> {
    const checks = await Promise.allSettled([this.dataSource.query('SELECT 1'), this.kafkaUp()]);
    const [postgres, kafka] = checks.map((check) => check.status === 'fulfilled');
    if (!postgres || !kafka) {
      throw new ServiceUnavailableException({ status: 'unavailable', postgres: postgres ? 'up' : 'down', kafka: kafka ? 'up' : 'down' });
    }
    return { status: 'ok', postgres: 'up', kafka: 'up' };
  }

  private async kafkaUp(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await admin.describeCluster();
    } finally {
      await admin.disconnect();
    }
  }
}
