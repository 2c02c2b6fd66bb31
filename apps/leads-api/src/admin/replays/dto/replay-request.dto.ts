import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  MinLength,
} from 'class-validator';
import { IsStorableText } from '../../../http/storable-text.js';

export class ReplayRequestDto {
  @ApiProperty({
    type: [String],
    description: 'FAILED deliveries (dead letters) to send through again',
    maxItems: 500,
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  delivery_ids!: string[];

  @ApiPropertyOptional({ example: 'ops@acme', description: 'who replays (recorded in the replay history)' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @IsStorableText()
  actor?: string;
}

export class ReplayItemDto {
  @ApiProperty({ format: 'uuid' }) delivery_id!: string;
  @ApiProperty({ enum: ['replayed', 'skipped-sent', 'skipped-in-flight', 'skipped-missing', 'failed'] })
  outcome!: string;
  @ApiPropertyOptional() detail?: string;
}

export class ReplayResultDto {
  @ApiProperty({ format: 'uuid', description: 'the replay run (GET /v1/admin/replays)' }) id!: string;
  @ApiProperty() selected!: number;
  @ApiProperty() replayed!: number;
  @ApiProperty() skipped!: number;
  @ApiProperty() failed!: number;
  @ApiProperty({ type: [ReplayItemDto] }) items!: ReplayItemDto[];
}
