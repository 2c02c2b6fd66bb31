import type { DataSource } from 'typeorm';
import { LeadEntity, type ZapierStatus } from '@leadhooks/db';
import { waitUntil } from './wait-until.js';

/** Waits until a lead has the given delivery status, and returns it then. */
export function waitForLeadStatus(
  dataSource: DataSource,
  leadId: string,
  status: ZapierStatus,
  timeoutMs = 20_000,
): Promise<LeadEntity> {
  return waitUntil(
    `lead ${leadId} ${status}`,
    async () => {
      const lead = await dataSource.getRepository(LeadEntity).findOneBy({ id: leadId });
      return lead?.zapierStatus === status ? lead : undefined;
    },
    { timeoutMs, intervalMs: 50 },
  );
}
