import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import {
  cutOptional,
  type EventType,
  LEAD_CREATED_TYPE,
  LEAD_DELETED_TYPE,
  LEAD_UPDATED_TYPE,
  sanitizeText,
  type SiteIdentity,
  ZAPIER_ENDPOINT_NAME,
} from '@leadhooks/contracts';
import { poolQuery, type PoolQuery } from '../batching/pool-query.js';
import { GroupCommit, type GroupCommitOptions } from '../batching/group-commit.js';
import type { DeliveryStatus } from '../entities/index.js';
import type { Endpoint, EndpointRepository, SealedEndpointRow } from './endpoint.repository.js';
import type { LeadKeyRepository } from './lead-key.repository.js';

/** Where a claimed delivery goes: the endpoint (opened) and the site it belongs to. */
export interface DeliveryTarget {
  site: SiteIdentity;
  endpoint: Endpoint;
}

/** Why a delivery ends SKIPPED without a request (`erased`: its lead's personal data was erased). */
export type SkipReason =
  'endpoint-deleted' | 'endpoint-disabled' | 'endpoint-unsubscribed' | 'superseded' | 'erased';

/** What the lock saw when a message asked to attempt one delivery. */
export type ClaimResult =
  | {
      kind: 'claimed';
      deliveryId: string;
      token: string;
      target: DeliveryTarget;
      /** The lead's data key, which opens its sealed event (docs/privacy.md); null: the lead has none (an older lead). */
      dataKey: Buffer | null;
      attemptCount: number;
      leaseUntil: Date;
      /**
       * Local monotonic time (performance.now()) by which the lease ends, measured conservatively from before the
       * claim was sent: the lease's remaining time by the database clock, counted from that earlier instant.
       */
      leaseDeadline: number;
    }
  | { kind: 'missing' }
  | { kind: 'already-sent' }
  | { kind: 'not-pending'; status: DeliveryStatus }
  | { kind: 'stale'; attemptCount: number }
  | { kind: 'leased'; until: Date }
  | { kind: 'skipped'; reason: SkipReason };

/** One delivery of a fanned-out event: claimed at creation (the usual case), or found existing (claim it). */
export type FannedOutDelivery =
  | {
      kind: 'created';
      deliveryId: string;
      endpointId: string;
      claim: Extract<ClaimResult, { kind: 'claimed' }>;
    }
  | { kind: 'existing'; deliveryId: string; endpointId: string };

export interface FanOutResult {
  /** The event's lead does not exist (deleted, or a message from another database). */
  leadMissing: boolean;
  deliveries: FannedOutDelivery[];
}

export interface AttemptRecord {
  attempt: number;
  tier: string;
  startedAt: Date;
  durationMs: number;
  httpStatus: number | null;
  errorClass: string | null;
  error: string | null;
  responseSnippet: string | null;
}

/** The message that carries a failed delivery on (next retry tier or DLT), written with the failure itself. */
export interface HandOn {
  /** Logical topic. */
  topic: string;
  payload: unknown;
  headers: Record<string, string>;
}

export interface FailureOutcome {
  /** true: retries are exhausted (or pointless) and the delivery is FAILED; its hand-on goes to the DLT. */
  final: boolean;
  handOn: HandOn;
  /** When the next attempt is due (retry), for the stranded-delivery sweep. */
  nextAttemptAt: Date | null;
  /** Retry-cycle step of the next attempt. */
  nextCycleStep: number;
}

/** How long a lease lasts: the endpoint's timeout (or the default) plus a margin for recording the outcome. */
export interface LeasePolicy {
  defaultTimeoutMs: number;
  marginMs: number;
}

export const LAST_ERROR_MAX = 500;
export const RESPONSE_SNIPPET_MAX = 2_000;

/** Cut to `max` on a code point, NUL and unpaired surrogates replaced: what Postgres can store (see sanitize). */
export function truncate(text: string | null, max: number): string | null {
  return cutOptional(text, max);
}

/**
 * A lead.updated delivery is superseded when a newer version of its lead was already SENT to the same endpoint:
 * each event carries the whole lead, so sending the older one after it would revert the receiver's copy.
 * (`d` is the delivery, by that alias.)
 */
const SUPERSEDED = `
  d.event_type = '${LEAD_UPDATED_TYPE}' AND EXISTS (
    SELECT 1 FROM lead_update mine
      JOIN lead_update newer ON newer.lead_id = mine.lead_id AND newer.version > mine.version
      JOIN delivery sent ON sent.event_id = newer.event_id AND sent.endpoint_id = d.endpoint_id
     WHERE mine.event_id = d.event_id AND sent.status = 'SENT')`;

