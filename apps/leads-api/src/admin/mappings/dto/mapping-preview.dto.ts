import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Equals, IsIn, IsString, IsUUID, MaxLength } from 'class-validator';
import { EVENT_TYPES, type EventType } from '@leadhooks/contracts';
import { IsOptionalNotNull } from '../../../http/is-optional-not-null.js';

/** What to render: a mapping, against a stored lead, a site's newest lead, or the sample lead. */
export class MappingPreviewDto {
  @ApiProperty({
    example: '{"contact": {"email": lead.email, "full_name": lead.name}, "source": site.hostname}',
    description:
      'a JSONata expression over {event, event_id, timestamp, attempt, lead, changes, version, site}',
  })
  @IsString()
  @MaxLength(65_536)
  mapping!: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'render against this stored lead' })
  @IsOptionalNotNull()
  @IsUUID()
  lead_id?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description:
      "without lead_id: the endpoint's site's newest lead; and the headers as this endpoint sends them",
  })
  @IsOptionalNotNull()
  @IsUUID()
  endpoint_id?: string;

  @ApiPropertyOptional({ format: 'uuid', description: "without lead_id: this site's newest lead" })
  @IsOptionalNotNull()
  @IsUUID()
  site_id?: string;

  @ApiPropertyOptional({ description: 'render against the sample lead (what a test send carries)' })
  @IsOptionalNotNull()
  @Equals(true, { message: 'sample must be true when given' })
  sample?: true;

  @ApiPropertyOptional({
    enum: EVENT_TYPES,
    default: 'lead.created',
    description: 'sample only: the event type',
  })
  @IsOptionalNotNull()
  @IsIn(EVENT_TYPES)
  event?: EventType;
}

export class MappingPreviewResultDto {
  @ApiProperty({ enum: ['lead', 'sample'], description: 'a stored lead, or the sample lead (no lead found)' })
  source!: 'lead' | 'sample';
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) lead_id!: string | null;
  @ApiProperty({ enum: EVENT_TYPES }) event!: EventType;
  @ApiProperty({ description: 'the exact body that would be sent (the mapping output as JSON text)' })
  body!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'the body, parsed' })
  json!: Record<string, unknown>;
  @ApiProperty({ description: 'UTF-8 bytes of the body' }) size_bytes!: number;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'the request headers that would go with it (secrets and custom header values masked)',
  })
  headers!: Record<string, string>;
}
