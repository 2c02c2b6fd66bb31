import { BadRequestException } from '@nestjs/common';
import { type LeadFields, leadSnapshot } from '@leadhooks/contracts';

/**
 * The bound on a stored lead's serialized size (LEAD_MAX_BYTES), checked at intake (forms, inbound sources, the
 * API's create) and on every PATCH. Every event of a lead carries the whole lead (a lead.updated also its changes,
 * so up to about three times this), and a Kafka message has a hard size limit (the broker's message.max.bytes,
 * 1 MiB by default): without this bound, one site key could PATCH a lead past it, and a message the broker refuses
 * would be set aside by the relay instead of delivered.
 */
export function leadSizeProblem(lead: LeadFields, maxBytes: number): string | null {
  const bytes = Buffer.byteLength(JSON.stringify(leadSnapshot(lead)));
  return bytes > maxBytes
    ? `the lead would take ${bytes} bytes serialized; at most ${maxBytes} are accepted (LEAD_MAX_BYTES)`
    : null;
}

/** A lead over LEAD_MAX_BYTES: a 400 naming the limit (the inbound route records it in the source's log). */
export class LeadTooLargeException extends BadRequestException {
  constructor(readonly problem: string) {
    super({ message: `The lead is too large: ${problem}`, errors: [{ field: 'body', message: problem }] });
  }
}
