import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';

export class ZapierSettingsDto {
  @ApiPropertyOptional({ nullable: true, type: String, example: 'https://hooks.zapier.com/hooks/catch/123/abc/' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  webhook_url?: string | null;

  @ApiPropertyOptional({ description: 'a URL alone does not enable delivery' })
  @IsOptional()
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
  @IsOptional()
  @IsString()
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
  @ApiProperty({ description: '`secret` is present in full only on creation and rotation' })
  zapier!: { webhook_url: string | null; enabled: boolean; secret?: string };
  @ApiProperty() created_at!: string;
  @ApiProperty() updated_at!: string;
}
