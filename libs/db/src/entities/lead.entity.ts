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

  /** When the next attempt is due while PENDING (the sweep looks for leads long past it); null otherwise. */
  @Column({ name: 'zapier_next_attempt_at', type: 'timestamptz', nullable: true })
  zapierNextAttemptAt!: Date | null;

  /** Step of the current retry cycle the next attempt belongs to (0 = first try of the cycle). */
  @Column({ name: 'zapier_cycle_step', type: 'int', default: 0 })
  zapierCycleStep!: number;

  /** Delivery lease (the lead lock): who may be delivering this lead right now, and until when. */
  @Column({ name: 'lock_token', type: 'uuid', nullable: true })
  lockToken!: string | null;

  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true })
  lockedUntil!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
