import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { IsStorableText } from '../../../http/storable-text.js';

export class CreateSiteKeyDto {
  @ApiPropertyOptional({ example: 'Zapier', description: 'what the key is for (shown in the list)' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @IsStorableText()
  name?: string;
}

export class SiteKeyDto {
  @ApiProperty() id!: string;
  @ApiProperty() site_id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'the part of the key after `lh_site_` that identifies it (not secret)' })
  prefix!: string;
  @ApiProperty() created_at!: string;
  @ApiProperty({ nullable: true, type: String }) last_used_at!: string | null;
  @ApiProperty({ nullable: true, type: String }) revoked_at!: string | null;
}

export class CreatedSiteKeyDto extends SiteKeyDto {
  @ApiProperty({
    example: 'lh_site_3f9a0c1b2d_…',
    description: 'the key, shown only in this answer (stored hashed): the site owner pastes it into Zapier',
  })
  key!: string;
}