/**
 * Fan-out of many events in ONE statement: for each event, a delivery per endpoint of its lead's site that is
 * live, enabled, has a URL and is subscribed to the event's type at this moment; idempotent on (event, endpoint).
 * An erased lead gets deliveries of its lead.deleted only (ids, no personal data).
 * A new delivery is created already leased to the caller (one statement where a claim would be a second one).
 * Leads are locked in id order first. For lead.created, the lead's `zapier_status` follows the `zapier` delivery:
 * PENDING when one was created, NOT_CONFIGURED when there is none at all; a lead with no zapier delivery is marked
 * fanned out here (one with a zapier delivery is marked when that delivery's first outcome is recorded). A
 * lead.updated and a lead.deleted are marked fanned out here (`lead_update`, `lead_erasure`).
 * Returns the created deliveries with their lease, and the ones that existed already (the caller claims those).
 */
const FAN_OUT_BATCH = `
  WITH input AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS t(event_id uuid, event_type text, lead_id uuid,
                                                     default_timeout_ms int, margin_ms int)
     ORDER BY lead_id LIMIT $2
  ), lead_row AS (
    SELECT input.*, l.site_id
      FROM input CROSS JOIN LATERAL (
        SELECT id, site_id FROM lead
         WHERE lead.id = input.lead_id AND (lead.erased_at IS NULL OR input.event_type = '${LEAD_DELETED_TYPE}')
        OFFSET 0 FOR UPDATE) l
  ), subscribed AS (
    -- FOR KEY SHARE: a DELETE or disable of the endpoint (which locks it FOR UPDATE) waits for this statement, and
    -- this statement, had it waited, sees the endpoint as that change left it.
    SELECT lr.event_id, lr.event_type, lr.lead_id, lr.site_id, e.id AS endpoint_id,
           (e.name = '${ZAPIER_ENDPOINT_NAME}' AND e.kind = 'manual' AND lr.event_type = '${LEAD_CREATED_TYPE}') AS mirrors_lead,
           coalesce(e.timeout_ms, lr.default_timeout_ms) + lr.margin_ms AS lease_ms,
           (lr.event_type = '${LEAD_UPDATED_TYPE}' AND EXISTS (
              SELECT 1 FROM lead_update mine
                JOIN lead_update newer ON newer.lead_id = mine.lead_id AND newer.version > mine.version
                JOIN delivery sent ON sent.event_id = newer.event_id AND sent.endpoint_id = e.id
               WHERE mine.event_id = lr.event_id AND sent.status = 'SENT')) AS superseded
      FROM lead_row lr JOIN endpoint e ON e.site_id = lr.site_id
     WHERE e.deleted_at IS NULL AND e.enabled AND e.url IS NOT NULL AND lr.event_type = ANY (e.events)
       FOR KEY SHARE OF e
  ), created AS (
    -- A superseded lead.updated is created SKIPPED, never leased: it is not sent.
    INSERT INTO delivery (event_id, event_type, lead_id, site_id, endpoint_id, mirrors_lead, status, lock_token,
                          locked_until, next_attempt_at, last_error)
    SELECT event_id, event_type, lead_id, site_id, endpoint_id, mirrors_lead,
           CASE WHEN superseded THEN 'SKIPPED' ELSE 'PENDING' END,
           CASE WHEN superseded THEN NULL ELSE gen_random_uuid() END,
           CASE WHEN superseded THEN NULL ELSE now() + make_interval(secs => lease_ms / 1000.0) END,
           CASE WHEN superseded THEN NULL ELSE now() END,
           CASE WHEN superseded THEN 'superseded' END
      FROM subscribed
        ON CONFLICT (event_id, endpoint_id) DO NOTHING
    RETURNING id, event_id, lead_id, endpoint_id, mirrors_lead, lock_token, locked_until
  ), marked_leads AS (
    -- Touches the lead only when something changes: the usual case (a zapier delivery created for a PENDING lead)
    -- writes nothing here; recording that delivery's outcome marks the lead fanned out.
    UPDATE lead
       SET fanned_out_at = coalesce(lead.fanned_out_at, now()),
           zapier_status = CASE
             WHEN EXISTS (SELECT 1 FROM created c WHERE c.event_id = lr.event_id AND c.mirrors_lead) THEN 'PENDING'
             WHEN lead.zapier_status = 'PENDING'
              AND NOT EXISTS (SELECT 1 FROM subscribed s WHERE s.event_id = lr.event_id AND s.mirrors_lead)
              AND NOT EXISTS (SELECT 1 FROM delivery d WHERE d.event_id = lr.event_id AND d.mirrors_lead)
             THEN 'NOT_CONFIGURED'
             ELSE lead.zapier_status
           END
      FROM lead_row lr
     WHERE lead.id = lr.lead_id AND lr.event_type = '${LEAD_CREATED_TYPE}'
       AND CASE
             WHEN EXISTS (SELECT 1 FROM created c WHERE c.event_id = lr.event_id AND c.mirrors_lead)
             THEN lead.zapier_status IS DISTINCT FROM 'PENDING'
             ELSE lead.fanned_out_at IS NULL OR lead.zapier_status = 'PENDING'
           END
  ), marked_updates AS (
    UPDATE lead_update SET fanned_out_at = now()
      FROM lead_row lr WHERE lead_update.event_id = lr.event_id AND lead_update.fanned_out_at IS NULL
  ), marked_erasures AS (
    -- From the input, not lead_row: a lead.deleted whose lead row is gone (its site deleted) has nothing to fan
    -- out to, and is done too (the stranded sweep would otherwise publish it again and again).
    UPDATE lead_erasure SET fanned_out_at = now()
      FROM input WHERE lead_erasure.event_id = input.event_id AND input.event_type = '${LEAD_DELETED_TYPE}'
       AND lead_erasure.fanned_out_at IS NULL
  )
  SELECT c.event_id, 'created' AS kind, c.id AS delivery_id, c.endpoint_id, c.lock_token, c.locked_until,
         clock_timestamp() AS db_now, to_jsonb(e) AS endpoint, s.id AS site_id, s.hostname AS site_hostname,
         s.name AS site_name, lk.sealed_key AS data_key
    FROM created c JOIN endpoint e ON e.id = c.endpoint_id JOIN site s ON s.id = e.site_id
    LEFT JOIN lead_key lk ON lk.lead_id = c.lead_id
   WHERE c.lock_token IS NOT NULL
  UNION ALL
  SELECT d.event_id, 'existing', d.id, d.endpoint_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
    -- One index lookup per event (OFFSET 0 keeps it a lookup: a young table's statistics would make it a hash join
    -- over every delivery).
    FROM input CROSS JOIN LATERAL (SELECT * FROM delivery WHERE delivery.event_id = input.event_id OFFSET 0) d
  UNION ALL
  SELECT input.event_id, 'lead-found', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
    FROM input JOIN lead_row USING (event_id)`;

