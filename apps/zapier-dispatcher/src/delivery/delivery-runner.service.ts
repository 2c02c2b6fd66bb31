import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  DeliveryHeaders,
  dltTopic,
  endsOnClientError,
  type LeadEvent,
  isSealedLeadEvent,
  openLeadEvent,
  parseLeadEvent,
  parseRetryAfter,
  planNextAttempt,
  RETRY_TIERS,
  retryTopic,
  tierOfTopic,
  type WireLeadEvent,
} from '@leadhooks/contracts';
import { describeMappingError, type MappingError, summarizeMappingError } from '@leadhooks/mapping';
import {
  type AttemptRecord,
  type ClaimResult,
  DeliveryLockRepository,
  type HandOn,
  type LeasePolicy,
} from '@leadhooks/db';
import { type ConsumedMessage, DONE, type HandlerOutcome } from '@leadhooks/messaging';
import { OutboxRelayService } from '@leadhooks/outbox';
import { DeliverySlots, type SlotRelease, TokenBucketLimiter } from '@leadhooks/throttling';
import { maskUrl, type WebhookResult, WebhookDelivery } from '@leadhooks/webhooks';
import { DISPATCHER_CONFIG } from '../config/config.module.js';
import type { DispatcherConfig } from '../config/dispatcher.config.js';
import { DeliveryMetrics } from '../metrics/delivery-metrics.js';
import { failureReason } from './failure-reason.js';
import { OutboundMapper } from './outbound-mapper.service.js';
import { isRetryable } from './retryable.js';

export type Claimed = Extract<ClaimResult, { kind: 'claimed' }>;

/** One message's attempt at one delivery: what was consumed, the event, and where the delivery is in its cycle. */
export interface DeliveryAttemptContext {
  consumed: ConsumedMessage;
  /** As consumed: sealed under the lead's data key (opened only to send), or plain (an older message). */
  event: WireLeadEvent;
  attempt: number;
  cycleStep: number;
  /** main, 1m … 16m, or replay (the first try of a DLT replay or redelivery). */
  tier: string;
}

/** Kept free between the end of a lease and the end of the HTTP timeout, for recording the outcome. */
const FENCE_SLACK_MS = 250;
/** Back-off after giving a lease up (a stall ate into it): try again with a fresh lease soon. */
const FENCE_RETRY_MS = 200;
/**
 * How long a claimed delivery waits for an in-flight slot before it is handed on: a busy fast endpoint frees one
 * within milliseconds; one that stays full this long has slow requests.
 */
const SLOT_WAIT_BRIEF_MS = 250;
/** Back-off when the endpoint's mapping queue is full: its own earlier deliveries go first. */
const MAPPING_BUSY_RETRY_MS = 200;

/**
 * Runs one claimed delivery: endpoint rate limit → fence → POST → record (+ hand-on) — or reports why it did not.
 *
 * A failure is recorded together with the message that carries the delivery on (its next retry tier, or the DLT),
 * in one statement through the outbox; the relay publishes it. So a crash at any point leaves either nothing
 * recorded (the message is consumed again and the delivery retried) or both the failure and its hand-on: a
 * delivery is never left PENDING with nothing to attempt it, nor FAILED without its dead letter.
 */
@Injectable()
export class DeliveryRunner {
  private readonly log = new Logger(DeliveryRunner.name);
  private readonly rateLimiter: TokenBucketLimiter;
  /** In-flight requests per endpoint and per site (docs/isolation.md). */
  readonly slots: DeliverySlots;

  constructor(
    @Inject(DISPATCHER_CONFIG) private readonly config: DispatcherConfig,
    @Inject(DeliveryLockRepository) private readonly lock: DeliveryLockRepository,
    @Inject(OutboxRelayService) private readonly relay: OutboxRelayService,
    @Inject(WebhookDelivery) private readonly delivery: WebhookDelivery,
    @Inject(DeliveryMetrics) private readonly metrics: DeliveryMetrics,
    @Inject(OutboundMapper) private readonly mapper: OutboundMapper,
  ) {
    this.rateLimiter = new TokenBucketLimiter(config.endpointRateLimitPerSecond);
    this.slots = new DeliverySlots(config.slots);
  }

  get lease(): LeasePolicy {
    return { defaultTimeoutMs: this.config.webhookTimeoutMs, marginMs: this.config.leaseMarginMs };
  }

