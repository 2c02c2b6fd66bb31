import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMinSize,
  IsISO8601,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import {
  AUTH_MODES,
  type AuthMode,
  ENDPOINT_DESCRIPTION_MAX,
  ENDPOINT_KINDS,
  ENDPOINT_TIMEOUT_MAX_MS,
  ENDPOINT_TIMEOUT_MIN_MS,
  type EndpointKind,
  EVENT_TYPES,
  type EventType,
  MAX_ATTEMPTS_MAX,
  MAX_ATTEMPTS_MIN,
  PAYLOAD_FORMATS,
  type PayloadFormat,
  SIGNATURE_PREFIXES,
  type SignaturePrefix,
} from '@leadhooks/contracts';
import { IsOptionalNotNull } from '../../../http/is-optional-not-null.js';
import { IsStorableText } from '../../../http/storable-text.js';

const NAME = /^[^\s].*$/s;

export class CreateEndpointDto {
  @ApiProperty({ example: 'make', description: "unique per site; `zapier` is the site's own hook" })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @Matches(NAME, { message: 'name must not start with a space' })
  @IsStorableText()
  name!: string;

  @ApiProperty({ example: 'https://hook.eu1.make.com/abc123' })
  @IsString()
  @IsStorableText()
  @MaxLength(2000)
  url!: string;

  @ApiPropertyOptional({ default: true })
  @IsOptionalNotNull()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({ enum: EVENT_TYPES, isArray: true, default: ['lead.created'] })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(EVENT_TYPES, { each: true })
  events?: EventType[];

  @ApiPropertyOptional({ enum: AUTH_MODES, default: 'standard_webhooks' })
  @IsOptionalNotNull()
  @IsIn(AUTH_MODES)
  auth?: AuthMode;

  @ApiPropertyOptional({ enum: PAYLOAD_FORMATS, default: 'flat' })
  @IsOptionalNotNull()
  @IsIn(PAYLOAD_FORMATS)
  format?: PayloadFormat;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { 'X-Api-Key': 'crm-key' },
    description:
      'sent on every request; stored sealed, shown masked; hop-by-hop and signature headers are refused',
  })
  @IsOptionalNotNull()
  @IsObject()
  headers?: Record<string, string>;

  @ApiPropertyOptional({
    nullable: true,
    type: Number,
    minimum: ENDPOINT_TIMEOUT_MIN_MS,
    maximum: ENDPOINT_TIMEOUT_MAX_MS,
    description: 'null: the dispatcher default (WEBHOOK_TIMEOUT_MS)',
  })
  @IsOptional()
  @IsInt()
  @Min(ENDPOINT_TIMEOUT_MIN_MS)
  @Max(ENDPOINT_TIMEOUT_MAX_MS)
  timeout_ms?: number | null;

  @ApiPropertyOptional({
    nullable: true,
    type: Number,
    minimum: 1,
    maximum: 10000,
    description: 'requests per second to this endpoint; null: the dispatcher default',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10000)
  rate_limit_per_second?: number | null;

  @ApiPropertyOptional({ nullable: true, type: String, maxLength: ENDPOINT_DESCRIPTION_MAX })
  @IsOptional()
  @IsString()
  @MaxLength(ENDPOINT_DESCRIPTION_MAX)
  @IsStorableText()
  description?: string | null;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    example: '{"contact": {"email": lead.email, "full_name": lead.name}, "event": event}',
    description:
      'format custom: a JSONata expression over {event, event_id, timestamp, attempt, lead, changes, version, site}; its result (a JSON object) is the body, byte for byte',
  })
  @IsOptional()
  @IsString()
  @MaxLength(65_536)
  @IsStorableText()
  mapping?: string | null;

  @ApiPropertyOptional({
    enum: SIGNATURE_PREFIXES,
    nullable: true,
    default: 'sha256=',
    description: 'hmac_sha256_hex: what goes before the hex digest in X-Webhook-Signature ("" = bare hex)',
  })
  @IsOptional()
  @IsIn(SIGNATURE_PREFIXES)
  signature_prefix?: SignaturePrefix | null;

  @ApiPropertyOptional({
    nullable: true,
    type: Number,
    minimum: MAX_ATTEMPTS_MIN,
    maximum: MAX_ATTEMPTS_MAX,
    default: 6,
    description: 'attempts per retry cycle, first try included (6 = first try + the five tiers)',
  })
  @IsOptional()
  @IsInt()
  @Min(MAX_ATTEMPTS_MIN)
  @Max(MAX_ATTEMPTS_MAX)
  max_attempts?: number | null;

  @ApiPropertyOptional({
    default: true,
    description: 'false: a 4xx other than 408/409/425/429 ends the delivery FAILED at once',
  })
  @IsOptionalNotNull()
  @IsBoolean()
  retry_on_4xx?: boolean;
}