/**
 * The claim of one delivery, as a person would run it in psql (the statement below does the same for a batch):
 *
 *   BEGIN;
 *   SELECT d.status, d.attempt_count, d.locked_until, e.deleted_at, e.enabled, e.url IS NOT NULL, e.events
 *     FROM delivery d JOIN endpoint e ON e.id = d.endpoint_id WHERE d.id = :delivery FOR UPDATE OF d;
 *   -- SENT → already-sent; not PENDING → not-pending; :attempt <> attempt_count + 1 → stale;
 *   -- locked_until > now() → leased; lead erased (lead_key.erased_at), unless a lead.deleted → SKIPPED 'erased';
 *   -- endpoint deleted, disabled, without URL or unsubscribed → SKIPPED; else:
 *   UPDATE delivery SET lock_token = :token, locked_until = now() + :lease WHERE id = :delivery;
 *   COMMIT;
 */
const CLAIM_BATCH = `
  WITH input AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS t(delivery_id uuid, attempt int, token uuid,
                                                     default_timeout_ms int, margin_ms int)
     ORDER BY delivery_id LIMIT $2
  ), target AS (
    SELECT d.id, d.lead_id, d.mirrors_lead, d.status, d.attempt_count, d.locked_until, input.token,
           coalesce(e.timeout_ms, input.default_timeout_ms) + input.margin_ms AS lease_ms,
           CASE
             WHEN d.status = 'SENT' THEN 'already-sent'
             WHEN d.status <> 'PENDING' THEN 'not-pending'
             WHEN input.attempt <> d.attempt_count + 1 THEN 'stale'
             WHEN d.locked_until > now() THEN 'leased'
             WHEN lk.erased_at IS NOT NULL AND d.event_type <> '${LEAD_DELETED_TYPE}' THEN 'erased'
             WHEN e.deleted_at IS NOT NULL THEN 'endpoint-deleted'
             WHEN NOT e.enabled OR e.url IS NULL THEN 'endpoint-disabled'
             WHEN NOT (d.event_type = ANY (e.events)) THEN 'endpoint-unsubscribed'
             WHEN ${SUPERSEDED} THEN 'superseded'
             ELSE 'claimed'
           END AS verdict,
           to_jsonb(e) AS endpoint, s.id AS site_id, s.hostname AS site_hostname, s.name AS site_name,
           lk.sealed_key AS data_key
      FROM input
     CROSS JOIN LATERAL (SELECT * FROM delivery WHERE delivery.id = input.delivery_id OFFSET 0 FOR UPDATE) d
     -- The endpoint as it is now, not as this statement's snapshot saw it: a DELETE or disable that committed while
     -- this statement waited for the delivery's row is seen (a locking read returns the newest version), and one
     -- that comes later waits for this statement (it locks the endpoint FOR UPDATE, which KEY SHARE holds off).
     CROSS JOIN LATERAL (SELECT * FROM endpoint WHERE endpoint.id = d.endpoint_id OFFSET 0 FOR KEY SHARE) e
      JOIN site s ON s.id = d.site_id
      LEFT JOIN lead_key lk ON lk.lead_id = d.lead_id
  ), leased AS (
    UPDATE delivery SET lock_token = target.token, locked_until = now() + make_interval(secs => target.lease_ms / 1000.0)
      FROM target WHERE delivery.id = target.id AND target.verdict = 'claimed'
    RETURNING delivery.id, delivery.locked_until
  ), skipped AS (
    UPDATE delivery SET status = 'SKIPPED', next_attempt_at = NULL, updated_at = now(),
                        last_error = replace(target.verdict, '-', ' ')
      FROM target WHERE delivery.id = target.id
       AND (target.verdict LIKE 'endpoint-%' OR target.verdict IN ('superseded', 'erased'))
    RETURNING delivery.lead_id, delivery.mirrors_lead, target.verdict
  ), unmirrored AS (
    UPDATE lead SET zapier_status = 'NOT_CONFIGURED', fanned_out_at = coalesce(lead.fanned_out_at, now())
      FROM skipped WHERE lead.id = skipped.lead_id AND skipped.mirrors_lead AND lead.zapier_status = 'PENDING'
       AND skipped.verdict <> 'erased'
  )
  SELECT target.id, target.verdict, target.status, target.attempt_count, target.locked_until,
         leased.locked_until AS lease_until, clock_timestamp() AS db_now,
         CASE WHEN target.verdict = 'claimed' THEN target.endpoint END AS endpoint,
         CASE WHEN target.verdict = 'claimed' THEN target.data_key END AS data_key,
         target.site_id, target.site_hostname, target.site_name
    FROM target LEFT JOIN leased USING (id)`;

