import { Module } from '@nestjs/common';
import { DbModule } from '@leadhooks/db';
import { AdminAuthGuard } from './admin-auth.guard.js';
import { ApiKeyAuthGuard } from './api-key-auth.guard.js';
import { ApiKeyAuthenticator } from './api-key-authenticator.service.js';

/** API-key authentication: admin keys (every site) and site keys (one site). */
@Module({
  imports: [DbModule],
  providers: [ApiKeyAuthenticator, AdminAuthGuard, ApiKeyAuthGuard],
  exports: [ApiKeyAuthenticator, AdminAuthGuard, ApiKeyAuthGuard],
})
export class AuthModule {}
