import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** A site API key (`lh_site_<prefix>_<secret>`): acts for its one site only; only a SHA-256 of the key is stored. */
@Entity({ name: 'site_api_key' })
@Index('site_api_key_site', ['siteId', 'createdAt'])
export class SiteApiKeyEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'site_id', type: 'uuid' })
  siteId!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', unique: true })
  prefix!: string;

  @Column({ name: 'secret_hash', type: 'bytea' })
  secretHash!: Buffer;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;
}
