import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  DeliveryHeaders,
  LEAD_CREATED_DLT,
  type LeadCreatedEvent,
  parseLeadCreatedEvent,
  parseRetryAfter,
  planNextAttempt,
  RETRY_TIERS,
  retryTopic,
  TopicNames,
} from '@leadhooks/contracts';
import { type AttemptRecord, type ClaimResult, type HandOn, LeadLockRepository } from '@leadhooks/db';
import { type ConsumedMessage, DONE, EventPublisher, type HandlerOutcome } from '@leadhooks/messaging';
import { OutboxRelayService } from '@leadhooks/outbox';
import { TokenBucketLimiter } from '@leadhooks/throttling';
import { maskUrl, type WebhookResult, WebhookDelivery } from '@leadhooks/webhooks';
import { DISPATCHER_CONFIG } from '../config/config.module.js';
import type { DispatcherConfig } from '../config/dispatcher.config.js';
import { DeliveryMetrics } from '../metrics/delivery-metrics.js';
import { isRetryable } from './retryable.js';

type Claimed = Extract<ClaimResult, { kind: 'claimed' }>;

interface Attempt {
  consumed: ConsumedMessage;
  event: LeadCreatedEvent;
  leadId: string;
  attempt: number;
  cycleStep: number;
  /** main, 1m … 16m, or replay (the first try of a DLT replay or redelivery). */
  tier: string;
}

/** A message found before its real due time (it hopped through a tier) goes back if it is still this early. */
const HOP_SLACK_MS = 500;
/** Kept free between the end of a lease and the end of the HTTP timeout, for recording the outcome. */
const FENCE_SLACK_MS = 250;
/** Back-off after giving a lease up (a stall ate into it): try again with a fresh lease soon. */
const FENCE_RETRY_MS = 200;

/**
 * One delivery attempt for one message: lead lock → POST → record (+ hand-on) → done.
 *
 * A failure is recorded together with the message that carries the lead on (its next retry tier, or the DLT), in
 * one statement through the outbox; the relay publishes it. So a crash at any point leaves either nothing
 * recorded (the message is consumed again and the lead retried) or both the failure and its hand-on: a lead is
 * never left PENDING with nothing to attempt it, nor FAILED without its dead letter.
 */
@Injectable()
export class DeliveryService {
  private readonly log = new Logger(DeliveryService.name);
  private readonly rateLimiter: TokenBucketLimiter;

  constructor(
    @Inject(DISPATCHER_CONFIG) private readonly config: DispatcherConfig,
    @Inject(LeadLockRepository) private readonly lock: LeadLockRepository,
    @Inject(EventPublisher) private readonly publisher: EventPublisher,
    @Inject(OutboxRelayService) private readonly relay: OutboxRelayService,
    @Inject(TopicNames) private readonly topics: TopicNames,
    @Inject(WebhookDelivery) private readonly delivery: WebhookDelivery,
    @Inject(DeliveryMetrics) private readonly metrics: DeliveryMetrics,
  ) {
    this.rateLimiter = new TokenBucketLimiter(config.siteRateLimitPerSecond);
  }

  async handle(consumed: ConsumedMessage): Promise<HandlerOutcome> {
    const parsed = parseLeadCreatedEvent(consumed.message.value ?? '');
    if (!parsed.ok) return this.deadLetterUnreadable(consumed, parsed.code, parsed.reason);
    const state = DeliveryHeaders.read(consumed.message.headers);
    if (state.dueAt !== undefined && state.dueAt > Date.now() + HOP_SLACK_MS)
      return this.hop(consumed, state.dueAt);
    const current: Attempt = {
      consumed,
      event: parsed.event,
      leadId: parsed.event.data.lead_id,
      attempt: state.attempt,
      cycleStep: state.cycleStep,
      tier:
        state.cycleStep > 0
          ? (RETRY_TIERS[state.cycleStep - 1] ?? 'main')
          : state.replayId
            ? 'replay'
            : 'main',
    };
    const waitMs = this.rateLimiter.take(parsed.event.data.site_id);
    if (waitMs > 0) return { kind: 'defer', untilMs: Date.now() + waitMs, reason: 'site rate limit' };

    const claim = await this.lock.claim(
      current.leadId,
      current.attempt,
      this.config.webhookTimeoutMs + this.config.leaseMarginMs,
    );
    if (claim.kind !== 'claimed') return this.skip(current, claim);
    if (claim.site.problem) return this.failUnreadableSite(current, claim);
    // Fencing: a worker that stalled after its claim (GC, VM pause, SIGSTOP) may find its lease too short to
    // cover a whole request. It must not send then: another worker may already own (or have delivered) the lead.
    if (claim.leaseDeadline - performance.now() < this.config.webhookTimeoutMs + FENCE_SLACK_MS)
      return this.giveUp(current, claim);
    return this.deliver(current, claim);
  }