/**
 * Many outcomes in ONE statement. Each delivery is updated only while it still holds the caller's token; a
 * failure's hand-on (next tier or DLT) is written to the outbox by the same statement, so a recorded failure and
 * the message that carries the delivery on cannot exist one without the other. The `zapier` lead.created
 * delivery's state is mirrored on its lead (SPEC §10). Every HTTP attempt leaves a delivery_attempt row, marked
 * `lease_lost` when the lease had been taken over (its outcome changed nothing). A zapier_rest_hook endpoint that
 * answered 410 is removed by the same statement (its Zap was deleted). Rows are locked in id order, as claims lock them.
 */
const RECORD_BATCH = `
  WITH input AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS t(
      delivery_id uuid, token uuid, status text, attempt int, started_at timestamptz, last_error text, tier text,
      duration_ms int, http_status int, error_class text, response_snippet text, next_attempt_at timestamptz,
      cycle_step int, hand_on_topic text, hand_on_payload jsonb, hand_on_headers jsonb, remove_endpoint boolean)
     ORDER BY delivery_id LIMIT $2
  ), locked AS (
    SELECT d.lead_id, d.endpoint_id, d.event_type, d.mirrors_lead, input.*
      FROM input
     CROSS JOIN LATERAL (
       SELECT * FROM delivery WHERE delivery.id = input.delivery_id AND delivery.lock_token = input.token
       OFFSET 0 FOR UPDATE) d
  ), updated AS (
    UPDATE delivery
       SET status = locked.status,
           attempt_count = locked.attempt,
           last_attempt_at = locked.started_at,
           last_status = locked.http_status,
           last_error = locked.last_error,
           sent_at = CASE WHEN locked.status = 'SENT' THEN now() ELSE delivery.sent_at END,
           next_attempt_at = locked.next_attempt_at,
           cycle_step = locked.cycle_step,
           lock_token = NULL,
           locked_until = NULL,
           updated_at = now()
      FROM locked
     WHERE delivery.id = locked.delivery_id AND delivery.lock_token = locked.token
     RETURNING locked.*
  ), mirrored AS (
    UPDATE lead
       SET zapier_status = CASE WHEN updated.status = 'SKIPPED' THEN 'NOT_CONFIGURED' ELSE updated.status END,
           zapier_attempt_count = updated.attempt,
           zapier_last_attempt_at = updated.started_at,
           zapier_last_error = updated.last_error,
           zapier_sent_at = CASE WHEN updated.status = 'SENT' THEN now() ELSE lead.zapier_sent_at END,
           fanned_out_at = coalesce(lead.fanned_out_at, now())
      FROM updated
     WHERE lead.id = updated.lead_id AND updated.mirrors_lead
  ), attempts AS (
    INSERT INTO delivery_attempt (lead_id, delivery_id, endpoint_id, event_type, attempt, tier, started_at,
                                  duration_ms, http_status, error_class, error, response_snippet, lease_lost)
    SELECT d.lead_id, d.id, d.endpoint_id, d.event_type, input.attempt, input.tier, input.started_at,
           input.duration_ms, input.http_status, input.error_class, input.last_error, input.response_snippet,
           NOT EXISTS (SELECT 1 FROM updated WHERE updated.delivery_id = input.delivery_id AND updated.token = input.token)
      FROM input CROSS JOIN LATERAL (SELECT * FROM delivery WHERE delivery.id = input.delivery_id OFFSET 0) d
  ), handed_on AS (
    INSERT INTO outbox (aggregate_id, topic, event_type, payload, headers)
    SELECT lead_id, hand_on_topic, event_type, hand_on_payload, hand_on_headers
      FROM updated WHERE hand_on_topic IS NOT NULL
  ), removed AS (
    UPDATE endpoint SET deleted_at = now(), enabled = false, updated_at = now()
      FROM updated WHERE endpoint.id = updated.endpoint_id AND updated.remove_endpoint
       AND endpoint.kind = 'zapier_rest_hook' AND endpoint.deleted_at IS NULL
  )
  SELECT delivery_id, token FROM updated`;

