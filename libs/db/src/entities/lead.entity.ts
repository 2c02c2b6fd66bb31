import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import type { ExtraValue } from '@leadhooks/contracts';
import type { ZapierStatus } from './zapier-status.js';

@Entity({ name: 'lead' })
@Index('lead_site_idempotency_key', ['siteId', 'idempotencyKey'], { unique: true })
export class LeadEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'site_id', type: 'uuid' })
  siteId!: string;

  @Column({ name: 'submitted_at', type: 'timestamptz' })
  submittedAt!: Date;

  @Column({ name: 'page_url', type: 'text', nullable: true })
  pageUrl!: string | null;

  @Column({ name: 'lead_source', type: 'text', nullable: true })
  leadSource!: string | null;

  @Column({ name: 'form_type', type: 'text', nullable: true })
  formType!: string | null;

  @Column({ type: 'text', nullable: true })
  name!: string | null;

  @Column({ type: 'text', nullable: true })
  email!: string | null;

  @Column({ type: 'text', nullable: true })
  phone!: string | null;

  @Column({ type: 'text', nullable: true })
  message!: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  extra!: Record<string, ExtraValue>;

  @Column({ name: 'client_ip', type: 'text', nullable: true })
  clientIp!: string | null;

  @Column({ name: 'user_agent', type: 'text', nullable: true })
  userAgent!: string | null;

  @Column({ name: 'idempotency_key', type: 'text', nullable: true })
  idempotencyKey!: string | null;

  /** Id of the lead.created event (= webhook-id), stable across retries, redeliveries and replays. */
  @Column({ name: 'event_id', type: 'uuid' })
  eventId!: string;

  /** The state of this lead's lead.created delivery to the site's `zapier` endpoint (SPEC §10, §11). */
  @Column({ name: 'zapier_status', type: 'text', nullable: true })
  zapierStatus!: ZapierStatus | null;

  @Column({ name: 'zapier_attempt_count', type: 'int', default: 0 })
  zapierAttemptCount!: number;

  @Column({ name: 'zapier_last_attempt_at', type: 'timestamptz', nullable: true })
  zapierLastAttemptAt!: Date | null;

  @Column({ name: 'zapier_last_error', type: 'text', nullable: true })
  zapierLastError!: string | null;

  @Column({ name: 'zapier_sent_at', type: 'timestamptz', nullable: true })
  zapierSentAt!: Date | null;

  /** Increments with every real change (PATCH): receivers of lead.updated drop a version older than one they hold. */
  @Column({ type: 'int', default: 1 })
  version!: number;

  @Column({ name: 'updated_at', type: 'timestamptz', nullable: true })
  updatedAt!: Date | null;

  /** When the lead's personal data was erased (docs/privacy.md); the row stays as a tombstone. */
  @Column({ name: 'erased_at', type: 'timestamptz', nullable: true })
  erasedAt!: Date | null;

  /** When the dispatcher created the deliveries of its lead.created event (null: not yet). */
  @Column({ name: 'fanned_out_at', type: 'timestamptz', nullable: true })
  fannedOutAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