  get slotWaitMs(): number {
    return this.config.slotWaitMs;
  }

  /** How long a delivery whose endpoint's mapping queue is full waits before it looks again. */
  get mappingBusyRetryMs(): number {
    return MAPPING_BUSY_RETRY_MS;
  }

  /** Whether the endpoint's mapping queue is full now (checked before a claim, so no lease is taken to give back). */
  mappingBusy(endpointId: string): boolean {
    return this.mapper.busy(endpointId);
  }

  /** ms until the endpoint may take another request (0: now), without using its token. */
  rateWait(endpointId: string, ratePerSecond: number | null): number {
    return this.rateLimiter.wait(endpointId, ratePerSecond);
  }

  /** What a claim verdict means for the message: run it, wait for a lease, or nothing to do. */
  async run(context: DeliveryAttemptContext, claim: ClaimResult): Promise<HandlerOutcome> {
    if (claim.kind !== 'claimed') return this.skip(context, claim);
    const { endpoint } = claim.target;
    const waitMs = this.rateLimiter.take(endpoint.id, endpoint.rateLimitPerSecond);
    if (waitMs > 0) {
      await this.lock.release(claim.deliveryId, claim.token);
      return { kind: 'defer', untilMs: Date.now() + waitMs, reason: 'endpoint rate limit' };
    }
    if (endpoint.problem || !endpoint.url || !endpoint.secret)
      return this.failUnreadableEndpoint(context, claim);
    // The personal data is opened here, for this request only (mapping and body); what is handed on stays sealed.
    const opened = openLeadEvent(context.event, claim.dataKey);
    // A plain event was checked whole when consumed; an opened one is checked now that it can be read.
    const readable = opened.ok && isSealedLeadEvent(context.event) ? parseLeadEvent(opened.event) : opened;
    if (!readable.ok) return this.failUnopenable(context, claim, readable.reason);
    let body: string | undefined;
    if (endpoint.format === 'custom') {
      // Rendered before the fence below, so the time the mapping took is inside what the fence checks.
      const rendered = await this.mapper.render(
        endpoint.id,
        endpoint.mapping ?? '',
        readable.event,
        claim.target.site,
        context.attempt,
      );
      if (rendered === 'busy') {
        await this.lock.release(claim.deliveryId, claim.token);
        return {
          kind: 'defer',
          untilMs: Date.now() + MAPPING_BUSY_RETRY_MS,
          reason: 'endpoint mapping busy',
        };
      }
      if (!rendered.ok) return this.failMapping(context, claim, rendered.error);
      body = rendered.json;
    }
    // Fencing: a worker that stalled after its claim (GC, VM pause, SIGSTOP) may find its lease too short to
    // cover a whole request. It must not send then: another worker may already own (or have delivered) it.
    if (claim.leaseDeadline - performance.now() < this.timeoutOf(claim) + FENCE_SLACK_MS)
      return this.giveUp(context, claim);
    let slot = this.slots.tryAcquire(claim.target.site.id, endpoint.id);
    if (!slot) {
      slot = await this.slots.acquire(claim.target.site.id, endpoint.id, SLOT_WAIT_BRIEF_MS);
      if (!slot) return this.waitForSlot(context, claim);
      // The endpoint may have been deleted or disabled while this delivery waited (the claim's check is older than
      // the wait): look again, so no request starts after such a change answered.
      if (!(await this.lock.stillSendable(claim.deliveryId, claim.token))) {
        slot();
        return this.endpointChangedWhileWaiting(context, claim);
      }
    }
    // The brief wait must not have eaten into the lease (see the fence above).
    if (claim.leaseDeadline - performance.now() < this.timeoutOf(claim) + FENCE_SLACK_MS) {
      slot();
      return this.giveUp(context, claim);
    }
    return this.deliver(context, claim, readable.event, slot, body);
  }

