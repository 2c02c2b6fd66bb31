import { DeliveryHeaders, type KafkaHeaders, RETRY_TIERS, tierOfTopic } from '@leadhooks/contracts';

/** Slack over a tier's longest hold, so a message is never started before its own due time by rounding. */
const HOLD_SLACK_MS = 1_000;

/**
 * When the transport may start a message: its due time, but never later than its tier may hold it (the tier's
 * delay plus jitter, from when it was published). A longer wait (a Retry-After beyond the tier) is travelled in
 * hops: the handler finds the message early and puts it back on the same topic. So no message waits in a tier
 * longer than the tier's own delay, and none holds back the offsets of a partition for more than that.
 */
export function deliveryStartTime(
  message: { headers?: KafkaHeaders; timestamp: string },
  logicalTopic: string,
  retryDelaysMs: readonly number[],
  jitterRatio: number,
): number | undefined {
  const { dueAt } = DeliveryHeaders.read(message.headers);
  if (dueAt === undefined) return undefined;
  const tier = tierOfTopic(logicalTopic);
  const delay = tier ? retryDelaysMs[RETRY_TIERS.indexOf(tier)] : undefined;
  const publishedAt = Number(message.timestamp);
  if (delay === undefined || !Number.isFinite(publishedAt)) return dueAt;
  return Math.min(dueAt, publishedAt + Math.ceil(delay * (1 + jitterRatio)) + HOLD_SLACK_MS);
}
