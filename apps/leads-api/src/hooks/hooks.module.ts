import { Module } from '@nestjs/common';
import { DbModule } from '@leadhooks/db';
import { AuthModule } from '../auth/auth.module.js';
import { HooksController } from './hooks.controller.js';
import { HooksService } from './hooks.service.js';

/** `/v1/hooks`: Zapier REST hook subscriptions (site keys). */
@Module({
  imports: [DbModule, AuthModule],
  controllers: [HooksController],
  providers: [HooksService],
})
export class HooksModule {}