  /**
   * Every slot of the endpoint or of its site stayed taken (its requests are slow or never answered): no request, no
   * attempt counted. The lease is given back; on a retry tier the message waits in its partition and looks again
   * after DELIVERY_SLOT_WAIT; on a main topic the delivery is handed to the first retry tier, due then, so the
   * main partitions (every site's fresh leads) never hold a slow site's backlog.
   */
  private async waitForSlot(context: DeliveryAttemptContext, claim: Claimed): Promise<HandlerOutcome> {
    const { consumed, event, attempt, cycleStep } = context;
    const { site, endpoint } = claim.target;
    const full = this.slots.free(site.id) ? 'endpoint' : 'site';
    this.metrics.slotWaits.inc({ limit: full });
    const dueAt = Date.now() + this.config.slotWaitMs;
    if (tierOfTopic(consumed.topic)) {
      await this.lock.release(claim.deliveryId, claim.token);
      return { kind: 'defer', untilMs: dueAt, reason: `${full} in-flight limit` };
    }
    const delivery = { deliveryId: claim.deliveryId, endpointId: endpoint.id };
    const parked = await this.lock.park(claim.deliveryId, claim.token, {
      topic: retryTopic(RETRY_TIERS[0], event.type),
      payload: event,
      headers: DeliveryHeaders.parked(consumed.message.headers, delivery, attempt, cycleStep, dueAt),
    });
    this.relay.wake();
    this.log.debug({
      message: `Lead ${event.data.lead_id}: every in-flight slot of the ${full} is taken; delivery handed to the retry tier (attempt ${attempt} not counted)`,
      ...this.logContext(context, claim),
      parked,
    });
    return DONE;
  }

  /**
   * The endpoint changed (or the lease was lost) while the delivery waited for a slot: no request. The lease is
   * given back and the message handled again at once; its claim then ends the delivery SKIPPED with the reason
   * (endpoint deleted / disabled / unsubscribed), or finds it held by another worker.
   */
  private async endpointChangedWhileWaiting(
    context: DeliveryAttemptContext,
    claim: Claimed,
  ): Promise<HandlerOutcome> {
    await this.lock.release(claim.deliveryId, claim.token);
    this.log.log({
      message: `Lead ${context.event.data.lead_id}: the endpoint changed while the delivery waited for an in-flight slot; not sending`,
      ...this.logContext(context, claim),
    });
    return { kind: 'defer', untilMs: Date.now(), reason: 'endpoint changed while waiting for a slot' };
  }

  private timeoutOf(claim: Claimed): number {
    return claim.target.endpoint.timeoutMs ?? this.config.webhookTimeoutMs;
  }

  private logContext(context: DeliveryAttemptContext, claim?: Claimed, deliveryId?: string) {
    return {
      leadId: context.event.data.lead_id,
      event: context.event.type,
      deliveryId: claim?.deliveryId ?? deliveryId,
      ...(claim ? { site: claim.target.site.hostname, endpoint: claim.target.endpoint.name } : {}),
      attempt: context.attempt,
      topic: context.consumed.topic,
      partition: context.consumed.partition,
      offset: context.consumed.message.offset,
    };
  }

  private skip(
    context: DeliveryAttemptContext,
    claim: Exclude<ClaimResult, { kind: 'claimed' }>,
  ): HandlerOutcome {
    // Another attempt holds the delivery: wait for its lease to end (it records first, or it died and the lease lapses).
    if (claim.kind === 'leased')
      return { kind: 'defer', untilMs: claim.until.getTime() + 50, reason: 'delivery leased' };
    const reason = claim.kind === 'skipped' ? claim.reason : claim.kind;
    this.metrics.skipped.inc({ reason });
    const log = this.logContext(context);
    const leadId = context.event.data.lead_id;
    switch (claim.kind) {
      case 'missing':
        this.log.warn({ message: `Delivery of lead ${leadId} does not exist; message skipped`, ...log });
        break;
      case 'skipped':
        this.log.log({
          message: `Delivery of lead ${leadId} (${context.event.type}) SKIPPED: ${claim.reason.replace('-', ' ')}`,
          ...log,
        });
        break;
      case 'already-sent':
      case 'not-pending':
      case 'stale':
        this.log.debug({
          message: `Delivery of lead ${leadId}: attempt ${context.attempt} is a no-op (${reason})`,
          ...log,
        });
    }
    return DONE;
  }

