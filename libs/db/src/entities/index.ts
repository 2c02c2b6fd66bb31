import { ApiKeyEntity } from './api-key.entity.js';
import { DeliveryAttemptEntity } from './delivery-attempt.entity.js';
import { DeliveryEntity } from './delivery.entity.js';
import { DltReplayItemEntity } from './dlt-replay-item.entity.js';
import { DltReplayEntity } from './dlt-replay.entity.js';
import { EndpointEntity } from './endpoint.entity.js';
import { InboundRequestEntity } from './inbound-request.entity.js';
import { InboundSourceEntity } from './inbound-source.entity.js';
import { LeadEntity } from './lead.entity.js';
import { LeadUpdateEntity } from './lead-update.entity.js';
import { OutboxMessageEntity } from './outbox-message.entity.js';
import { SiteApiKeyEntity } from './site-api-key.entity.js';
import { SiteEntity } from './site.entity.js';

export {
  ApiKeyEntity,
  DeliveryAttemptEntity,
  DeliveryEntity,
  DltReplayEntity,
  DltReplayItemEntity,
  EndpointEntity,
  InboundRequestEntity,
  InboundSourceEntity,
  LeadEntity,
  LeadUpdateEntity,
  OutboxMessageEntity,
  SiteApiKeyEntity,
  SiteEntity,
};
export * from './delivery-status.js';
export * from './zapier-status.js';

/** An entity for every table (what TypeORM maps; the schema itself comes from the migrations). */
export const ENTITIES = [
  SiteEntity,
  EndpointEntity,
  LeadEntity,
  LeadUpdateEntity,
  OutboxMessageEntity,
  DeliveryEntity,
  DeliveryAttemptEntity,
  ApiKeyEntity,
  SiteApiKeyEntity,
  DltReplayEntity,
  DltReplayItemEntity,
  InboundSourceEntity,
  InboundRequestEntity,
];
