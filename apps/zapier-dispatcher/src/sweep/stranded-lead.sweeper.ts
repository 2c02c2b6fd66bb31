import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Admin, Kafka } from 'kafkajs';
import { requeueMessage, TopicNames } from '@leadhooks/contracts';
import { LeadRepository } from '@leadhooks/db';
import { OutboxRelayService } from '@leadhooks/outbox';
import { DISPATCHER_CONFIG } from '../config/config.module.js';
import type { DispatcherConfig } from '../config/dispatcher.config.js';
import { KAFKA } from '@leadhooks/messaging';
import { DeliveryMetrics } from '../metrics/delivery-metrics.js';

/** Leads put back per sweep, at most (a sweep that finds more goes on at the next interval). */
const SWEEP_LIMIT = 500;
/** A larger backlog on lead.created means leads may just be waiting their turn: no sweep then. */
const MAX_MAIN_LAG = 1_000;

/**
 * Finds what fell through: PENDING leads that nothing will attempt again (not leased, next attempt overdue by
 * more than SWEEP_MARGIN, no outbox row waiting) and puts each back on the delivery path, logging and counting it
 * (`leadhooks_stranded_leads_requeued_total`, which should stay 0). This closes classes of bugs (a message lost by
 * a broker failover, a consumer offset skipped) rather than one.
 *
 * Guards against mistaking a backlog for loss: nothing runs before the process has been up for SWEEP_MARGIN,
 * nor while lead.created has more than MAX_MAIN_LAG messages unconsumed by the group. A lead put back by mistake
 * is harmless anyway: it goes through the lead lock, and its attempt number makes any other copy a no-op.
 */
@Injectable()
export class StrandedLeadSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(StrandedLeadSweeper.name);
  private timer: NodeJS.Timeout | undefined;
  private admin: Admin | undefined;
  private running: Promise<void> | undefined;
  private readonly startedAt = Date.now();

  constructor(
    @Inject(DISPATCHER_CONFIG) private readonly config: DispatcherConfig,
    @Inject(LeadRepository) private readonly leads: LeadRepository,
    @Inject(OutboxRelayService) private readonly relay: OutboxRelayService,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(TopicNames) private readonly topics: TopicNames,
    @Inject(DeliveryMetrics) private readonly metrics: DeliveryMetrics,
  ) {}

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

  /** One sweep; returns how many leads it put back (0 when a guard said not now). */
  async sweep(): Promise<number> {
    if (Date.now() - this.startedAt < this.config.sweep.marginMs) return 0;
    const lag = await this.mainTopicLag();
    if (lag > MAX_MAIN_LAG) {
      this.log.debug(`Sweep skipped: ${lag} lead.created messages not consumed yet`);
      return 0;
    }
    const requeued = await this.leads.requeueStranded(
      new Date(Date.now() - this.config.sweep.marginMs),
      SWEEP_LIMIT,
      (attemptCount, cycleStep) => requeueMessage(attemptCount, { cycleStep }),
    );
    for (const lead of requeued) {
      this.metrics.strandedRequeued.inc();
      this.log.error({
        message: `Lead ${lead.id} was PENDING with nothing to attempt it (overdue by more than ${this.config.sweep.marginMs} ms); put back for attempt ${lead.attempt}`,
        leadId: lead.id,
        siteId: lead.siteId,
        attempt: lead.attempt,
      });
    }
    if (requeued.length) this.relay.wake();
    return requeued.length;
  }

  private async mainTopicLag(): Promise<number> {
    if (!this.admin) {
      const admin = this.kafka.admin();
      await admin.connect();
      this.admin = admin;
    }
    const topic = this.topics.main;
    const [committed, ends] = await Promise.all([
      this.admin.fetchOffsets({ groupId: this.config.kafkaGroupId, topics: [topic] }),
      this.admin.fetchTopicOffsets(topic),
    ]);
    const partitions = committed.find((entry) => entry.topic === topic)?.partitions ?? [];
    return ends.reduce((lag, end) => {
      const offset = Number(partitions.find((p) => p.partition === end.partition)?.offset ?? -1);
      return lag + Math.max(0, Number(end.high) - Math.max(offset, Number(end.low)));
    }, 0);
  }
}