/**
 * The delivery lock: per (event, endpoint), one attempt in flight and never a second request after a recorded 2xx
 * (SPEC §1 and §6, per delivery as §11 asks).
 *
 * Shape (SPEC §6): one short statement takes the row with SELECT … FOR UPDATE, checks it and writes a lease
 * (a fresh lock_token and locked_until) as it commits; the HTTP call runs with no transaction and no pinned
 * connection; the outcome is written by one statement guarded by that token. Why this is safe under crashes:
 * the row lock serialises concurrent claimers, so only one sees the lease free; a process that dies mid-delivery
 * leaves a lease that simply expires (its message is consumed again and waits for that expiry), so the delivery
 * is retried, never stuck; and a slow process whose lease was taken over cannot overwrite the new holder's
 * outcome because its token no longer matches. The lease is longer than the endpoint's HTTP timeout, and a holder
 * that stalled after its claim (GC, VM pause, SIGSTOP) checks before sending that the lease still covers the
 * timeout (`leaseDeadline`), so a live holder finishes before anyone else may claim.
 * Fan-outs, claims and outcomes are group-committed: under load one statement serves many deliveries.
 */
export class DeliveryLockRepository {
  private readonly fanOuts: GroupCommit<FanOutRequest, FanOutResult>;
  private readonly claims: GroupCommit<ClaimRequest, ClaimResult>;
  private readonly outcomes: GroupCommit<OutcomeRequest, boolean>;
  private readonly hotQuery: PoolQuery;

  constructor(
    private readonly dataSource: DataSource,
    private readonly endpoints: EndpointRepository,
    private readonly leadKeys: LeadKeyRepository,
    batching: GroupCommitOptions = { concurrency: 4, maxBatch: 100 },
  ) {
    this.hotQuery = poolQuery(dataSource);
    this.fanOuts = new GroupCommit((requests) => this.fanOutBatch(requests), batching);
    this.claims = new GroupCommit((requests) => this.claimBatch(requests), batching);
    this.outcomes = new GroupCommit((requests) => this.recordBatch(requests), batching);
  }

  /**
   * Creates the deliveries of an event for the endpoints subscribed now (idempotent), each new one leased to the
   * caller; existing ones are returned for the caller to claim with the message's attempt number.
   */
  fanOut(event: { id: string; type: EventType; leadId: string }, lease: LeasePolicy): Promise<FanOutResult> {
    return this.fanOuts.submit({ ...event, lease, sentAt: performance.now() });
  }

  /** Checks the delivery and, when its next attempt may run, takes its lease (group-committed with other claims). */
  claim(deliveryId: string, attempt: number, lease: LeasePolicy): Promise<ClaimResult> {
    return this.claims.submit({ deliveryId, attempt, lease, token: randomUUID(), sentAt: performance.now() });
  }

  /** Records a 2xx: SENT, attempt row, lease released. False when the lease was lost (outcome discarded). */
  recordSuccess(deliveryId: string, token: string, record: AttemptRecord): Promise<boolean> {
    return this.outcomes.submit({
      deliveryId,
      token,
      record,
      status: 'SENT',
      nextAttemptAt: null,
      cycleStep: 0,
      handOn: null,
      removeEndpoint: false,
    });
  }

