import { EVENT_TYPES, RETRY_TOPICS } from '@leadhooks/contracts';
import type { ConsumerLane } from '@leadhooks/messaging';
import type { DispatcherConfig } from './config/dispatcher.config.js';

/**
 * The dispatcher's consumers (see ConsumerLane): the main topics in the configured group, fetched with a short
 * wait; the retry tiers, quiet while endpoints are healthy, in `<group>.retries`. A retry message is due a minute
 * or more after it is written and a new one answers a waiting fetch at once, so that lane's idle fetches wait a
 * whole second. Before the split one group consumed every topic: the retry lane's group starts from its offsets.
 */
export function dispatcherLanes(config: Pick<DispatcherConfig, 'kafkaGroupId'>): ConsumerLane[] {
  return [
    { groupId: config.kafkaGroupId, patterns: EVENT_TYPES, maxWaitTimeInMs: 200 },
    {
      groupId: `${config.kafkaGroupId}.retries`,
      patterns: RETRY_TOPICS,
      maxWaitTimeInMs: 1_000,
      adoptOffsetsFrom: config.kafkaGroupId,
    },
  ];
}
