/** The event types the product publishes; each has its own topic family (main, retry tiers, DLT). */
export const EVENT_TYPES = ['lead.created', 'lead.updated', 'lead.deleted'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Kafka topic names (SPEC §10, §11). Retry topics are named by their default tier even when delays are scaled. */
export const LEAD_CREATED_TOPIC = 'lead.created';
export const LEAD_UPDATED_TOPIC = 'lead.updated';
export const LEAD_DELETED_TOPIC = 'lead.deleted';
export const RETRY_TIERS = ['1m', '2m', '4m', '8m', '16m'] as const;
export type RetryTier = (typeof RETRY_TIERS)[number];
export const LEAD_CREATED_DLT = 'lead.created.dlt';
export const LEAD_UPDATED_DLT = 'lead.updated.dlt';
export const LEAD_DELETED_DLT = 'lead.deleted.dlt';

export function isEventType(value: unknown): value is EventType {
  return (EVENT_TYPES as readonly unknown[]).includes(value);
}

/** `lead.created.retry.1m` … for an event family (lead.created by default). */
export function retryTopic(tier: RetryTier, event: EventType = 'lead.created'): string {
  return `${event}.retry.${tier}`;
}

export function dltTopic(event: EventType = 'lead.created'): string {
  return `${event}.dlt`;
}

/** Every topic the product uses, per event family in delivery order: main, retry tiers, DLT. */
export const ALL_TOPICS: readonly string[] = EVENT_TYPES.flatMap((event) => [
  event,
  ...RETRY_TIERS.map((tier) => retryTopic(tier, event)),
  dltTopic(event),
]);

/** Each family's retry tiers. */
export const RETRY_TOPICS: readonly string[] = EVENT_TYPES.flatMap((event) =>
  RETRY_TIERS.map((tier) => retryTopic(tier, event)),
);

/** What the dispatcher consumes: each family's main topic and retry tiers (never a DLT). */
export const CONSUMED_TOPICS: readonly string[] = [...EVENT_TYPES, ...RETRY_TOPICS];

/** Which family a logical topic belongs to, and which tier it is (undefined: the main topic), or undefined. */
export function topicInfo(
  logical: string,
): { event: EventType; tier: RetryTier | undefined; dlt: boolean } | undefined {
  for (const event of EVENT_TYPES) {
    if (logical === event) return { event, tier: undefined, dlt: false };
    if (logical === dltTopic(event)) return { event, tier: undefined, dlt: true };
    const tier = RETRY_TIERS.find((candidate) => retryTopic(candidate, event) === logical);
    if (tier) return { event, tier, dlt: false };
  }
  return undefined;
}

/** The retry tier a logical topic is, or undefined for a main topic and a DLT. */
export function tierOfTopic(logical: string): RetryTier | undefined {
  return topicInfo(logical)?.tier;
}

/**
 * Physical topic names on the broker. A prefix lets several environments (or test files) share
 * one cluster; production normally uses none.
 */
export class TopicNames {
  constructor(readonly prefix = '') {}

  physical(logical: string): string {
    return `${this.prefix}${logical}`;
  }

  logical(physical: string): string {
    return physical.startsWith(this.prefix) ? physical.slice(this.prefix.length) : physical;
  }

  /** lead.created's main topic (the default family everywhere). */
  get main(): string {
    return this.physical(LEAD_CREATED_TOPIC);
  }

  get dlt(): string {
    return this.physical(LEAD_CREATED_DLT);
  }

  mainOf(event: EventType): string {
    return this.physical(event);
  }

  dltOf(event: EventType): string {
    return this.physical(dltTopic(event));
  }

  retry(tier: RetryTier, event: EventType = 'lead.created'): string {
    return this.physical(retryTopic(tier, event));
  }

  all(): string[] {
    return ALL_TOPICS.map((topic) => this.physical(topic));
  }
}
