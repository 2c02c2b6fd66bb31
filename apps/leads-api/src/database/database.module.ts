import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  ApiKeyRepository,
  assertSchemaCurrent,
  createDataSource,
  LeadRepository,
  OutboxRepository,
  ReplayRepository,
  SecretBox,
  secretBoxFor,
  SiteRepository,
} from '@leadhooks/db';
import { LEADS_API_CONFIG } from '../config/config.module.js';
import type { LeadsApiConfig } from '../config/leads-api.config.js';

/** The one DataSource (from libs/db) and the repositories leads-api uses. */
@Global()
@Module({
  providers: [
    {
      provide: DataSource,
      inject: [LEADS_API_CONFIG],
      useFactory: async (config: LeadsApiConfig) => {
        const dataSource = createDataSource({
          url: config.databaseUrl,
          poolSize: config.dbPoolSize,
          applicationName: 'leads-api',
        });
        await dataSource.initialize();
        await assertSchemaCurrent(dataSource);
        return dataSource;
      },
    },
    {
      provide: SecretBox,
      inject: [LEADS_API_CONFIG],
      useFactory: (config: LeadsApiConfig) => secretBoxFor(config.dataEncryptionKeys),
    },
    {
      provide: SiteRepository,
      inject: [DataSource, SecretBox],
      useFactory: (ds: DataSource, box: SecretBox) => new SiteRepository(ds, box),
    },
    { provide: LeadRepository, inject: [DataSource], useFactory: (ds: DataSource) => new LeadRepository(ds) },
    {
      provide: OutboxRepository,
      inject: [DataSource],
      useFactory: (ds: DataSource) => new OutboxRepository(ds),
    },
    {
      provide: ReplayRepository,
      inject: [DataSource],
      useFactory: (ds: DataSource) => new ReplayRepository(ds),
    },
    {
      provide: ApiKeyRepository,
      inject: [DataSource],
      useFactory: (ds: DataSource) => new ApiKeyRepository(ds),
    },
  ],
  exports: [
    DataSource,
    SecretBox,
    SiteRepository,
    LeadRepository,
    OutboxRepository,
    ReplayRepository,
    ApiKeyRepository,
  ],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