export class UpdateEndpointDto {
  @ApiPropertyOptional()
  @IsOptionalNotNull()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @Matches(NAME, { message: 'name must not start with a space' })
  @IsStorableText()
  name?: string;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: 'the masked URL shown by this API means "unchanged"',
  })
  @IsOptional()
  @IsString()
  @IsStorableText()
  @MaxLength(2000)
  url?: string | null;

  @ApiPropertyOptional()
  @IsOptionalNotNull()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({ enum: EVENT_TYPES, isArray: true })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(EVENT_TYPES, { each: true })
  events?: EventType[];

  @ApiPropertyOptional({ enum: AUTH_MODES })
  @IsOptionalNotNull()
  @IsIn(AUTH_MODES)
  auth?: AuthMode;

  @ApiPropertyOptional({ enum: PAYLOAD_FORMATS })
  @IsOptionalNotNull()
  @IsIn(PAYLOAD_FORMATS)
  format?: PayloadFormat;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    description:
      'replaces the custom headers; a value equal to the mask shown by this API keeps that header as it is',
  })
  @IsOptionalNotNull()
  @IsObject()
  headers?: Record<string, string>;

  @ApiPropertyOptional({ nullable: true, type: Number })
  @IsOptional()
  @IsInt()
  @Min(ENDPOINT_TIMEOUT_MIN_MS)
  @Max(ENDPOINT_TIMEOUT_MAX_MS)
  timeout_ms?: number | null;

  @ApiPropertyOptional({ nullable: true, type: Number })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10000)
  rate_limit_per_second?: number | null;

  @ApiPropertyOptional({ nullable: true, type: String, maxLength: ENDPOINT_DESCRIPTION_MAX })
  @IsOptional()
  @IsString()
  @MaxLength(ENDPOINT_DESCRIPTION_MAX)
  @IsStorableText()
  description?: string | null;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    example: '{"contact": {"email": lead.email, "full_name": lead.name}, "event": event}',
    description:
      'format custom: a JSONata expression over {event, event_id, timestamp, attempt, lead, changes, version, site}; its result (a JSON object) is the body, byte for byte',
  })
  @IsOptional()
  @IsString()
  @MaxLength(65_536)
  @IsStorableText()
  mapping?: string | null;

  @ApiPropertyOptional({
    enum: SIGNATURE_PREFIXES,
    nullable: true,
    default: 'sha256=',
    description: 'hmac_sha256_hex: what goes before the hex digest in X-Webhook-Signature ("" = bare hex)',
  })
  @IsOptional()
  @IsIn(SIGNATURE_PREFIXES)
  signature_prefix?: SignaturePrefix | null;

  @ApiPropertyOptional({
    nullable: true,
    type: Number,
    minimum: MAX_ATTEMPTS_MIN,
    maximum: MAX_ATTEMPTS_MAX,
    default: 6,
    description: 'attempts per retry cycle, first try included (6 = first try + the five tiers)',
  })
  @IsOptional()
  @IsInt()
  @Min(MAX_ATTEMPTS_MIN)
  @Max(MAX_ATTEMPTS_MAX)
  max_attempts?: number | null;

  @ApiPropertyOptional({
    default: true,
    description: 'false: a 4xx other than 408/409/425/429 ends the delivery FAILED at once',
  })
  @IsOptionalNotNull()
  @IsBoolean()
  retry_on_4xx?: boolean;
}

export class EndpointTestDto {
  @ApiPropertyOptional({ enum: EVENT_TYPES, default: 'lead.created' })
  @IsOptionalNotNull()
  @IsIn(EVENT_TYPES)
  event?: EventType;

  @ApiPropertyOptional({
    enum: ['current', 'staged'],
    default: 'current',
    description: 'staged: sign with (or send) the secret of a rotation not activated yet, to try it out',
  })
  @IsOptionalNotNull()
  @IsIn(['current', 'staged'])
  secret?: 'current' | 'staged';
}

