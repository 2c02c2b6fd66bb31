import { ApiKeyEntity } from './api-key.entity.js';
import { DeliveryAttemptEntity } from './delivery-attempt.entity.js';
import { DltReplayItemEntity } from './dlt-replay-item.entity.js';
import { DltReplayEntity } from './dlt-replay.entity.js';
import { LeadEntity } from './lead.entity.js';
import { OutboxMessageEntity } from './outbox-message.entity.js';
import { SiteEntity } from './site.entity.js';

export {
  ApiKeyEntity,
  DeliveryAttemptEntity,
  DltReplayEntity,
  DltReplayItemEntity,
  LeadEntity,
  OutboxMessageEntity,
  SiteEntity,
};
export * from './zapier-status.js';

/** An entity for every table (what TypeORM maps; the schema itself comes from the migrations). */
export const ENTITIES = [
  SiteEntity,
  LeadEntity,
  OutboxMessageEntity,
  DeliveryAttemptEntity,
  ApiKeyEntity,
  DltReplayEntity,
  DltReplayItemEntity,
];
