import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { AuthMode, EndpointKind, EventType, PayloadFormat } from '@leadhooks/contracts';

/**
 * One destination of a site's events (SPEC §11). URL, custom headers and secrets are stored sealed (SecretBox).
 * Deleting one only marks it (`deleted_at`): its deliveries and their history stay readable.
 */
@Entity({ name: 'endpoint' })
export class EndpointEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'site_id', type: 'uuid' })
  siteId!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', default: 'manual' })
  kind!: EndpointKind;

  @Column({ name: 'url', type: 'text', nullable: true })
  urlSealed!: string | null;

  @Column({ type: 'boolean', default: false })
  enabled!: boolean;

  @Column({ type: 'text', array: true })
  events!: EventType[];

  @Column({ type: 'text', default: 'standard_webhooks' })
  auth!: AuthMode;

  @Column({ type: 'text', default: 'flat' })
  format!: PayloadFormat;

  /** Sealed JSON object of custom request headers. */
  @Column({ name: 'headers', type: 'text', nullable: true })
  headersSealed!: string | null;

  @Column({ name: 'timeout_ms', type: 'int', nullable: true })
  timeoutMs!: number | null;

  @Column({ name: 'rate_limit_per_second', type: 'int', nullable: true })
  rateLimitPerSecond!: number | null;

  @Column({ name: 'secret', type: 'text', nullable: true })
  secretSealed!: string | null;

  @Column({ name: 'previous_secret', type: 'text', nullable: true })
  previousSecretSealed!: string | null;

  @Column({ name: 'previous_secret_expires_at', type: 'timestamptz', nullable: true })
  previousSecretExpiresAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt!: Date | null;
}