  private skip(current: Attempt, claim: Exclude<ClaimResult, { kind: 'claimed' }>): HandlerOutcome {
    const { leadId, attempt, consumed } = current;
    // Another delivery holds the lead: wait for its lease to end (it records first, or it died and the lease lapses).
    if (claim.kind === 'leased')
      return { kind: 'defer', untilMs: claim.until.getTime() + 50, reason: 'lead leased' };
    this.metrics.skipped.inc({ reason: claim.kind });
    const context = {
      leadId,
      attempt,
      topic: consumed.topic,
      partition: consumed.partition,
      offset: consumed.message.offset,
    };
    switch (claim.kind) {
      case 'missing':
        this.log.warn({ message: `Lead ${leadId} does not exist; message skipped`, ...context });
        break;
      case 'already-sent':
        this.log.debug({ message: `Lead ${leadId} already SENT; attempt ${attempt} is a no-op`, ...context });
        break;
      case 'not-pending':
        this.log.debug({
          message: `Lead ${leadId} is ${claim.status ?? 'unset'}; attempt ${attempt} is a no-op`,
          ...context,
        });
        break;
      case 'stale':
        this.log.debug({
          message: `Stale message for lead ${leadId}: attempt ${attempt}, lead has made ${claim.attemptCount}`,
          ...context,
        });
        break;
      case 'not-configured':
        this.log.log({
          message: `Lead ${leadId} has no enabled hook; marked NOT_CONFIGURED`,
          site: current.event.data.site_hostname,
          ...context,
        });
        break;
    }
    return DONE;
  }

  private async giveUp(current: Attempt, claim: Claimed): Promise<HandlerOutcome> {
    const released = await this.lock.release(current.leadId, claim.token);
    this.metrics.leasesGivenUp.inc();
    this.log.warn({
      message: `Lead ${current.leadId}: the lease no longer covers a ${this.config.webhookTimeoutMs} ms request (this worker stalled); not sending`,
      leadId: current.leadId,
      attempt: current.attempt,
      topic: current.consumed.topic,
      released,
    });
    return { kind: 'defer', untilMs: Date.now() + FENCE_RETRY_MS, reason: 'lease too short' };
  }

  private async deliver(current: Attempt, claim: Claimed): Promise<HandlerOutcome> {
    const { event, leadId, attempt, tier } = current;
    const startedAt = new Date();
    const url = claim.site.zapier.webhookUrl ?? '';
    this.metrics.inFlight.inc();
    const result = await this.delivery.deliver(
      event,
      claim.site,
      attempt,
      { url, secrets: claim.site.zapier },
      startedAt,
    );
    this.metrics.inFlight.dec();
    this.metrics.attemptDuration.observe({ tier }, result.durationMs / 1000);
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
    const context = {
      leadId,
      site: claim.site.hostname,
      target: maskUrl(url),
      tier,
      attempt,
      status: result.status,
      durationMs: result.durationMs,
    };
    if (!result.ok) return this.handleFailure(current, claim.token, result, record, context);
    const recorded = await this.lock.recordSuccess(leadId, claim.token, record);
    this.metrics.deliveries.inc({ outcome: 'sent', tier });
    this.metrics.leadAgeAtDelivery.observe((Date.now() - Date.parse(event.data.submitted_at)) / 1000);
    this.log.log({
      message: `Delivered lead ${leadId} to ${context.target} (attempt ${attempt}, ${result.status} in ${result.durationMs} ms)`,
      ...context,
    });
    if (!recorded)
      this.log.warn({ message: `Lead ${leadId}: lease lost before the 2xx was recorded`, ...context });
    return DONE;
  }