  /**
   * Records a failed attempt and, in the same statement, the message that carries the delivery on; `final` marks
   * it FAILED (its hand-on goes to the DLT). False when the lease was lost (nothing changed, nothing handed on).
   */
  recordFailure(
    deliveryId: string,
    token: string,
    record: AttemptRecord,
    outcome: FailureOutcome,
  ): Promise<boolean> {
    return this.outcomes.submit({
      deliveryId,
      token,
      record,
      status: outcome.final ? 'FAILED' : 'PENDING',
      nextAttemptAt: outcome.final ? null : outcome.nextAttemptAt,
      cycleStep: outcome.nextCycleStep,
      handOn: outcome.handOn,
      removeEndpoint: false,
    });
  }

  /**
   * A zapier_rest_hook endpoint answered 410 (its Zap is gone, SPEC §12): the attempt is recorded, the delivery
   * ends SKIPPED and the endpoint is removed, in one statement. False when the lease was lost.
   */
  recordGone(deliveryId: string, token: string, record: AttemptRecord): Promise<boolean> {
    return this.outcomes.submit({
      deliveryId,
      token,
      record,
      status: 'SKIPPED',
      nextAttemptAt: null,
      cycleStep: 0,
      handOn: null,
      removeEndpoint: true,
    });
  }

  /**
   * Gives a lease back without an attempt and, in the same statement, writes the message that carries the delivery
   * on (a delivery that found no free in-flight slot). False when the lease was already gone (nothing written).
   */
  async park(deliveryId: string, token: string, handOn: HandOn): Promise<boolean> {
    const [, affected]: [unknown, number] = await this.dataSource.query(
      `WITH released AS (
         UPDATE delivery SET lock_token = NULL, locked_until = NULL, updated_at = now()
          WHERE id = $1 AND lock_token = $2 RETURNING lead_id, event_type)
       INSERT INTO outbox (aggregate_id, topic, event_type, payload, headers)
       SELECT lead_id, $3, event_type, $4::jsonb, $5::jsonb FROM released`,
      [
        deliveryId,
        token,
        handOn.topic,
        JSON.stringify(handOn.payload),
        JSON.stringify(storableHeaders(handOn.headers)),
      ],
    );
    return affected === 1;
  }

