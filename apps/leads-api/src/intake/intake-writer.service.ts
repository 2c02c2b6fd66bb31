import { Inject, Injectable } from '@nestjs/common';
import {
  GroupCommit,
  LeadRepository,
  type NewLead,
  type NewOutboxMessage,
  type ZapierStatus,
} from '@leadhooks/db';
import { LEADS_API_CONFIG } from '../config/config.module.js';
import type { LeadsApiConfig } from '../config/leads-api.config.js';

/**
 * `stored` with the status the insert decided; `not-stored`: the lead's idempotency key was taken first by
 * another lead, or its site no longer exists.
 */
export type IntakeWriteResult = { kind: 'stored'; zapierStatus: ZapierStatus } | { kind: 'not-stored' };

type IntakeWrite = { lead: NewLead; event: Omit<NewOutboxMessage, 'aggregateId' | 'topic'> };

/**
 * Intake's writes, group-committed (INTAKE_WRITE_CONCURRENCY statements in flight, up to INTAKE_BATCH_MAX
 * leads each): under load many leads share one statement and one commit; each request is answered only
 * after the commit that holds its lead.
 */
@Injectable()
export class IntakeWriter {
  private readonly batches: GroupCommit<IntakeWrite, IntakeWriteResult>;

  constructor(
    @Inject(LEADS_API_CONFIG) config: LeadsApiConfig,
    @Inject(LeadRepository) leads: LeadRepository,
  ) {
    this.batches = new GroupCommit(async (items) => {
      const stored = await leads.insertBatchWithEvents(items);
      return items.map(({ lead }): IntakeWriteResult => {
        const zapierStatus = stored.get(lead.id);
        return zapierStatus ? { kind: 'stored', zapierStatus } : { kind: 'not-stored' };
      });
    }, config.intakeWrites);
  }

  write(lead: NewLead, event: Omit<NewOutboxMessage, 'aggregateId' | 'topic'>): Promise<IntakeWriteResult> {
    return this.batches.submit({ lead, event });
  }
}
