import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { EVENT_TYPES, type EventType } from '@leadhooks/contracts';
import { IsStorableText } from '../../http/storable-text.js';

export class SubscribeHookDto {
  @ApiProperty({
    example: 'https://hooks.zapier.com/hooks/standard/123/abc/',
    description: "where to POST each event (Zapier's bundle.targetUrl)",
  })
  @IsString()
  @IsStorableText()
  @MaxLength(2000)
  target_url!: string;

  @ApiPropertyOptional({ enum: EVENT_TYPES, default: 'lead.created' })
  @IsOptional()
  @IsIn(EVENT_TYPES)
  event?: EventType;
}

export class HookDto {
  @ApiProperty({ description: 'pass to DELETE /v1/hooks/{id} to unsubscribe' }) id!: string;
  @ApiProperty({ enum: EVENT_TYPES }) event!: EventType;
  @ApiProperty() target_url!: string;
  @ApiProperty({ description: 'the endpoint this subscription is (GET /v1/admin/endpoints/{id})' })
  endpoint_name!: string;
  @ApiProperty({
    description: 'Standard Webhooks signing secret of this subscription (shown only here)',
  })
  secret!: string;
  @ApiProperty() created_at!: string;
}