  private async handleFailure(
    current: Attempt,
    token: string,
    result: WebhookResult,
    record: AttemptRecord,
    context: Record<string, unknown>,
  ): Promise<HandlerOutcome> {
    const { consumed, event, leadId, attempt, cycleStep, tier } = current;
    const now = Date.now();
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
    });
    const headers = DeliveryHeaders.afterFailure(
      consumed.message.headers,
      { topic: consumed.topic, partition: consumed.partition, offset: consumed.message.offset },
      {
        attempt,
        tier,
        at: new Date(now),
        status: result.status,
        error: result.error,
        retryable: isRetryable(result),
      },
      next,
    );
    const handOn: HandOn = {
      topic: next.kind === 'retry' ? retryTopic(next.topicTier) : LEAD_CREATED_DLT,
      payload: event,
      headers,
    };
    const recorded = await this.lock.recordFailure(leadId, token, record, {
      final: next.kind === 'dead-letter',
      handOn,
      nextAttemptAt: next.kind === 'retry' ? new Date(next.dueAt) : null,
      nextCycleStep: next.kind === 'retry' ? next.cycleStep : 0,
    });
    this.relay.wake();
    const outcome =
      result.errorClass === 'forbidden-target'
        ? 'forbidden_target'
        : next.kind === 'retry'
          ? 'retry'
          : 'dead_letter';
    this.metrics.deliveries.inc({ outcome, tier });
    if (!recorded) {
      this.log.warn({
        message: `Lead ${leadId}: lease lost before the failure was recorded; the new holder carries it on`,
        ...context,
      });
    } else if (next.kind === 'retry') {
      this.log.warn({
        message: `Lead ${leadId} failed at ${String(context.target)} (attempt ${attempt}): ${result.error}; retry ${next.tier} in ${Math.round(next.delayMs / 1000)} s`,
        ...context,
        error: result.error,
        nextTier: next.tier,
        dueAt: new Date(next.dueAt).toISOString(),
      });
    } else {
      this.metrics.deadLettered.inc({ reason: 'exhausted' });
      this.log.error({
        message: `Lead ${leadId} failed at ${String(context.target)} (attempt ${attempt}): ${result.error}; retries exhausted, dead-lettered, FAILED`,
        ...context,
        error: result.error,
      });
    }
    return DONE;
  }

  /** The site's sealed settings cannot be opened here (another encryption key): this lead fails alone, to the DLT. */
  private async failUnreadableSite(current: Attempt, claim: Claimed): Promise<HandlerOutcome> {
    const { consumed, leadId, attempt, tier, event } = current;
    const problem = `site ${claim.site.hostname}: ${claim.site.problem ?? 'unreadable'}`;
    const origin = { topic: consumed.topic, partition: consumed.partition, offset: consumed.message.offset };
    await this.lock.recordFailure(
      leadId,
      claim.token,
      {
        attempt,
        tier,
        startedAt: new Date(),
        durationMs: 0,
        httpStatus: null,
        errorClass: 'unreadable-site',
        error: problem,
        responseSnippet: null,
      },
      {
        final: true,
        handOn: {
          topic: LEAD_CREATED_DLT,
          payload: event,
          headers: DeliveryHeaders.deadLetter(consumed.message.headers, origin, 'unreadable-site', problem),
        },
        nextAttemptAt: null,
        nextCycleStep: 0,
      },
    );
    this.relay.wake();
    this.metrics.deadLettered.inc({ reason: 'unreadable-site' });
    this.log.error({
      message: `Lead ${leadId} dead-lettered: ${problem} (fix the key, then replay it)`,
      leadId,
      site: claim.site.hostname,
      attempt,
    });
    return DONE;
  }

  /** Early for its real due time (a long Retry-After): back onto the same topic, to be read again within its tier's delay. */
  private async hop(consumed: ConsumedMessage, dueAt: number): Promise<HandlerOutcome> {
    const { message } = consumed;
    await this.publisher.publish(consumed.physicalTopic, [
      {
        key: message.key?.toString() ?? '',
        value: message.value ?? '',
        headers: textHeaders(message.headers),
      },
    ]);
    this.log.debug({
      message: `Message for lead ${message.key?.toString()} is due at ${new Date(dueAt).toISOString()}; parked again`,
      topic: consumed.topic,
    });
    return DONE;
  }

  /**
   * An event that cannot be understood goes to the DLT with the reason, never crashes the consumer; its lead (the
   * message key) is marked FAILED with that reason, so it shows as failed and can be replayed once this is fixed.
   */
  private async deadLetterUnreadable(
    consumed: ConsumedMessage,
    code: string,
    reason: string,
  ): Promise<HandlerOutcome> {
    const key = consumed.message.key?.toString() ?? '';
    const origin = { topic: consumed.topic, partition: consumed.partition, offset: consumed.message.offset };
    await this.publisher.publish(this.topics.dlt, [
      {
        key,
        value: consumed.message.value ?? '',
        headers: DeliveryHeaders.deadLetter(consumed.message.headers, origin, code, reason),
      },
    ]);
    const failed = UUID.test(key)
      ? await this.lock.failUndeliverable(key, `undeliverable event (${code}): ${reason}`)
      : false;
    this.metrics.deadLettered.inc({ reason: code });
    this.log.error({
      message: `Dead-lettered an unreadable message (${code}): ${reason}`,
      leadId: key || null,
      leadMarkedFailed: failed,
      ...origin,
    });
    return DONE;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function textHeaders(headers: ConsumedMessage['message']['headers']): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers ?? {}).flatMap(([name, value]) =>
      value === undefined ? [] : [[name, (Array.isArray(value) ? value[0] : value).toString()]],
    ),
  );
}
