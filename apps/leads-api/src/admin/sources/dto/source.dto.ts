import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { INBOUND_PRESET_IDS, SIGNATURE_SCHEMES, type SignatureScheme } from '@leadhooks/inbound';
import { IsOptionalNotNull } from '../../../http/is-optional-not-null.js';
import { IsStorableText } from '../../../http/storable-text.js';

const NAME = /^[^\s].*$/s;

export class CreateSourceDto {
  @ApiProperty({
    example: 'Typeform contact form',
    description: "unique per site; leads' `lead_source` by default",
  })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @Matches(NAME, { message: 'name must not start with a space' })
  @IsStorableText()
  name!: string;

  @ApiPropertyOptional({
    enum: INBOUND_PRESET_IDS,
    description: 'the tool: its mapping and signature scheme (default `custom`)',
  })
  @IsOptionalNotNull()
  @IsIn(INBOUND_PRESET_IDS)
  preset?: string;

  @ApiPropertyOptional({
    description: "JSONata over `{body, headers, query}` producing the lead; default: the preset's",
  })
  @IsOptionalNotNull()
  @IsString()
  @IsStorableText()
  mapping?: string;

  @ApiPropertyOptional({ enum: SIGNATURE_SCHEMES, description: "how the tool signs; default: the preset's" })
  @IsOptionalNotNull()
  @IsIn(SIGNATURE_SCHEMES)
  signature?: SignatureScheme;

  @ApiPropertyOptional({
    description:
      "the secret set in the tool: when set, the tool's signature is required. Stored sealed, never shown",
  })
  @IsOptionalNotNull()
  @IsString()
  @MinLength(8)
  @MaxLength(500)
  @IsStorableText()
  secret?: string;
}

export class UpdateSourceDto {
  @ApiPropertyOptional()
  @IsOptionalNotNull()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @Matches(NAME, { message: 'name must not start with a space' })
  @IsStorableText()
  name?: string;

  @ApiPropertyOptional()
  @IsOptionalNotNull()
  @IsString()
  @IsStorableText()
  mapping?: string;

  @ApiPropertyOptional({ enum: SIGNATURE_SCHEMES })
  @IsOptionalNotNull()
  @IsIn(SIGNATURE_SCHEMES)
  signature?: SignatureScheme;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: '`null` removes the secret (signatures no longer required)',
  })
  @ValidateIf((_dto, value) => value !== undefined && value !== null)
  @IsString()
  @MinLength(8)
  @MaxLength(500)
  @IsStorableText()
  secret?: string | null;
}

export class SourceResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) site_id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ nullable: true, type: String, enum: INBOUND_PRESET_IDS }) preset!: string | null;
  @ApiProperty() mapping!: string;
  @ApiProperty({ enum: SIGNATURE_SCHEMES }) signature!: string;
  @ApiProperty({ description: 'whether a secret is set (it is never shown)' }) has_secret!: boolean;
  @ApiProperty({ example: 'lhin_AbCd…wxyz', description: 'enough of the token to tell it apart' })
  token_hint!: string;
  @ApiProperty({
    description:
      'where the tool posts: in full (with the token) only on creation and token rotation, masked elsewhere',
  })
  url!: string;
  @ApiPropertyOptional({ description: 'the token, only on creation and rotation' }) token?: string;
  @ApiPropertyOptional({ description: 'why the secret cannot be read here (another encryption key)' })
  problem?: string;
  @ApiProperty() token_rotated_at!: string;
  @ApiProperty() created_at!: string;
  @ApiProperty() updated_at!: string;
}

