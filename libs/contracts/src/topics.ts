/** Kafka topic names (SPEC §10). Retry topics are named by their default tier even when delays are scaled. */
export const LEAD_CREATED_TOPIC = 'lead.created';
export const RETRY_TIERS = ['1m', '2m', '4m', '8m', '16m'] as const;
export type RetryTier = (typeof RETRY_TIERS)[number];
export const LEAD_CREATED_DLT = 'lead.created.dlt';

export function retryTopic(tier: RetryTier): string {
  return `${LEAD_CREATED_TOPIC}.retry.${tier}`;
}

/** Every topic the product uses, in delivery order: main, retry tiers, DLT. */
export const ALL_TOPICS: readonly string[] = [
  LEAD_CREATED_TOPIC,
  ...RETRY_TIERS.map(retryTopic),
  LEAD_CREATED_DLT,
];

/** What the dispatcher consumes: the main topic and every retry tier (never the DLT). */
export const CONSUMED_TOPICS: readonly string[] = [LEAD_CREATED_TOPIC, ...RETRY_TIERS.map(retryTopic)];

/** The retry tier a logical topic is, or undefined for the main topic and the DLT. */
export function tierOfTopic(logical: string): RetryTier | undefined {
  return RETRY_TIERS.find((tier) => retryTopic(tier) === logical);
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

  get main(): string {
    return this.physical(LEAD_CREATED_TOPIC);
  }

  get dlt(): string {
    return this.physical(LEAD_CREATED_DLT);
  }

  retry(tier: RetryTier): string {
    return this.physical(retryTopic(tier));
  }

  all(): string[] {
    return ALL_TOPICS.map((topic) => this.physical(topic));
  }
}
