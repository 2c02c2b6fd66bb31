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

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  /** JSONata source of a `custom` format's body. */
  @Column({ type: 'text', nullable: true })
  mapping!: string | null;

  /** `hmac_sha256_hex` only; null: `sha256=`. */
  @Column({ name: 'signature_prefix', type: 'text', nullable: true })
  signaturePrefix!: string | null;

  /** null: 6 (first try + five tiers). */
  @Column({ name: 'max_attempts', type: 'smallint', nullable: true })
  maxAttempts!: number | null;

  @Column({ name: 'retry_on_4xx', type: 'boolean', default: true })
  retryOn4xx!: boolean;

  /** Staged secret of a two-step rotation (secret_header, hmac_sha256_hex), sealed. */
  @Column({ name: 'next_secret', type: 'text', nullable: true })
  nextSecretSealed!: string | null;

  @Column({ name: 'next_secret_activates_at', type: 'timestamptz', nullable: true })
  nextSecretActivatesAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt!: Date | null;
}
