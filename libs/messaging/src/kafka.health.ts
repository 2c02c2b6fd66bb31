import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import type { Admin, Kafka } from 'kafkajs';
import { KAFKA } from './kafka.tokens.js';

/**
 * Kafka readiness for @nestjs/terminus: one admin client, connected once and reused (a probe opening and closing
 * a connection every few seconds is load on the broker and a slow probe), asked to describe the cluster.
 */
@Injectable()
export class KafkaHealthIndicator implements OnApplicationShutdown {
  private admin: Promise<Admin> | undefined;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(HealthIndicatorService) private readonly health: HealthIndicatorService,
  ) {}

  async isHealthy(key = 'kafka', timeoutMs = 3_000): Promise<HealthIndicatorResult> {
    return this.health
      .check(key)
      .attempt(async () => {
        try {
          const { brokers } = await (await this.connected()).describeCluster();
          return { brokers: brokers.length };
        } catch (error) {
          this.admin = undefined;
          throw error;
        }
      })
      .withTimeout(timeoutMs);
  }

  async onApplicationShutdown(): Promise<void> {
    const admin = await this.admin?.catch(() => undefined);
    await admin?.disconnect().catch(() => undefined);
  }

  private connected(): Promise<Admin> {
    this.admin ??= (async () => {
      const admin = this.kafka.admin();
      await admin.connect();
      return admin;
    })();
    return this.admin;
  }
}