  private async giveUp(context: DeliveryAttemptContext, claim: Claimed): Promise<HandlerOutcome> {
    const released = await this.lock.release(claim.deliveryId, claim.token);
    this.metrics.leasesGivenUp.inc();
    this.log.warn({
      message: `Lead ${context.event.data.lead_id}: the lease no longer covers a ${this.timeoutOf(claim)} ms request (this worker stalled); not sending`,
      ...this.logContext(context, claim),
      released,
    });
    return { kind: 'defer', untilMs: Date.now() + FENCE_RETRY_MS, reason: 'lease too short' };
  }

  private async deliver(
    context: DeliveryAttemptContext,
    claim: Claimed,
    opened: LeadEvent,
    slot: SlotRelease,
    body: string | undefined,
  ): Promise<HandlerOutcome> {
    const { event, attempt, tier } = context;
    const { site, endpoint } = claim.target;
    const leadId = event.data.lead_id;
    const startedAt = new Date();
    const url = endpoint.url as string;
    this.metrics.inFlight.inc();
    let result: WebhookResult;
    try {
      result = await this.delivery.deliver(
        opened,
        site,
        attempt,
        {
          url,
          auth: endpoint.auth,
          format: endpoint.format,
          headers: endpoint.headers,
          timeoutMs: endpoint.timeoutMs ?? undefined,
          secrets: endpoint,
          deliveryId: claim.deliveryId,
          signaturePrefix: endpoint.signaturePrefix,
        },
        startedAt,
        body,
      );
    } finally {
      slot();
      this.metrics.inFlight.dec();
    }
    this.metrics.attemptDuration.observe({ event: event.type, tier }, result.durationMs / 1000);
    const record: AttemptRecord = {
      attempt,
      tier,
      startedAt,
      durationMs: result.durationMs,
      httpStatus: result.status,
      errorClass: result.errorClass,
      error: result.error,
      responseSnippet: result.responseSnippet,
    };
    const log = {
      ...this.logContext(context, claim),
      target: maskUrl(url),
      tier,
      status: result.status,
      durationMs: result.durationMs,
    };
    if (!result.ok) {
      if (result.status === 410 && endpoint.kind === 'zapier_rest_hook')
        return this.handleGone(claim, record, log);
      return this.handleFailure(context, claim, result, record, log);
    }
    const recorded = await this.recordOutcome(claim, record, log, (written) =>
      this.lock.recordSuccess(claim.deliveryId, claim.token, written),
    );
    this.metrics.deliveries.inc({ event: event.type, outcome: 'sent', tier });
    this.metrics.leadAgeAtDelivery.observe((Date.now() - Date.parse(event.occurred_at)) / 1000);
    this.log.log({
      message: `Delivered ${event.type} of lead ${leadId} to ${endpoint.name} at ${log.target} (attempt ${attempt}, ${result.status} in ${result.durationMs} ms)`,
      ...log,
    });
    if (!recorded)
      this.log.warn({ message: `Lead ${leadId}: lease lost before the 2xx was recorded`, ...log });
    return DONE;
  }

  /** A Zap's REST hook answered 410: the Zap is gone (SPEC §12). The endpoint is removed; nothing is retried. */
  private async handleGone(
    claim: Claimed,
    record: AttemptRecord,
    log: Record<string, unknown>,
  ): Promise<HandlerOutcome> {
    const recorded = await this.recordOutcome(claim, record, log, (written) =>
      this.lock.recordGone(claim.deliveryId, claim.token, written),
    );
    this.metrics.deliveries.inc({ event: String(log.event), outcome: 'endpoint_removed', tier: record.tier });
    this.log.warn({
      message: `REST hook ${claim.target.endpoint.id} answered 410 Gone: unsubscribed (endpoint removed)${recorded ? '' : ' (lease lost first)'}`,
      ...log,
    });
    return DONE;
  }

