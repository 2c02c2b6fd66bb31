import { Inject, Injectable } from '@nestjs/common';
import { LeadRepository, type NewLead, type NewOutboxMessage } from '@leadhooks/db';
import { LEADS_API_CONFIG } from '../config/config.module.js';
import type { LeadsApiConfig } from '../config/leads-api.config.js';

/** 'duplicate-key': the lead's idempotency key was taken first by another lead; nothing was stored. */
export type IntakeWriteResult = 'stored' | 'duplicate-key';

interface PendingWrite {
  lead: NewLead;
  event: Omit<NewOutboxMessage, 'aggregateId'>;
  resolve: (result: IntakeWriteResult) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for intake. Writes that arrive while INTAKE_WRITE_CONCURRENCY statements are already running
 * queue up and go together in the next statement (up to INTAKE_BATCH_MAX leads): one round trip and one
 * commit for many leads. No timer: an idle API writes a lone lead at once, a busy one batches by itself.
 * Each request is answered only after the commit that holds its lead.
 */
@Injectable()
export class IntakeWriter {
  private readonly queue: PendingWrite[] = [];
  private inFlight = 0;

  constructor(
    @Inject(LEADS_API_CONFIG) private readonly config: LeadsApiConfig,
    @Inject(LeadRepository) private readonly leads: LeadRepository,
  ) {}

  write(lead: NewLead, event: Omit<NewOutboxMessage, 'aggregateId'>): Promise<IntakeWriteResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ lead, event, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length > 0 && this.inFlight < this.config.intakeWrites.concurrency) {
      const batch = this.queue.splice(0, this.config.intakeWrites.maxBatch);
      this.inFlight++;
      void this.flush(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async flush(batch: PendingWrite[]): Promise<void> {
    try {
      const stored = await this.leads.insertBatchWithEvents(batch);
      for (const item of batch) item.resolve(stored.has(item.lead.id) ? 'stored' : 'duplicate-key');
    } catch (error) {
      if (batch.length === 1) return batch[0].reject(error);
      // One bad lead (its site deleted since it was cached, say) must not fail the others: write each alone.
      await Promise.all(batch.map((item) => this.flush([item])));
    }
  }
}
