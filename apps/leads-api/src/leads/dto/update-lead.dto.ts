import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional, IsString, IsUrl, Matches, MaxLength, ValidateIf } from 'class-validator';
import { IsEmailAddress } from '../../http/is-email-address.js';
import { IsStorableText } from '../../http/storable-text.js';
import { PHONE_PATTERN } from '../../intake/dto/lead-submission.dto.js';

/**
 * PATCH /v1/leads/{id} (SPEC §11): fields to change, each a value or null to clear; `extra` sets extra fields
 * (null removes one). Unnamed fields stay. The lead must keep an email or a phone.
 */
export class UpdateLeadDto {
  @ApiPropertyOptional({ nullable: true, type: String })
  @IsOptional()
  @IsString()
  @IsStorableText()
  @MaxLength(200)
  name?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String })
  @ValidateIf((_dto, value) => value !== undefined && value !== null)
  @IsEmailAddress()
  @MaxLength(320)
  email?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String })
  @ValidateIf((_dto, value) => value !== undefined && value !== null)
  @IsString()
  @Matches(PHONE_PATTERN, { message: 'phone must be a phone number of at least 6 digits' })
  @MaxLength(64)
  phone?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String })
  @IsOptional()
  @IsString()
  @IsStorableText()
  @MaxLength(5000)
  message?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String })
  @ValidateIf((_dto, value) => value !== undefined && value !== null)
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false },
    { message: 'page_url must be an http(s) URL' },
  )
  @IsStorableText()
  @MaxLength(2000)
  page_url?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String })
  @IsOptional()
  @IsString()
  @IsStorableText()
  @MaxLength(200)
  lead_source?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String })
  @IsOptional()
  @IsString()
  @IsStorableText()
  @MaxLength(200)
  form_type?: string | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: { plan: 'pro', utm_campaign: null },
    description: 'extra fields to set (a value or a list of values) or remove (null)',
  })
  @IsOptional()
  @IsObject()
  extra?: Record<string, unknown>;
}
