import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Max, Min } from 'class-validator';
import { EVENT_TYPES, type EventType } from '@leadhooks/contracts';
import { DELIVERY_STATUSES, type DeliveryStatus } from '@leadhooks/db';
import { IsRealDate } from '../../../http/is-real-date.js';

export class DeliveryAttemptDto {
  @ApiProperty() attempt!: number;
  @ApiProperty({ example: 'main', description: 'main, 1m … 16m, or replay' }) tier!: string;
  @ApiProperty({ nullable: true, type: Number }) http_status!: number | null;
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
  @ApiProperty({ nullable: true, type: String }) error_class!: string | null;
  @ApiProperty() duration_ms!: number;
  @ApiProperty() started_at!: string;
}

/** One event to one endpoint (SPEC §11). */
export class DeliveryDto {
  @ApiProperty({ format: 'uuid', description: 'also X-Webhook-Delivery-Id' }) id!: string;
  @ApiProperty({ format: 'uuid' }) event_id!: string;
  @ApiProperty({ enum: EVENT_TYPES }) event!: EventType;
  @ApiProperty({ format: 'uuid' }) lead_id!: string;
  @ApiProperty({ format: 'uuid' }) site_id!: string;
  @ApiProperty({ format: 'uuid' }) endpoint_id!: string;
  @ApiProperty() endpoint_name!: string;
  @ApiProperty({ description: 'the endpoint has been removed since' }) endpoint_deleted!: boolean;
  @ApiProperty({ enum: DELIVERY_STATUSES }) status!: DeliveryStatus;
  @ApiProperty() attempt_count!: number;
  @ApiProperty({ nullable: true, type: String }) last_attempt_at!: string | null;
  @ApiProperty({ nullable: true, type: Number }) last_status!: number | null;
  @ApiProperty({ nullable: true, type: String }) last_error!: string | null;
  @ApiProperty({ nullable: true, type: String }) sent_at!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'while PENDING: when the next attempt is due' })
  next_attempt_at!: string | null;
  @ApiProperty() created_at!: string;
  @ApiProperty() updated_at!: string;
  @ApiPropertyOptional({ type: [DeliveryAttemptDto] }) attempts?: DeliveryAttemptDto[];
}

export class DeliveryPageDto {
  @ApiProperty({ type: [DeliveryDto] }) items!: DeliveryDto[];
  @ApiProperty({ nullable: true, type: String, description: 'pass as `cursor` for the next page' })
  next_cursor!: string | null;
}

export class ListDeliveriesQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  site_id?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  endpoint_id?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  lead_id?: string;

  @ApiPropertyOptional({ enum: EVENT_TYPES })
  @IsOptional()
  @IsIn(EVENT_TYPES)
  event?: EventType;

  @ApiPropertyOptional({ enum: DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: DeliveryStatus;

  @ApiPropertyOptional({ description: 'created at or after (ISO 8601)' })
  @IsOptional()
  @IsRealDate()
  since?: string;

  @ApiPropertyOptional({ description: 'created before (ISO 8601)' })
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
}
