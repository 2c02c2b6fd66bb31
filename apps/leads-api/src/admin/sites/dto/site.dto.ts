import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsOptionalNotNull } from '../../../http/is-optional-not-null.js';
import { IsStorableText } from '../../../http/storable-text.js';

export class ZapierSettingsDto {
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    example: 'https://hooks.zapier.com/hooks/catch/123/abc/',
  })
  @IsOptional()
  @IsString()
  @IsStorableText()
  @MaxLength(2000)
  webhook_url?: string | null;

  @ApiPropertyOptional({ description: 'a URL alone does not enable delivery' })
  @IsOptionalNotNull()
  @IsBoolean()
  enabled?: boolean;
}

export class CreateSiteDto {
  @ApiProperty({ example: 'acme.test' })
  @Matches(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i, {
    message: 'hostname must be a valid host name such as acme.test',
  })
  hostname!: string;

  @ApiProperty({ example: 'Acme' })
  @IsString()
  @IsStorableText()
  @MaxLength(200)
  name!: string;

  @ApiPropertyOptional({ type: ZapierSettingsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ZapierSettingsDto)
  zapier?: ZapierSettingsDto;

  @ApiPropertyOptional({
    nullable: true,
    type: Number,
    minimum: 0,
    maximum: 36500,
    description:
      'days its leads are kept before the retention sweep erases them (docs/privacy.md): 0 keeps them forever, ' +
      'null takes the global default (LEAD_RETENTION_DAYS)',
  })
  @IsOptional()
  @IsInt({ message: 'retention_days must be a whole number of days (or null for the default)' })
  @Min(0)
  @Max(36500)
  retention_days?: number | null;
}

export class UpdateSiteDto {
  @ApiPropertyOptional()
  @IsOptionalNotNull()
  @IsString()
  @IsStorableText()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ type: ZapierSettingsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ZapierSettingsDto)
  zapier?: ZapierSettingsDto;

  @ApiPropertyOptional({
    nullable: true,
    type: Number,
    minimum: 0,
    maximum: 36500,
    description:
      'days its leads are kept before the retention sweep erases them (docs/privacy.md): 0 keeps them forever, ' +
      'null takes the global default (LEAD_RETENTION_DAYS)',
  })
  @IsOptional()
  @IsInt({ message: 'retention_days must be a whole number of days (or null for the default)' })
  @Min(0)
  @Max(36500)
  retention_days?: number | null;
}

export class ZapierTestResultDto {
  @ApiProperty() ok!: boolean;
  @ApiProperty({ nullable: true, type: Number }) status!: number | null;
  @ApiProperty() duration_ms!: number;
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
  @ApiProperty({ nullable: true, type: String }) response_snippet!: string | null;
}

/** SPEC §10 site shape. `secret` is present in full only on creation and rotation. */
export class SiteResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() hostname!: string;
  @ApiProperty() name!: string;
  @ApiProperty({
    description:
      '`webhook_url` is shown whole only on creation (masked elsewhere); `secret` only on creation and rotation',
  })
  zapier!: { webhook_url: string | null; enabled: boolean; secret?: string };
  @ApiPropertyOptional({
    description:
      'why the sealed hook settings cannot be read here (e.g. sealed under another encryption key)',
  })
  problem?: string;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: "the site's own retention in days; null: the default",
  })
  retention_days!: number | null;
  @ApiProperty({
    description: 'the retention that applies: retention_days, or the default; 0 keeps leads forever',
  })
  effective_retention_days!: number;
  @ApiProperty() created_at!: string;
  @ApiProperty() updated_at!: string;
}

/** What deleting a site did (its leads erased first, docs/privacy.md). */
export class SiteDeletionDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() hostname!: string;
  @ApiProperty({ description: 'leads this deletion erased (each audited as site-deletion:<site id>)' })
  leads_erased!: number;
  @ApiProperty({
    description: 'lead rows removed, the ones erased before included (the erasure audit stays)',
  })
  leads_removed!: number;
}
