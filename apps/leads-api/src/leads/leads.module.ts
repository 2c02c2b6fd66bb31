import { Module } from '@nestjs/common';
import { DbModule } from '@leadhooks/db';
import { AuthModule } from '../auth/auth.module.js';
import { IntakeModule } from '../intake/intake.module.js';
import { LeadsController } from './leads.controller.js';
import { LeadsService } from './leads.service.js';

/** `/v1/leads`: admin keys and site keys (scoped to their site). */
@Module({
  imports: [DbModule, AuthModule, IntakeModule],
  controllers: [LeadsController],
  providers: [LeadsService],
})
export class LeadsModule {}
