import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  DeliveryHeaders,
  dltTopic,
  eventSiteHostname,
  type EventType,
  LEAD_CREATED_TYPE,
  parseWireLeadEvent,
  RETRY_TIERS,
  type RetryState,
  TopicNames,
  topicInfo,
} from '@leadhooks/contracts';
import { DeliveryLockRepository, type FannedOutDelivery } from '@leadhooks/db';
import { type ConsumedMessage, DONE, EventPublisher, type HandlerOutcome } from '@leadhooks/messaging';
import { DeliveryMetrics } from '../metrics/delivery-metrics.js';
import { type DeliveryAttemptContext, DeliveryRunner } from './delivery-runner.service.js';
import { EndpointRates } from './endpoint-rates.js';

/** A message found before its real due time (it hopped through a tier) goes back if it is still this early. */
const HOP_SLACK_MS = 500;

/**
 * One consumed message → its deliveries. A fresh event (no delivery named in its headers) fans out: one delivery
 * per endpoint subscribed now, created idempotently and leased in the same statement, all attempted at once and
 * each independent of the others (one failing endpoint retries alone, through its own retry message). A retry,
 * replay or redelivery names its delivery and attempts that one only.
 *
 * When any delivery of a message must wait (a lease held elsewhere, an endpoint's rate limit), the message is
 * deferred after the others ran; consumed again, the ones already done are no-ops (their attempt is no longer next).
 */
@Injectable()
export class DeliveryService {
  private readonly log = new Logger(DeliveryService.name);
  private readonly rates = new EndpointRates();

  constructor(
    @Inject(DeliveryLockRepository) private readonly lock: DeliveryLockRepository,
    @Inject(DeliveryRunner) private readonly runner: DeliveryRunner,
    @Inject(EventPublisher) private readonly publisher: EventPublisher,
    @Inject(TopicNames) private readonly topics: TopicNames,
    @Inject(DeliveryMetrics) private readonly metrics: DeliveryMetrics,
  ) {}

  /** Handles one message; a failure comes back as `failed` with its error (the transport retries, then dead-letters). */
  async handle(consumed: ConsumedMessage): Promise<HandlerOutcome> {
    try {
      return await this.attempt(consumed);
    } catch (error) {
      return { kind: 'failed', error: error instanceof Error ? error.message : String(error) };
    }
  }

  private async attempt(consumed: ConsumedMessage): Promise<HandlerOutcome> {
    const family = topicInfo(consumed.topic)?.event ?? LEAD_CREATED_TYPE;
    const state = DeliveryHeaders.read(consumed.message.headers);
    // Sealed events (docs/privacy.md) are checked here by their readable ids; the rest once opened at send time.
    const parsed = parseWireLeadEvent(consumed.message.value ?? '');
    if (!parsed.ok) return this.deadLetterUnreadable(consumed, family, state, parsed.code, parsed.reason);
    if (parsed.event.type !== family) {
      const reason = `a ${parsed.event.type} event on the ${family} topic family`;
      return this.deadLetterUnreadable(consumed, family, state, 'invalid-event', reason);
    }
    if (state.dueAt !== undefined && state.dueAt > Date.now() + HOP_SLACK_MS)
      return this.hop(consumed, state.dueAt);
    const context: DeliveryAttemptContext = {
      consumed,
      event: parsed.event,
      attempt: state.attempt,
      cycleStep: state.cycleStep,
      tier:
        state.cycleStep > 0
          ? (RETRY_TIERS[state.cycleStep - 1] ?? 'main')
          : state.replayId
            ? 'replay'
            : 'main',
    };
    if (state.deliveryId) {
      const endpointId = state.endpointId;
      const wait = endpointId ? this.runner.rateWait(endpointId, this.rates.of(endpointId)) : 0;
      if (wait > 0) return { kind: 'defer', untilMs: Date.now() + wait, reason: 'endpoint rate limit' };
      // Every slot of the endpoint or its site taken: look again later rather than take a lease to give back.
      if (!this.runner.slots.free(parsed.event.data.site_id, endpointId))
        return { kind: 'defer', untilMs: Date.now() + this.runner.slotWaitMs, reason: 'in-flight limit' };
      // Likewise a custom endpoint whose mapping queue is full: its render would be refused after the claim.
      if (endpointId && this.runner.mappingBusy(endpointId)) return this.mappingBusy();
      const claim = await this.lock.claim(state.deliveryId, state.attempt, this.runner.lease);
      if (claim.kind === 'claimed') this.rates.learn(claim.target.site.id, claim.target.endpoint);
      return this.runner.run(context, claim);
    }
    return this.fanOut(context);
  }

  /**
   * A message whose handler kept throwing (a poison message: e.g. an event id Postgres refuses as a uuid) goes to its
   * family's DLT with the reason `poison`; the delivery it names, or its lead's lead.created, ends FAILED.
   */
  async deadLetterPoison(consumed: ConsumedMessage, reason: string): Promise<void> {
    const family = topicInfo(consumed.topic)?.event ?? LEAD_CREATED_TYPE;
    const state = DeliveryHeaders.read(consumed.message.headers);
    await this.deadLetterUnreadable(consumed, family, state, 'poison', reason);
  }

