import { DeliveryAttemptEntity } from './delivery-attempt.entity.js';
import { LeadEntity } from './lead.entity.js';
import { OutboxMessageEntity } from './outbox-message.entity.js';
import { SiteEntity } from './site.entity.js';

export { DeliveryAttemptEntity, LeadEntity, OutboxMessageEntity, SiteEntity };
export * from './zapier-status.js';

export const ENTITIES = [SiteEntity, LeadEntity, OutboxMessageEntity, DeliveryAttemptEntity];