  private async handleFailure(
    context: DeliveryAttemptContext,
    claim: Claimed,
    result: WebhookResult,
    record: AttemptRecord,
    log: Record<string, unknown>,
  ): Promise<HandlerOutcome> {
    const { consumed, event, attempt, cycleStep, tier } = context;
    const now = Date.now();
    const { endpoint } = claim.target;
    const refused = endsOnClientError(result.status, endpoint.retryOn4xx);
    const next = planNextAttempt({
      failedCycleStep: cycleStep,
      delaysMs: this.config.retryDelaysMs,
      now,
      retryAfterMs:
        result.status === 429 || result.status === 503
          ? parseRetryAfter(result.retryAfter, now, this.config.retryAfterMaxMs)
          : undefined,
      jitterRatio: this.config.retryJitterRatio,
      random: Math.random,
      maxAttempts: endpoint.maxAttempts ?? undefined,
      final: refused,
    });
    const delivery = { deliveryId: claim.deliveryId, endpointId: endpoint.id };
    // The retry/DLT message is named by status or code only: the receiver's answer (which may echo the lead) stays
    // in Postgres, where erasure clears it; Kafka keeps its copies for weeks (docs/privacy.md).
    const handOn = (): HandOn => ({
      topic: next.kind === 'retry' ? retryTopic(next.topicTier, event.type) : dltTopic(event.type),
      payload: event,
      headers: DeliveryHeaders.afterFailure(
        consumed.message.headers,
        { topic: consumed.topic, partition: consumed.partition, offset: consumed.message.offset },
        {
          attempt,
          tier,
          at: new Date(now),
          status: result.status,
          error: result.errorSummary,
          retryable: isRetryable(result),
        },
        next,
        delivery,
      ),
    });
    const recorded = await this.recordOutcome(claim, record, log, (written) =>
      this.lock.recordFailure(claim.deliveryId, claim.token, written, {
        final: next.kind === 'dead-letter',
        handOn: handOn(),
        nextAttemptAt: next.kind === 'retry' ? new Date(next.dueAt) : null,
        nextCycleStep: next.kind === 'retry' ? next.cycleStep : 0,
      }),
    );
    this.relay.wake();
    const reason = failureReason(result);
    const outcome =
      reason === 'forbidden_target' ? 'forbidden_target' : next.kind === 'retry' ? 'retry' : 'dead_letter';
    this.metrics.deliveries.inc({ event: event.type, outcome, tier });
    const leadId = event.data.lead_id;
    const where = `${endpoint.name} at ${String(log.target)}`;
    if (!recorded) {
      this.log.warn({
        message: `Lead ${leadId}: lease lost before the failure was recorded; the new holder carries it on`,
        ...log,
      });
    } else if (next.kind === 'retry') {
      this.metrics.retries.inc({ event: event.type, reason });
      this.log.warn({
        message: `${event.type} of lead ${leadId} failed at ${where} (attempt ${attempt}): ${result.errorSummary}; retry ${next.tier} in ${Math.round(next.delayMs / 1000)} s`,
        ...log,
        error: result.errorSummary,
        reason,
        nextTier: next.tier,
        dueAt: new Date(next.dueAt).toISOString(),
      });
    } else {
      this.metrics.deadLettered.inc({ event: event.type, reason: 'exhausted' });
      const why = refused ? 'the endpoint does not retry a 4xx' : 'retries exhausted';
      this.log.error({
        message: `${event.type} of lead ${leadId} failed at ${where} (attempt ${attempt}): ${result.errorSummary}; ${why}, dead-lettered, FAILED`,
        ...log,
        error: result.errorSummary,
        reason,
      });
    }
    return DONE;
  }

  /**
   * Records an attempt's outcome whatever the receiver answered. Text is sanitized before it is stored, so this
   * should not fail for a receiver's answer; if the statement still fails for this item, the outcome is recorded
   * without the receiver's text (status, timing and error class only), and if even that fails the lease is given
   * back before the error goes up (the message is tried again, and after HANDLER_MAX_FAILURES dead-lettered): a
   * delivery is never left leased with nothing recorded.
   */
  private async recordOutcome(
    claim: Claimed,
    record: AttemptRecord,
    log: Record<string, unknown>,
    write: (record: AttemptRecord) => Promise<boolean>,
  ): Promise<boolean> {
    try {
      return await write(record);
    } catch (error) {
      this.metrics.outcomeFallbacks.inc();
      this.log.error({
        message: `Lead ${String(log.leadId)}: the outcome could not be recorded (${describe(error)}); recording it without the receiver's text`,
        ...log,
      });
      const minimal: AttemptRecord = {
        ...record,
        error:
          record.error === null
            ? null
            : `${record.errorClass ?? 'error'} (the receiver's text could not be stored)`,
        responseSnippet: null,
      };
      try {
        return await write(minimal);
      } catch (again) {
        const released = await this.lock.release(claim.deliveryId, claim.token).catch(() => false);
        this.log.error({
          message: `Lead ${String(log.leadId)}: no outcome could be recorded (${describe(again)}); lease ${released ? 'given back' : 'not given back'}`,
          ...log,
        });
        throw again;
      }
    }
  }

