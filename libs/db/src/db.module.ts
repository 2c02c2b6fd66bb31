import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { GroupCommitOptions } from './batching/group-commit.js';
import { type EncryptionKeys, secretBoxFor } from './crypto/encryption-keys.js';
import { LeadDataKeys } from './crypto/lead-data-keys.js';
import { SecretBox } from './crypto/secret-box.js';
import { type DatabaseSettings, dataSourceOptions } from './data-source.js';
import { assertSchemaCurrent } from './migrate.js';
import { ApiKeyRepository } from './repositories/api-key.repository.js';
import { DeliveryLockRepository } from './repositories/delivery-lock.repository.js';
import { DeliveryStatsRepository } from './repositories/delivery-stats.repository.js';
import { DeliveryRepository } from './repositories/delivery.repository.js';
import { EndpointRepository } from './repositories/endpoint.repository.js';
import { InboundRequestRepository } from './repositories/inbound-request.repository.js';
import { InboundSourceRepository } from './repositories/inbound-source.repository.js';
import { LeadErasureRepository } from './repositories/lead-erasure.repository.js';
import { LeadExportRepository } from './repositories/lead-export.repository.js';
import { LeadKeyRepository } from './repositories/lead-key.repository.js';
import { LeadRepository } from './repositories/lead.repository.js';
import { OutboxRepository } from './repositories/outbox.repository.js';
import { ReplayRepository } from './repositories/replay.repository.js';
import { RetentionRepository } from './repositories/retention.repository.js';
import { SiteApiKeyRepository } from './repositories/site-api-key.repository.js';
import { SiteRepository } from './repositories/site.repository.js';

/** Provided by the app's (global) config module: how this process talks to Postgres. */
export const DB_SETTINGS = Symbol('DB_SETTINGS');

export interface DbSettings extends DatabaseSettings {
  encryptionKeys: EncryptionKeys;
  /** Group commit of intake writes (leads-api). */
  intakeBatching?: GroupCommitOptions;
  /** Group commit of delivery fan-outs, claims and outcomes (dispatcher). */
  lockBatching?: GroupCommitOptions;
}

const REPOSITORIES = [
  SiteRepository,
  EndpointRepository,
  LeadKeyRepository,
  LeadRepository,
  LeadErasureRepository,
  LeadExportRepository,
  DeliveryRepository,
  DeliveryLockRepository,
  OutboxRepository,
  ReplayRepository,
  RetentionRepository,
  ApiKeyRepository,
  SiteApiKeyRepository,
  DeliveryStatsRepository,
  InboundSourceRepository,
  InboundRequestRepository,
];

/**
 * The one DataSource (TypeORM through @nestjs/typeorm, migrations never run by the app: start-up fails when the
 * schema is behind) and the repositories over it. Import it where repositories are needed.
 */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [DB_SETTINGS],
      useFactory: (settings: DbSettings) => ({
        ...dataSourceOptions(settings),
        retryAttempts: 3,
        retryDelay: 1_000,
      }),
      dataSourceFactory: async (options) => {
        const dataSource = new DataSource(options!);
        await dataSource.initialize();
        await assertSchemaCurrent(dataSource);
        return dataSource;
      },
    }),
  ],
  providers: [
    {
      provide: SecretBox,
      inject: [DB_SETTINGS],
      useFactory: (settings: DbSettings) => secretBoxFor(settings.encryptionKeys),
    },
    {
      provide: SiteRepository,
      inject: [DataSource, SecretBox],
      useFactory: (ds: DataSource, box: SecretBox) => new SiteRepository(ds, box),
    },
    {
      provide: LeadKeyRepository,
      inject: [SecretBox],
      useFactory: (box: SecretBox) => new LeadKeyRepository(new LeadDataKeys(box)),
    },
    {
      provide: LeadRepository,
      inject: [DataSource, LeadKeyRepository, DB_SETTINGS],
      useFactory: (ds: DataSource, keys: LeadKeyRepository, s: DbSettings) =>
        new LeadRepository(ds, keys, s.intakeBatching),
    },
    {
      provide: LeadErasureRepository,
      inject: [DataSource],
      useFactory: (ds: DataSource) => new LeadErasureRepository(ds),
    },
    {
      provide: LeadExportRepository,
      inject: [DataSource],
      useFactory: (ds: DataSource) => new LeadExportRepository(ds),
    },
    {
      provide: EndpointRepository,
      inject: [DataSource, SecretBox],
      useFactory: (ds: DataSource, box: SecretBox) => new EndpointRepository(ds, box),
    },
    {
      provide: DeliveryRepository,
      inject: [DataSource, LeadKeyRepository],
      useFactory: (ds: DataSource, keys: LeadKeyRepository) => new DeliveryRepository(ds, keys),
    },
    {
      provide: DeliveryLockRepository,
      inject: [DataSource, EndpointRepository, LeadKeyRepository, DB_SETTINGS],
      useFactory: (ds: DataSource, endpoints: EndpointRepository, keys: LeadKeyRepository, s: DbSettings) =>
        new DeliveryLockRepository(ds, endpoints, keys, s.lockBatching),
    },
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
      provide: RetentionRepository,
      inject: [DataSource],
      useFactory: (ds: DataSource) => new RetentionRepository(ds),
    },
    {
      provide: ApiKeyRepository,
      inject: [DataSource],
      useFactory: (ds: DataSource) => new ApiKeyRepository(ds),
    },
    {
      provide: SiteApiKeyRepository,
      inject: [DataSource],
      useFactory: (ds: DataSource) => new SiteApiKeyRepository(ds),
    },
    {
      provide: DeliveryStatsRepository,
      inject: [DataSource],
      useFactory: (ds: DataSource) => new DeliveryStatsRepository(ds),
    },
    {
      provide: InboundSourceRepository,
      inject: [DataSource, SecretBox],
      useFactory: (ds: DataSource, box: SecretBox) => new InboundSourceRepository(ds, box),
    },
    {
      provide: InboundRequestRepository,
      inject: [DataSource],
      useFactory: (ds: DataSource) => new InboundRequestRepository(ds),
    },
  ],
  exports: [SecretBox, ...REPOSITORIES],
})
export class DbModule {}
