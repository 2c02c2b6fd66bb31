import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { EVENT_TYPES, type EventType } from '@leadhooks/contracts';
import { IsRealDate } from '../../http/is-real-date.js';
import { ZAPIER_STATUSES, type ZapierStatus } from '@leadhooks/db';
import { DeliveryDto } from '../../admin/deliveries/dto/delivery.dto.js';

export class AttemptDto {
  @ApiProperty() attempt!: number;
  @ApiProperty({ example: 'main', description: 'main, 1m … 16m, or replay' }) tier!: string;
  @ApiProperty({ nullable: true, type: Number }) http_status!: number | null;
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
  @ApiProperty({ nullable: true, type: String }) error_class!: string | null;
  @ApiProperty() duration_ms!: number;
  @ApiProperty() started_at!: string;
}

/** SPEC §10 lead shape with its delivery state and attempts. */
export class LeadDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) site_id!: string;
  @ApiProperty() submitted_at!: string;
  @ApiProperty({ nullable: true, type: String }) page_url!: string | null;
  @ApiProperty({ nullable: true, type: String }) lead_source!: string | null;
  @ApiProperty({ nullable: true, type: String }) form_type!: string | null;
  @ApiProperty({ nullable: true, type: String }) name!: string | null;
  @ApiProperty({ nullable: true, type: String }) email!: string | null;
  @ApiProperty({ nullable: true, type: String }) phone!: string | null;
  @ApiProperty({ nullable: true, type: String }) message!: string | null;
  @ApiProperty({ type: Object }) extra!: Record<string, unknown>;
  @ApiProperty({ enum: ZAPIER_STATUSES, nullable: true }) zapier_status!: ZapierStatus | null;
  @ApiProperty() zapier_attempt_count!: number;
  @ApiProperty({ nullable: true, type: String }) zapier_last_attempt_at!: string | null;
  @ApiProperty({ nullable: true, type: String }) zapier_last_error!: string | null;
  @ApiProperty({ nullable: true, type: String }) zapier_sent_at!: string | null;
  @ApiProperty({ description: 'increments with every change (PATCH); lead.updated carries it' })
  version!: number;
  @ApiProperty({ nullable: true, type: String }) updated_at!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'when its personal data was erased (every personal field is then null)',
  })
  erased_at!: string | null;
  @ApiPropertyOptional({
    type: [AttemptDto],
    description: 'attempts of the lead.created delivery to the `zapier` endpoint (what zapier_* describe)',
  })
  attempts?: AttemptDto[];
  @ApiPropertyOptional({
    type: [DeliveryDto],
    description: 'every delivery of every event of this lead, with attempts',
  })
  deliveries?: DeliveryDto[];
}

export class RedeliverDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'only the delivery to this endpoint' })
  @IsOptional()
  @IsUUID()
  endpoint_id?: string;
}

export class RedeliveryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ZAPIER_STATUSES, nullable: true }) zapier_status!: ZapierStatus | null;
  @ApiProperty({ description: 'deliveries put back on their path' })
  requeued!: Array<{ delivery_id: string; endpoint_id: string }>;
  @ApiProperty({ description: 'published again for subscribed endpoints that never had a delivery of it' })
  fanned_out!: boolean;
}

export class LeadPageDto {
  @ApiProperty({ type: [LeadDto] }) items!: LeadDto[];
  @ApiProperty({ nullable: true, type: String, description: 'pass as `cursor` for the next page' })
  next_cursor!: string | null;
}

export class ListLeadsQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  site_id?: string;

  @ApiPropertyOptional({ enum: ZAPIER_STATUSES })
  @IsOptional()
  @IsIn(ZAPIER_STATUSES)
  status?: ZapierStatus;

  @ApiPropertyOptional({ description: 'submitted at or after (ISO 8601)' })
  @IsOptional()
  @IsRealDate()
  since?: string;

  @ApiPropertyOptional({ description: 'submitted before (ISO 8601)' })
  @IsOptional()
  @IsRealDate()
  until?: string;

  @ApiPropertyOptional({ default: 50, maximum: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  cursor?: string;

  @ApiPropertyOptional({
    enum: EVENT_TYPES,
    default: 'lead.created',
    description:
      "site keys: which event's payloads the sample list shows (Zapier's trigger samples); lead.deleted: the site's newest erasures (ids only)",
  })
  @IsOptional()
  @IsIn(EVENT_TYPES)
  event?: EventType;
}

export class SearchLeadsQueryDto {
  @ApiPropertyOptional({ example: 'ada@example.com', description: 'the email, in any case' })
  @IsOptional()
  @IsString()
  @MaxLength(320)
  email?: string;

  @ApiPropertyOptional({
    example: '+44 20 7946 0000',
    description: 'the phone; only its digits are compared',
  })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  phone?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'admin keys: the site to search (site keys: their own)',
  })
  @IsOptional()
  @IsUUID()
  site_id?: string;

  @ApiPropertyOptional({ default: 10, maximum: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}

export class CreateLeadQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: "admin keys: the lead's site (site keys: their own)" })
  @IsOptional()
  @IsUUID()
  site_id?: string;
}
