import { ApiProperty } from '@nestjs/swagger';
import { ZAPIER_STATUSES, type ZapierStatus } from '@leadhooks/db';

/** 201 body of POST /v1/sites/{hostname}/leads (SPEC §10). */
export class LeadAcceptedDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: ZAPIER_STATUSES })
  zapier_status!: ZapierStatus;
}