export class ListRequestsQueryDto {
  @ApiPropertyOptional({ description: 'next_cursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;

  @ApiPropertyOptional({ default: 20, minimum: 1, maximum: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}

export class FieldProblemDto {
  @ApiProperty() field!: string;
  @ApiProperty() message!: string;
  @ApiPropertyOptional({ description: 'for `mapping`: where in the mapping' }) position?: number;
}

export class InboundRequestDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() received_at!: string;
  @ApiProperty({ description: 'the answer given' }) status!: number;
  @ApiProperty({ nullable: true, type: String }) lead_id!: string | null;
  @ApiProperty({ description: 'a repeat of a submission already stored: the first lead was returned' })
  replayed!: boolean;
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
  @ApiProperty({ nullable: true, type: [FieldProblemDto] }) errors!: FieldProblemDto[] | null;
  @ApiProperty({ nullable: true, type: String }) content_type!: string | null;
  @ApiProperty() size_bytes!: number;
  @ApiProperty({ nullable: true, type: Number }) duration_ms!: number | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'credentials left out' })
  headers!: unknown;
  @ApiProperty({ type: 'object', additionalProperties: true }) query!: unknown;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'JSON text of what the mapping read, or the first bytes of an unreadable body',
  })
  body!: string | null;
  @ApiProperty({ nullable: true, type: String, enum: ['json', 'raw'] }) body_format!: string | null;
  @ApiProperty() body_truncated!: boolean;
}

export class InboundRequestPageDto {
  @ApiProperty({ type: [InboundRequestDto] }) items!: InboundRequestDto[];
  @ApiProperty({ nullable: true, type: String }) next_cursor!: string | null;
}

export class PreviewSampleDto {
  @ApiProperty({ description: 'a body as the mapping would read it (parsed JSON, or a form as an object)' })
  @IsDefined()
  body!: unknown;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' } })
  @IsOptional()
  @IsObject()
  headers?: Record<string, string>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  query?: Record<string, unknown>;
}

export class PreviewSourceDto {
  @ApiPropertyOptional({ description: "the mapping to try; default: the source's" })
  @IsOptionalNotNull()
  @IsString()
  @IsStorableText()
  mapping?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'a logged request to run it on; default: the latest readable one',
  })
  @IsOptionalNotNull()
  @IsUUID()
  request_id?: string;

  @ApiPropertyOptional({ type: PreviewSampleDto, description: 'run on this instead of a logged request' })
  @IsOptionalNotNull()
  @IsObject()
  @ValidateNested()
  @Type(() => PreviewSampleDto)
  sample?: PreviewSampleDto;
}

export class PreviewLeadDto {
  @ApiPropertyOptional() name?: string;
  @ApiPropertyOptional() email?: string;
  @ApiPropertyOptional() phone?: string;
  @ApiPropertyOptional() message?: string;
  @ApiPropertyOptional() page_url?: string;
  @ApiPropertyOptional() lead_source?: string;
  @ApiPropertyOptional() form_type?: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) extra!: Record<string, unknown>;
  @ApiProperty({ nullable: true, type: String, description: "the tool's submission id" }) idempotency_key!:
    string | null;
}

export class SourcePreviewDto {
  @ApiProperty({ nullable: true, type: String, description: 'the logged request it ran on (null: a sample)' })
  request_id!: string | null;
  @ApiProperty({
    nullable: true,
    type: 'object',
    additionalProperties: true,
    description: "the mapping's result as is",
  })
  mapped!: Record<string, unknown> | null;
  @ApiProperty({ nullable: true, type: PreviewLeadDto, description: 'the lead intake would store' })
  lead!: PreviewLeadDto | null;
  @ApiProperty({ description: 'whether a request like this would be stored (201) rather than refused (422)' })
  valid!: boolean;
  @ApiProperty({ type: [FieldProblemDto] }) errors!: FieldProblemDto[];
}

export class InboundPresetDto {
  @ApiProperty() id!: string;
  @ApiProperty() label!: string;
  @ApiProperty({ description: "the tool's documentation of what it sends" }) docs!: string;
  @ApiProperty() notes!: string;
  @ApiProperty({ enum: SIGNATURE_SCHEMES }) signature!: string;
  @ApiProperty() mapping!: string;
}
