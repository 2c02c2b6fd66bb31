import { ApiProperty } from '@nestjs/swagger';
import { LEAD_DELETED_REASONS } from '@leadhooks/contracts';

export class ErasedCountsDto {
  @ApiProperty({
    description: 'name, email, phone, message, page URL, extra, client IP and user agent cleared',
  })
  lead_fields!: boolean;
  @ApiProperty({
    description:
      'the lead data key destroyed: every sealed copy of its events (outbox, Kafka main, retry and DLT topics) is unreadable',
  })
  data_key!: boolean;
  @ApiProperty({ description: 'outbox rows of the lead deleted' }) outbox_rows!: number;
  @ApiProperty({ description: 'stored lead.updated payloads deleted' }) lead_updates!: number;
  @ApiProperty({ description: 'delivery attempts whose error text and response snippet were cleared' })
  delivery_attempts_scrubbed!: number;
  @ApiProperty({ description: 'pending deliveries ended SKIPPED (reason `erased`): never sent' })
  deliveries_skipped!: number;
  @ApiProperty({ description: 'delivery error texts cleared' }) delivery_errors_scrubbed!: number;
  @ApiProperty({ description: 'inbound request log rows deleted' }) inbound_requests!: number;
  @ApiProperty({ description: 'deliveries in flight when the erasure began, waited for before answering' })
  in_flight_waited!: number;
}

/** What an erasure did, and its audit record (who, when; never personal data). */
export class ErasureDto {
  @ApiProperty({ format: 'uuid' }) lead_id!: string;
  @ApiProperty({ format: 'uuid' }) site_id!: string;
  @ApiProperty() erased_at!: string;
  @ApiProperty({
    example: 'admin-key',
    description: '`admin-key`, `site-key:<id>`, `retention`, `site-deletion:<id>`',
  })
  erased_by!: string;
  @ApiProperty({ enum: LEAD_DELETED_REASONS }) reason!: string;
  @ApiProperty({
    format: 'uuid',
    nullable: true,
    type: String,
    description:
      'the lead.deleted event this erasure emitted (ids only), delivered to endpoints subscribed to lead.deleted',
  })
  event_id!: string | null;
  @ApiProperty({ description: 'true: the lead had been erased before; this is that erasure' })
  already_erased!: boolean;
  @ApiProperty({ type: ErasedCountsDto }) erased!: ErasedCountsDto;
}
