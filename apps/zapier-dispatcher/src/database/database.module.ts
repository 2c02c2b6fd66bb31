import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  assertSchemaCurrent,
  createDataSource,
  LeadLockRepository,
  LeadRepository,
  OutboxRepository,
  SecretBox,
  secretBoxFor,
  SiteRepository,
} from '@leadhooks/db';
import { DISPATCHER_CONFIG } from '../config/config.module.js';
import type { DispatcherConfig } from '../config/dispatcher.config.js';

@Global()
@Module({
  providers: [
    {
      provide: DataSource,
      inject: [DISPATCHER_CONFIG],
      useFactory: async (config: DispatcherConfig) => {
        const dataSource = createDataSource({
          url: config.databaseUrl,
          poolSize: config.dbPoolSize,
          applicationName: 'zapier-dispatcher',
        });
        await dataSource.initialize();
        await assertSchemaCurrent(dataSource);
        return dataSource;
      },
    },
    {
      provide: SecretBox,
      inject: [DISPATCHER_CONFIG],
      useFactory: (config: DispatcherConfig) => secretBoxFor(config.dataEncryptionKeys),
    },
    {
      provide: SiteRepository,
      inject: [DataSource, SecretBox],
      useFactory: (ds: DataSource, box: SecretBox) => new SiteRepository(ds, box),
    },
    {
      provide: LeadLockRepository,
      inject: [DataSource, SiteRepository, DISPATCHER_CONFIG],
      useFactory: (ds: DataSource, sites: SiteRepository, config: DispatcherConfig) =>
        new LeadLockRepository(ds, sites, config.leadLockBatching),
    },
    { provide: LeadRepository, inject: [DataSource], useFactory: (ds: DataSource) => new LeadRepository(ds) },
    {
      provide: OutboxRepository,
      inject: [DataSource],
      useFactory: (ds: DataSource) => new OutboxRepository(ds),
    },
  ],
  exports: [DataSource, SiteRepository, LeadLockRepository, LeadRepository, OutboxRepository],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