  /** The endpoint's sealed settings cannot be opened here (another key): this delivery fails alone, to the DLT. */
  private async failUnreadableEndpoint(
    context: DeliveryAttemptContext,
    claim: Claimed,
  ): Promise<HandlerOutcome> {
    const { endpoint, site } = claim.target;
    const problem = `endpoint ${endpoint.name} of ${site.hostname}: ${endpoint.problem ?? 'no URL or secret'}`;
    await this.failWithoutRequest(context, claim, 'unreadable-endpoint', problem);
    this.log.error({
      message: `${context.event.type} of lead ${context.event.data.lead_id} dead-lettered: ${problem} (fix the key, then replay it)`,
      ...this.logContext(context, claim),
    });
    return DONE;
  }

  /**
   * The endpoint's mapping failed on this event (SPEC §14): the delivery ends FAILED with reason `mapping` at once
   * and goes to the DLT, replayable once the mapping is fixed. No request was made, so nothing counts against the
   * receiver: no retry tier is used, and the attempt row (error class `mapping`, no status) is left out of the
   * endpoint's failing flag and consecutive failures.
   */
  private async failMapping(
    context: DeliveryAttemptContext,
    claim: Claimed,
    error: MappingError,
  ): Promise<HandlerOutcome> {
    const problem = `mapping: ${describeMappingError(error)}`;
    await this.failWithoutRequest(
      context,
      claim,
      'mapping',
      problem,
      `mapping: ${summarizeMappingError(error)}`,
    );
    this.log.error({
      message: `${context.event.type} of lead ${context.event.data.lead_id} not sent to ${claim.target.endpoint.name}: the endpoint's mapping failed (${error.kind}); FAILED, dead-lettered (fix the mapping, then replay it)`,
      ...this.logContext(context, claim),
      mappingError: error.kind,
      mappingErrorCode: error.code ?? null,
    });
    return DONE;
  }

  /**
   * The event does not open with its lead's key (damaged, or sealed under another key): this delivery fails alone,
   * to the DLT, never retried as if the receiver failed. (An erased lead never gets here: its claim is SKIPPED.)
   */
  private async failUnopenable(
    context: DeliveryAttemptContext,
    claim: Claimed,
    reason: string,
  ): Promise<HandlerOutcome> {
    const problem = `${context.event.type} of lead ${context.event.data.lead_id}: ${reason}`;
    await this.failWithoutRequest(context, claim, 'unreadable-event', problem);
    this.log.error({ message: `${problem}; dead-lettered, FAILED`, ...this.logContext(context, claim) });
    return DONE;
  }

  /** Ends the delivery FAILED with no request made, its dead letter written with the failure (one statement). */
  private async failWithoutRequest(
    context: DeliveryAttemptContext,
    claim: Claimed,
    reason: 'unreadable-endpoint' | 'unreadable-event' | 'mapping',
    problem: string,
    /** What the dead letter's headers say, when `problem` may quote the lead (stored in Postgres only). */
    headline = problem,
  ): Promise<void> {
    const { consumed, attempt, tier, event } = context;
    const origin = { topic: consumed.topic, partition: consumed.partition, offset: consumed.message.offset };
    const delivery = { deliveryId: claim.deliveryId, endpointId: claim.target.endpoint.id };
    await this.lock.recordFailure(
      claim.deliveryId,
      claim.token,
      {
        attempt,
        tier,
        startedAt: new Date(),
        durationMs: 0,
        httpStatus: null,
        errorClass: reason,
        error: problem,
        responseSnippet: null,
      },
      {
        final: true,
        handOn: {
          topic: dltTopic(event.type),
          payload: event,
          headers: DeliveryHeaders.deadLetter(consumed.message.headers, origin, reason, headline, delivery),
        },
        nextAttemptAt: null,
        nextCycleStep: 0,
      },
    );
    this.relay.wake();
    this.metrics.deadLettered.inc({ event: event.type, reason });
    if (reason === 'mapping')
      this.metrics.deliveries.inc({ event: event.type, outcome: 'mapping_failed', tier });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