  private async fanOut(context: DeliveryAttemptContext): Promise<HandlerOutcome> {
    const { event } = context;
    // Skip the statement while an endpoint of this site known to take this event has no token: it would only
    // create leases to give back.
    const wait = this.rates.waitForSite(event.data.site_id, event.type, (id, rate) =>
      this.runner.rateWait(id, rate),
    );
    if (wait > 0) return { kind: 'defer', untilMs: Date.now() + wait, reason: 'endpoint rate limit' };
    // A known custom endpoint of the site with its mapping queue full would be claimed only to be given back (a
    // statement, a release and the fan-out again at each look): the message waits in memory instead, as for a rate.
    if (this.rates.mappingBusyForSite(event.data.site_id, event.type, (id) => this.runner.mappingBusy(id)))
      return this.mappingBusy();
    const result = await this.lock.fanOut(
      { id: event.id, type: event.type, leadId: event.data.lead_id },
      this.runner.lease,
    );
    if (result.leadMissing) {
      this.metrics.skipped.inc({ reason: 'missing' });
      this.log.warn({
        message: `Lead ${event.data.lead_id} does not exist; ${event.type} skipped`,
        leadId: event.data.lead_id,
        event: event.type,
        topic: context.consumed.topic,
      });
      return DONE;
    }
    if (!result.deliveries.length) {
      this.metrics.skipped.inc({ reason: 'no-endpoint' });
      this.log.debug({
        message: `No endpoint of site ${event.data.site_id} takes ${event.type}; lead ${event.data.lead_id} not sent`,
        leadId: event.data.lead_id,
        siteId: event.data.site_id,
        site: eventSiteHostname(event),
        event: event.type,
      });
      return DONE;
    }
    const outcomes = await Promise.all(result.deliveries.map((delivery) => this.runOne(context, delivery)));
    return combine(outcomes);
  }

  private mappingBusy(): HandlerOutcome {
    return {
      kind: 'defer',
      untilMs: Date.now() + this.runner.mappingBusyRetryMs,
      reason: 'endpoint mapping busy',
    };
  }

  private async runOne(
    context: DeliveryAttemptContext,
    delivery: FannedOutDelivery,
  ): Promise<HandlerOutcome> {
    const claim =
      delivery.kind === 'created'
        ? delivery.claim
        : await this.lock.claim(delivery.deliveryId, context.attempt, this.runner.lease);
    if (claim.kind === 'claimed') this.rates.learn(claim.target.site.id, claim.target.endpoint);
    return this.runner.run(context, claim);
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
   * An event that cannot be understood goes to its family's DLT with the reason, never crashes the consumer. The
   * delivery it names ends FAILED with that reason; a lead.created that cannot be fanned out marks its lead (the
   * message key) FAILED. Either shows as failed and can be replayed once this is fixed (the replay rebuilds the event).
   */
  private async deadLetterUnreadable(
    consumed: ConsumedMessage,
    family: EventType,
    state: RetryState,
    code: string,
    reason: string,
  ): Promise<HandlerOutcome> {
    const key = consumed.message.key?.toString() ?? '';
    const origin = { topic: consumed.topic, partition: consumed.partition, offset: consumed.message.offset };
    await this.publisher.publish(this.topics.physical(dltTopic(family)), [
      {
        key,
        value: consumed.message.value ?? '',
        headers: DeliveryHeaders.deadLetter(consumed.message.headers, origin, code, reason),
      },
    ]);
    const undeliverable = `undeliverable event (${code}): ${reason}`;
    const failed = state.deliveryId
      ? await this.lock.failUndeliverable({ deliveryId: state.deliveryId }, undeliverable)
      : family === LEAD_CREATED_TYPE && UUID.test(key)
        ? await this.lock.failUndeliverable({ leadId: key }, undeliverable)
        : false;
    this.metrics.deadLettered.inc({ event: family, reason: code });
    this.log.error({
      message: `Dead-lettered an unreadable ${family} message (${code}): ${reason}`,
      leadId: key || null,
      deliveryId: state.deliveryId ?? null,
      markedFailed: failed,
      ...origin,
    });
    return DONE;
  }
}

/** Done when every delivery is; otherwise deferred until the earliest wait ends. */
function combine(outcomes: HandlerOutcome[]): HandlerOutcome {
  let earliest: Extract<HandlerOutcome, { kind: 'defer' }> | undefined;
  for (const outcome of outcomes)
    if (outcome.kind === 'defer' && (!earliest || outcome.untilMs < earliest.untilMs)) earliest = outcome;
  return earliest ?? DONE;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function textHeaders(headers: ConsumedMessage['message']['headers']): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers ?? {}).flatMap(([name, value]) =>
      value === undefined ? [] : [[name, (Array.isArray(value) ? value[0] : value).toString()]],
    ),
  );
}