export class RotateSecretDto {
  @ApiPropertyOptional({
    description:
      'secret_header and hmac_sha256_hex: when the staged secret starts being sent (otherwise at POST …/activate-secret)',
  })
  @IsOptionalNotNull()
  @IsISO8601({ strict: true })
  activate_at?: string;
}

/** An endpoint as the admin API shows it: URL masked (whole only on creation), header values masked, secret only on creation and rotation. */
export class EndpointResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) site_id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ENDPOINT_KINDS }) kind!: EndpointKind;
  @ApiProperty({ nullable: true, type: String }) url!: string | null;
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ enum: EVENT_TYPES, isArray: true }) events!: EventType[];
  @ApiProperty({ enum: AUTH_MODES }) auth!: AuthMode;
  @ApiProperty({ enum: PAYLOAD_FORMATS }) format!: PayloadFormat;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, description: 'values masked' })
  headers!: Record<string, string>;
  @ApiProperty({ nullable: true, type: Number }) timeout_ms!: number | null;
  @ApiProperty({ nullable: true, type: Number }) rate_limit_per_second!: number | null;
  @ApiPropertyOptional({ description: 'in full only on creation and rotation' }) secret?: string;
  @ApiProperty({ nullable: true, type: String }) previous_secret_expires_at!: string | null;
  @ApiProperty({
    enum: ['active', 'staged'],
    description:
      'rotation answer only: active (sent now; Standard Webhooks signs with both during the grace) or staged (sent once activated)',
    required: false,
  })
  secret_state?: 'active' | 'staged';
  @ApiProperty({ description: 'a staged secret waits for activation' }) secret_staged!: boolean;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'when the staged secret starts being sent, if set',
  })
  staged_secret_activates_at!: string | null;
  @ApiProperty({ nullable: true, type: String }) description!: string | null;
  @ApiProperty({ nullable: true, type: String }) mapping!: string | null;
  @ApiProperty({ enum: SIGNATURE_PREFIXES }) signature_prefix!: SignaturePrefix;
  @ApiProperty({ minimum: MAX_ATTEMPTS_MIN, maximum: MAX_ATTEMPTS_MAX }) max_attempts!: number;
  @ApiProperty() retry_on_4xx!: boolean;
  @ApiPropertyOptional({ description: 'why sealed settings cannot be read here (another encryption key)' })
  problem?: string;
  @ApiProperty() created_at!: string;
  @ApiProperty() updated_at!: string;
}

export class EndpointTestResultDto {
  @ApiProperty() ok!: boolean;
  @ApiProperty({ nullable: true, type: Number }) status!: number | null;
  @ApiProperty() duration_ms!: number;
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
  @ApiProperty({ nullable: true, type: String }) response_snippet!: string | null;
  @ApiProperty({ enum: EVENT_TYPES }) event!: EventType;
  @ApiProperty({ format: 'uuid', description: 'the X-Webhook-Delivery-Id the test carried' })
  delivery_id!: string;
}

export class EndpointStatsQueryDto {
  @ApiPropertyOptional({ default: '24h', description: 'a duration: 15m, 1h, 24h, 7d (at most 30d)' })
  @IsOptionalNotNull()
  @Matches(/^\d{1,4}(m|h|d)$/, { message: 'window must be a duration such as 1h, 24h or 7d' })
  window?: string;
}

export class EndpointStatsDto {
  @ApiProperty({ format: 'uuid' }) endpoint_id!: string;
  @ApiProperty({ example: '24h' }) window!: string;
  @ApiProperty({ description: 'deliveries created in the window that are SENT now' }) sent!: number;
  @ApiProperty() failed!: number;
  @ApiProperty() skipped!: number;
  @ApiProperty() pending!: number;
  @ApiProperty({ description: 'PENDING deliveries (any age) waiting for a retry tier' }) in_retry!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'sent / (sent + failed)' }) success_rate!:
    number | null;
  @ApiProperty({ nullable: true, type: Number }) p50_duration_ms!: number | null;
  @ApiProperty({ nullable: true, type: Number }) p95_duration_ms!: number | null;
  @ApiProperty() attempts!: number;
  @ApiProperty() consecutive_failures!: number;
  @ApiProperty({ nullable: true, type: String }) last_success_at!: string | null;
  @ApiProperty({ nullable: true, type: String }) last_410_at!: string | null;
  @ApiProperty({ description: 'the last attempts all failed, or the last answer was 410 (also a metric)' })
  failing!: boolean;
}