  /**
   * Whether the lease is still this holder's and its endpoint still takes the delivery (not deleted, enabled, with a
   * URL, subscribed to the event), as committed now: a holder that waited after its claim (for an in-flight slot)
   * looks again before it sends, so a DELETE or disable that answered meanwhile gets no new request.
   */
  async stillSendable(deliveryId: string, token: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM delivery d JOIN endpoint e ON e.id = d.endpoint_id
        WHERE d.id = $1 AND d.lock_token = $2 AND d.status = 'PENDING'
          AND e.deleted_at IS NULL AND e.enabled AND e.url IS NOT NULL AND d.event_type = ANY (e.events)`,
      [deliveryId, token],
    );
    return rows.length === 1;
  }

  /** Gives a lease back without an attempt (a holder that may no longer send); false when it was already gone. */
  async release(deliveryId: string, token: string): Promise<boolean> {
    const [, affected]: [unknown, number] = await this.dataSource.query(
      `UPDATE delivery SET lock_token = NULL, locked_until = NULL WHERE id = $1 AND lock_token = $2`,
      [deliveryId, token],
    );
    return affected === 1;
  }

  /**
   * A message that cannot be delivered at all (an unreadable event): its delivery, when it names one, ends FAILED
   * with the reason; a lead.created that cannot be fanned out marks its lead FAILED (and fanned out: the dead
   * letter is its record, a replay rebuilds the event from the lead). Only PENDING, unleased state changes;
   * returns whether anything did.
   */
  async failUndeliverable(
    target: { deliveryId?: string; leadId?: string },
    reason: string,
  ): Promise<boolean> {
    const error = truncate(reason, LAST_ERROR_MAX);
    if (target.deliveryId) {
      const [rows]: [Array<{ lead_id: string; mirrors_lead: boolean }>, number] = await this.dataSource.query(
        `UPDATE delivery SET status = 'FAILED', last_error = $2, next_attempt_at = NULL, updated_at = now()
          WHERE id = $1 AND status = 'PENDING' AND (locked_until IS NULL OR locked_until <= now())
          RETURNING lead_id, mirrors_lead`,
        [target.deliveryId, error],
      );
      const row = rows[0];
      if (row?.mirrors_lead)
        await this.dataSource.query(
          `UPDATE lead SET zapier_status = 'FAILED', zapier_last_error = $2, fanned_out_at = coalesce(fanned_out_at, now())
            WHERE id = $1 AND zapier_status = 'PENDING'`,
          [row.lead_id, error],
        );
      return rows.length === 1;
    }
    if (!target.leadId) return false;
    const [, affected]: [unknown, number] = await this.dataSource.query(
      `UPDATE lead SET zapier_status = CASE WHEN zapier_status = 'PENDING' THEN 'FAILED' ELSE zapier_status END,
                       zapier_last_error = CASE WHEN zapier_status = 'PENDING' THEN $2 ELSE zapier_last_error END,
                       fanned_out_at = coalesce(fanned_out_at, now())
        WHERE id = $1 AND (zapier_status = 'PENDING' OR fanned_out_at IS NULL)`,
      [target.leadId, error],
    );
    return affected === 1;
  }

  private async fanOutBatch(requests: FanOutRequest[]): Promise<FanOutResult[]> {
    const firstOf = new Map<string, FanOutRequest>();
    for (const request of requests) if (!firstOf.has(request.id)) firstOf.set(request.id, request);
    const unique = [...firstOf.values()];
    const rows: FanOutRow[] = await this.hotQuery(FAN_OUT_BATCH, [
      JSON.stringify(
        unique.map((r) => ({
          event_id: r.id,
          event_type: r.type,
          lead_id: r.leadId,
          default_timeout_ms: r.lease.defaultTimeoutMs,
          margin_ms: r.lease.marginMs,
        })),
      ),
      unique.length,
    ]);
    const byEvent = new Map<string, FanOutRow[]>();
    for (const row of rows) byEvent.set(row.event_id, [...(byEvent.get(row.event_id) ?? []), row]);
    return requests.map((request): FanOutResult => {
      const eventRows = byEvent.get(request.id) ?? [];
      const leadFound = eventRows.some((row) => row.kind === 'lead-found');
      // The same event twice in one batch: the second copy finds the first one's deliveries existing.
      const duplicate = firstOf.get(request.id) !== request;
      const deliveries: FannedOutDelivery[] = [];
      for (const row of eventRows) {
        if (row.kind === 'lead-found' || row.delivery_id === null || row.endpoint_id === null) continue;
        if (row.kind === 'existing' || duplicate) {
          deliveries.push({ kind: 'existing', deliveryId: row.delivery_id, endpointId: row.endpoint_id });
          continue;
        }
        const leaseUntil = new Date(row.locked_until as Date | string);
        deliveries.push({
          kind: 'created',
          deliveryId: row.delivery_id,
          endpointId: row.endpoint_id,
          claim: {
            kind: 'claimed',
            deliveryId: row.delivery_id,
            token: row.lock_token as string,
            target: this.target(row),
            dataKey: this.leadKeys.open(row.data_key),
            attemptCount: 0,
            leaseUntil,
            leaseDeadline:
              request.sentAt + (leaseUntil.getTime() - new Date(row.db_now as Date | string).getTime()),
          },
        });
      }
      return { leadMissing: !leadFound, deliveries };
    });
  }

  /**
   * Many claims in ONE statement (its own transaction): `target` locks the deliveries FOR UPDATE in id order (so
   * concurrent batches cannot deadlock), and a concurrent claimer of the same delivery waits, then re-reads the
   * row as the winner committed it (READ COMMITTED re-check) and finds the lease taken. The verdict is the
   * statement's own. A delivery asked for twice in one batch is claimed once; the other request is told it is
   * leased and looks again shortly.
   */
  private async claimBatch(requests: ClaimRequest[]): Promise<ClaimResult[]> {
    const firstOf = new Map<string, ClaimRequest>();
    for (const request of requests)
      if (!firstOf.has(request.deliveryId)) firstOf.set(request.deliveryId, request);
    const rows: ClaimRow[] = await this.hotQuery(CLAIM_BATCH, [
      JSON.stringify(
        [...firstOf.values()].map((r) => ({
          delivery_id: r.deliveryId,
          attempt: r.attempt,
          token: r.token,
          default_timeout_ms: r.lease.defaultTimeoutMs,
          margin_ms: r.lease.marginMs,
        })),
      ),
      firstOf.size,
    ]);
    const byDelivery = new Map(rows.map((row) => [row.id, row]));
    return requests.map((request): ClaimResult => {
      if (firstOf.get(request.deliveryId) !== request)
        return { kind: 'leased', until: new Date(Date.now() + 200) };
      const row = byDelivery.get(request.deliveryId);
      return row ? this.claimResult(request, row) : { kind: 'missing' };
    });
  }

  private claimResult(request: ClaimRequest, row: ClaimRow): ClaimResult {
    switch (row.verdict) {
      case 'claimed': {
        const leaseUntil = new Date(row.lease_until as Date | string);
        const remainingMs = leaseUntil.getTime() - new Date(row.db_now).getTime();
        return {
          kind: 'claimed',
          deliveryId: request.deliveryId,
          token: request.token,
          target: this.target(row),
          dataKey: this.leadKeys.open(row.data_key),
          attemptCount: row.attempt_count,
          leaseUntil,
          leaseDeadline: request.sentAt + remainingMs,
        };
      }
      case 'already-sent':
        return { kind: 'already-sent' };
      case 'not-pending':
        return { kind: 'not-pending', status: row.status };
      case 'stale':
        return { kind: 'stale', attemptCount: row.attempt_count };
      case 'leased':
        return { kind: 'leased', until: new Date(row.locked_until as Date | string) };
      case 'endpoint-deleted':
      case 'endpoint-disabled':
      case 'endpoint-unsubscribed':
      case 'superseded':
      case 'erased':
        return { kind: 'skipped', reason: row.verdict };
    }
  }

  private target(row: {
    endpoint: unknown;
    site_id: string | null;
    site_hostname: string | null;
    site_name: string | null;
  }): DeliveryTarget {
    return {
      site: {
        id: row.site_id as string,
        hostname: row.site_hostname as string,
        name: row.site_name as string,
      },
      endpoint: this.endpoints.open(row.endpoint as SealedEndpointRow),
    };
  }

  private async recordBatch(requests: OutcomeRequest[]): Promise<boolean[]> {
    const rows: Array<{ delivery_id: string; token: string }> = await this.hotQuery(RECORD_BATCH, [
      JSON.stringify(
        requests.map(
          ({ deliveryId, token, record, status, nextAttemptAt, cycleStep, handOn, removeEndpoint }) => ({
            delivery_id: deliveryId,
            token,
            status,
            attempt: record.attempt,
            started_at: record.startedAt.toISOString(),
            last_error: status === 'SENT' ? null : truncate(record.error, LAST_ERROR_MAX),
            tier: record.tier,
            duration_ms: record.durationMs,
            http_status: record.httpStatus,
            error_class: truncate(record.errorClass, 100),
            response_snippet: truncate(record.responseSnippet, RESPONSE_SNIPPET_MAX),
            next_attempt_at: nextAttemptAt?.toISOString() ?? null,
            cycle_step: cycleStep,
            hand_on_topic: handOn?.topic ?? null,
            hand_on_payload: handOn?.payload ?? null,
            hand_on_headers: handOn ? storableHeaders(handOn.headers) : null,
            remove_endpoint: removeEndpoint,
          }),
        ),
      ),
      requests.length,
    ]);
    const recorded = new Set(rows.map((row) => `${row.delivery_id}/${row.token}`));
    return requests.map((request) => recorded.has(`${request.deliveryId}/${request.token}`));
  }
}

interface FanOutRequest {
  id: string;
  type: EventType;
  leadId: string;
  lease: LeasePolicy;
  /** performance.now() when the fan-out was submitted. */
  sentAt: number;
}

interface FanOutRow {
  event_id: string;
  kind: 'created' | 'existing' | 'lead-found';
  delivery_id: string | null;
  endpoint_id: string | null;
  lock_token: string | null;
  locked_until: Date | string | null;
  db_now: Date | string | null;
  endpoint: unknown;
  site_id: string | null;
  site_hostname: string | null;
  site_name: string | null;
  data_key: string | null;
}

interface ClaimRequest {
  deliveryId: string;
  attempt: number;
  lease: LeasePolicy;
  token: string;
  /** performance.now() when the claim was submitted. */
  sentAt: number;
}

interface ClaimRow {
  id: string;
  verdict: Exclude<ClaimResult['kind'], 'missing' | 'skipped'> | SkipReason;
  status: DeliveryStatus;
  attempt_count: number;
  locked_until: Date | string | null;
  lease_until: Date | string | null;
  db_now: Date | string;
  endpoint: unknown;
  site_id: string;
  site_hostname: string;
  site_name: string;
  data_key: string | null;
}

interface OutcomeRequest {
  deliveryId: string;
  token: string;
  record: AttemptRecord;
  status: DeliveryStatus;
  nextAttemptAt: Date | null;
  cycleStep: number;
  handOn: HandOn | null;
  removeEndpoint: boolean;
}

/** Header values as jsonb can hold them (a last error quoted from a receiver is sanitized, whatever built it). */
function storableHeaders(headers: Record<string, string>): Record<string, string> {
  const clean: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) clean[sanitizeText(name)] = sanitizeText(value);
  return clean;
}
