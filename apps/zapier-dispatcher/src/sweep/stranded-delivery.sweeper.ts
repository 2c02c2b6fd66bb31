import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Admin, Kafka } from 'kafkajs';
import { EVENT_TYPES, requeueMessage, TopicNames } from '@leadhooks/contracts';
import { DeliveryRepository } from '@leadhooks/db';
import { KAFKA } from '@leadhooks/messaging';
import { OutboxRelayService } from '@leadhooks/outbox';
import { DISPATCHER_CONFIG } from '../config/config.module.js';
import type { DispatcherConfig } from '../config/dispatcher.config.js';
import { DeliveryMetrics } from '../metrics/delivery-metrics.js';
import { LagGuard } from './lag-guard.js';

/** Deliveries (and events) put back per sweep, at most (a sweep that finds more goes on at the next interval). */
const SWEEP_LIMIT = 500;
/** A larger backlog on the main topics means events may just be waiting their turn: no sweep then. */
const MAX_MAIN_LAG = 1_000;

/**
 * Finds what fell through and puts it back on its path, logging and counting it
 * (`leadhooks_stranded_leads_requeued_total`, which should stay 0): PENDING deliveries that nothing will attempt
 * again (not leased, next attempt overdue by more than SWEEP_MARGIN, no outbox row of their lead waiting), and
 * events never fanned out (their message lost before any dispatcher handled it). This closes classes of bugs (a
 * message lost by a broker failover, a consumer offset skipped) rather than one.
 *
 * Guards against mistaking a backlog for loss: nothing runs before the process has been up for SWEEP_MARGIN, nor
 * while the main topics have more than MAX_MAIN_LAG messages unconsumed by the group, unless that lag has lasted
 * SWEEP_MARGIN (a lag that stays is no backlog being worked off; see LagGuard). Something put back by mistake
 * is harmless anyway: it goes through the delivery lock, and its attempt number makes any other copy a no-op.
 */
@Injectable()
export class StrandedDeliverySweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(StrandedDeliverySweeper.name);
  private timer: NodeJS.Timeout | undefined;
  private admin: Admin | undefined;
  private running: Promise<void> | undefined;
  private readonly startedAt = Date.now();
  private readonly lagGuard: LagGuard;

  constructor(
    @Inject(DISPATCHER_CONFIG) private readonly config: DispatcherConfig,
    @Inject(DeliveryRepository) private readonly deliveries: DeliveryRepository,
    @Inject(OutboxRelayService) private readonly relay: OutboxRelayService,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(TopicNames) private readonly topics: TopicNames,
    @Inject(DeliveryMetrics) private readonly metrics: DeliveryMetrics,
  ) {
    this.lagGuard = new LagGuard(MAX_MAIN_LAG, config.sweep.marginMs);
  }

  onApplicationBootstrap(): void {
    if (this.config.sweep.intervalMs <= 0) return;
    this.timer = setInterval(() => {
      this.running ??= this.sweep()
        .then(() => undefined)
        .catch((error: unknown) =>
          this.log.warn(`Sweep failed (next one in ${this.config.sweep.intervalMs} ms): ${String(error)}`),
        )
        .finally(() => (this.running = undefined));
    }, this.config.sweep.intervalMs);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    await this.admin?.disconnect().catch(() => undefined);
  }

  /** One sweep; returns how many deliveries and events it put back (0 when a guard said not now). */
  async sweep(): Promise<number> {
    if (Date.now() - this.startedAt < this.config.sweep.marginMs) return 0;
    const lag = await this.mainTopicsLag();
    if (!this.lagGuard.allows(lag, Date.now())) {
      this.log.debug(`Sweep skipped: ${lag} event messages not consumed yet`);
      return 0;
    }
    if (lag > MAX_MAIN_LAG)
      this.log.warn(
        `Sweeping although ${lag} event messages are not consumed yet: the lag has stayed for ${this.config.sweep.marginMs} ms`,
      );
    const work = await this.deliveries.requeueStranded(
      new Date(Date.now() - this.config.sweep.marginMs),
      SWEEP_LIMIT,
      ({ event, delivery, attemptCount, cycleStep }) =>
        requeueMessage(event, delivery, attemptCount, { cycleStep }),
    );
    for (const delivery of work.deliveries) {
      this.metrics.strandedRequeued.inc({ kind: 'delivery' });
      this.log.error({
        message: `Delivery ${delivery.id} (${delivery.event} of lead ${delivery.leadId}) was PENDING with nothing to attempt it (overdue by more than ${this.config.sweep.marginMs} ms); put back for attempt ${delivery.attempt}`,
        deliveryId: delivery.id,
        leadId: delivery.leadId,
        endpointId: delivery.endpointId,
        event: delivery.event,
        attempt: delivery.attempt,
      });
    }
    for (const event of work.events) {
      this.metrics.strandedRequeued.inc({ kind: 'event' });
      this.log.error({
        message: `${event.event} ${event.eventId} of lead ${event.leadId} was never fanned out (older than ${this.config.sweep.marginMs} ms, nothing queued); published again`,
        leadId: event.leadId,
        event: event.event,
      });
    }
    const total = work.deliveries.length + work.events.length;
    if (total) this.relay.wake();
    return total;
  }

  private async mainTopicsLag(): Promise<number> {
    if (!this.admin) {
      const admin = this.kafka.admin();
      await admin.connect();
      this.admin = admin;
    }
    const admin = this.admin;
    const topics = EVENT_TYPES.map((event) => this.topics.mainOf(event));
    const [committed, ...ends] = await Promise.all([
      admin.fetchOffsets({ groupId: this.config.kafkaGroupId, topics }),
      ...topics.map((topic) => admin.fetchTopicOffsets(topic)),
    ]);
    return topics.reduce((total, topic, index) => {
      const partitions = committed.find((entry) => entry.topic === topic)?.partitions ?? [];
      return (
        total +
        ends[index].reduce((lag, end) => {
          const offset = Number(partitions.find((p) => p.partition === end.partition)?.offset ?? -1);
          return lag + Math.max(0, Number(end.high) - Math.max(offset, Number(end.low)));
        }, 0)
      );
    }, 0);
  }
}
