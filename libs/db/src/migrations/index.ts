import { InitialSchema1764000000000 } from './1764000000000-InitialSchema.js';
import { DltReplays1764000000001 } from './1764000000001-DltReplays.js';
import { ApiKeys1764000000002 } from './1764000000002-ApiKeys.js';
import { OutboxWakeFromApp1764000000003 } from './1764000000003-OutboxWakeFromApp.js';
import { DeliveryHandOn1764000000004 } from './1764000000004-DeliveryHandOn.js';
import { AttemptTimeIndex1764000000005 } from './1764000000005-AttemptTimeIndex.js';
import { Endpoints1764000000006 } from './1764000000006-Endpoints.js';
import { SiteApiKeys1764000000007 } from './1764000000007-SiteApiKeys.js';
import { InboundSources1765000000550 } from './1765000000550-InboundSources.js';
import { OutboxSetAside1765000000700 } from './1765000000700-OutboxSetAside.js';
import { EndpointPolicy1765000000800 } from './1765000000800-EndpointPolicy.js';
import { LeadPrivacy1765000024000 } from './1765000024000-LeadPrivacy.js';
import { LeadDeletedEvent1765000024200 } from './1765000024200-LeadDeletedEvent.js';
import { Retention1765000024300 } from './1765000024300-Retention.js';
import { LeadDeletedFanOut1765000024400 } from './1765000024400-LeadDeletedFanOut.js';

/** Every migration, in order. Listed explicitly so bundles and tests need no file globbing. */
export const MIGRATIONS = [
  InitialSchema1764000000000,
  DltReplays1764000000001,
  ApiKeys1764000000002,
  OutboxWakeFromApp1764000000003,
  DeliveryHandOn1764000000004,
  AttemptTimeIndex1764000000005,
  Endpoints1764000000006,
  SiteApiKeys1764000000007,
  InboundSources1765000000550,
  OutboxSetAside1765000000700,
  EndpointPolicy1765000000800,
  LeadPrivacy1765000024000,
  LeadDeletedEvent1765000024200,
  Retention1765000024300,
  LeadDeletedFanOut1765000024400,
];
