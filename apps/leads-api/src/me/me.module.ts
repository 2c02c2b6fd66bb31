import { Module } from '@nestjs/common';
import { DbModule } from '@leadhooks/db';
import { AuthModule } from '../auth/auth.module.js';
import { MeController } from './me.controller.js';
import { MeService } from './me.service.js';

/** `/v1/me`: who a site API key is. */
@Module({
  imports: [DbModule, AuthModule],
  controllers: [MeController],
  providers: [MeService],
})
export class MeModule {}
