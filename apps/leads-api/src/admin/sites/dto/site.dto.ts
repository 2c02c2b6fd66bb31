import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
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
  @ApiProperty() created_at!: string;
  @ApiProperty() updated_at!: string;
}
