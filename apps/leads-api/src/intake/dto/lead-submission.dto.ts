import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, IsUrl, Matches, MaxLength, ValidateIf } from 'class-validator';

/** Digits with the usual separators, an optional leading +, and an optional extension (`ext. 12`, `x12`, `#12`). */
export const PHONE_PATTERN =
  /^(?=(?:\D*\d){6})\+?[0-9 ().\/-]{6,48}(?:\s*(?:x|ext\.?|extension|#)\s*[0-9]{1,8})?$/i;

/** The fields a form may send that map to lead columns. Anything else goes to `extra`. */
export class LeadSubmissionDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional()
  @ValidateIf((dto: LeadSubmissionDto) => dto.email !== undefined || dto.phone === undefined)
  @IsEmail({}, { message: 'email must be a valid email address (or send a phone)' })
  @MaxLength(320)
  email?: string;

  @ApiPropertyOptional()
  @ValidateIf((dto: LeadSubmissionDto) => dto.phone !== undefined || dto.email === undefined)
  @Matches(PHONE_PATTERN, { message: 'phone must be a phone number of at least 6 digits (or send an email)' })
  @MaxLength(64)
  phone?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  message?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false },
    { message: 'page_url must be an http(s) URL' },
  )
  @MaxLength(2000)
  page_url?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  lead_source?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  form_type?: string;
}

export const KNOWN_FIELDS = [
  'name',
  'email',
  'phone',
  'message',
  'page_url',
  'lead_source',
  'form_type',
] as const;
export type KnownField = (typeof KNOWN_FIELDS)[number];
