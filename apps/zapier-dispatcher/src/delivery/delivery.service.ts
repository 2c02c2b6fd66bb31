import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  buildZapierPayload,
  HEADERS,
  headerText,
  type LeadCreatedEvent,
  parseLeadCreatedEvent,
  parseRetryAfter,
  planNextAttempt,
  readRetryState,
  RETRY_TIERS,
  TopicNames,
} from '@leadhooks/contracts';
import { type AttemptRecord, type ClaimResult, LeadLockRepository } from '@leadhooks/db';
import { type ConsumedMessage, DONE, EventPublisher, type HandlerOutcome } from '@leadhooks/messaging';
import { activeSecrets, maskUrl, signWebhook, type WebhookResult, WebhookSender } from '@leadhooks/webhooks';
import { TokenBucketLimiter } from '@leadhooks/throttling';
import { DISPATCHER_CONFIG } from '../config/config.module.js';
import type { DispatcherConfig } from '../config/dispatcher.config.js';
import { DeliveryMetrics } from '../metrics/delivery-metrics.js';
import { nextTierHeaders } from './retry-headers.js';

/** The attempt's tier for records and logs: main, a retry tier, or `replay` for the first try of a DLT replay. */
function tierLabel(cycleStep: number, consumed: ConsumedMessage): string {
  if (cycleStep > 0) return RETRY_TIERS[cycleStep - 1] ?? 'main';
  return headerText(consumed.message.headers, HEADERS.replayId) ? 'replay' : 'main';
}

/** How long to wait before re-checking a lead whose lease another delivery holds. */
const LEASE_RECHECK_MAX_MS = 1_000;

interface Attempt {
  consumed: ConsumedMessage;
  event: LeadCreatedEvent;
  leadId: string;
  attempt: number;
  cycleStep: number;
  tier: string;
}

/**
 * One delivery attempt for one message: lead lock → POST → record → next tier / DLT.
 * The next-tier (or DLT) publish happens before the handler returns `done`, i.e. before the offset can be
 * committed, so a crash at any point leaves the lead retried, never dropped.
 */
@Injectable()
export class DeliveryService {
  private readonly log = new Logger(DeliveryService.name);
  private readonly rateLimiter: TokenBucketLimiter;

  constructor(
    @Inject(DISPATCHER_CONFIG) private readonly config: DispatcherConfig,
    @Inject(LeadLockRepository) private readonly lock: LeadLockRepository,
    @Inject(EventPublisher) private readonly publisher: EventPublisher,
    @Inject(TopicNames) private readonly topics: TopicNames,
    @Inject(WebhookSender) private readonly sender: WebhookSender,
    @Inject(DeliveryMetrics) private readonly metrics: DeliveryMetrics,
  ) {
    this.rateLimiter = new TokenBucketLimiter(config.siteRateLimitPerSecond);
  }

  async handle(consumed: ConsumedMessage): Promise<HandlerOutcome> {
    const parsed = parseLeadCreatedEvent(consumed.message.value ?? '');
    if (!parsed.ok) return this.deadLetterInvalid(consumed, parsed.code, parsed.reason);
    const { attempt, cycleStep } = readRetryState(consumed.message.headers);
    const current: Attempt = {
      consumed,
      event: parsed.event,
      leadId: parsed.event.data.lead_id,
      attempt,
      cycleStep,
      tier: tierLabel(cycleStep, consumed),
    };
    const waitMs = this.rateLimiter.take(parsed.event.data.site_id);
    if (waitMs > 0) return { kind: 'defer', untilMs: Date.now() + waitMs, reason: 'site rate limit' };

    const claim = await this.lock.claim(
      current.leadId,
      attempt,
      this.config.webhookTimeoutMs + this.config.leaseMarginMs,
    );
    if (claim.kind !== 'claimed') return this.skip(current, claim);
    return this.deliver(current, claim);
  }

  private skip(current: Attempt, claim: Exclude<ClaimResult, { kind: 'claimed' }>): HandlerOutcome {
    const { leadId, attempt, consumed } = current;
    if (claim.kind === 'leased') {
      return {
        kind: 'defer',
        untilMs: Math.min(claim.until.getTime() + 50, Date.now() + LEASE_RECHECK_MAX_MS),
        reason: 'lead leased',
      };
    }
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

  private async deliver(
    current: Attempt,
    claim: Extract<ClaimResult, { kind: 'claimed' }>,
  ): Promise<HandlerOutcome> {
    const { event, leadId, attempt, tier } = current;
    const startedAt = new Date();
    const body = JSON.stringify(buildZapierPayload(event, claim.site, attempt));
    const url = claim.site.zapier.webhookUrl ?? '';
    const signature = signWebhook(
      activeSecrets(claim.site.zapier),
      event.id,
      Math.floor(startedAt.getTime() / 1000),
      body,
    );
    this.metrics.inFlight.inc();
    const result = await this.withHeartbeats(current.consumed, () =>
      this.sender.post(url, body, { ...signature }),
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
    if (result.ok) {
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
    return this.handleFailure(current, claim.token, result, record, context);
  }

  private async handleFailure(
    current: Attempt,
    token: string,
    result: WebhookResult,
    record: AttemptRecord,
    context: Record<string, unknown>,
  ): Promise<HandlerOutcome> {
    const { consumed, leadId, attempt, cycleStep, tier } = current;
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
    const headers = nextTierHeaders(consumed, attempt, tier, result, next, new Date(now));
    const topic = next.kind === 'retry' ? this.topics.retry(next.topicTier) : this.topics.dlt;
    // Hand on first: once this resolves the lead survives any crash that follows.
    await this.publisher.publish(topic, [{ key: leadId, value: consumed.message.value ?? '', headers }]);
    await this.lock.recordFailure(leadId, token, record, next.kind === 'dead-letter');
    const outcome =
      result.errorClass === 'forbidden-target'
        ? 'forbidden_target'
        : next.kind === 'retry'
          ? 'retry'
          : 'dead_letter';
    this.metrics.deliveries.inc({ outcome, tier });
    if (next.kind === 'retry') {
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

  /** Events that cannot be understood go to the DLT with the reason, never crash the consumer. */
  private async deadLetterInvalid(
    consumed: ConsumedMessage,
    code: string,
    reason: string,
  ): Promise<HandlerOutcome> {
    this.log.error({
      message: `Dead-lettering an unreadable message: ${reason}`,
      topic: consumed.topic,
      partition: consumed.partition,
      offset: consumed.message.offset,
    });
    await this.publisher.publish(this.topics.dlt, [
      {
        key: consumed.message.key?.toString() ?? '',
        value: consumed.message.value ?? '',
        headers: {
          [HEADERS.deadLetterReason]: code,
          [HEADERS.lastError]: reason.slice(0, 500),
          [HEADERS.originalTopic]: consumed.topic,
          [HEADERS.originalPartition]: String(consumed.partition),
          [HEADERS.originalOffset]: consumed.message.offset,
        },
      },
    ]);
    this.metrics.deadLettered.inc({ reason: code });
    return DONE;
  }

  /** Keeps the consumer group membership alive while an HTTP call is in flight. */
  private async withHeartbeats<T>(consumed: ConsumedMessage, work: () => Promise<T>): Promise<T> {
    const timer = setInterval(() => void consumed.heartbeat().catch(() => undefined), 3_000);
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  }
}
