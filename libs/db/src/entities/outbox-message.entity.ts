import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A domain event written in the same transaction as the change it describes; the relay publishes it. */
@Entity({ name: 'outbox' })
export class OutboxMessageEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'aggregate_id', type: 'uuid' })
  aggregateId!: string;

  /** Logical topic the relay publishes the row to (lead.created, a retry tier, the DLT). */
  @Column({ type: 'text', default: 'lead.created' })
  topic!: string;

  @Column({ name: 'event_type', type: 'text' })
  eventType!: string;

  @Column({ type: 'jsonb' })
  payload!: unknown;

  /** Kafka headers to publish with the event (e.g. the attempt a redelivery is for). */
  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  headers!: Record<string, string>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** When the relay was done with the row: published, or set aside (then `setAsideAt` is set too). */
  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt!: Date | null;

  /** When the relay set the row aside instead of publishing it (the broker refused it even alone). */
  @Column({ name: 'set_aside_at', type: 'timestamptz', nullable: true })
  setAsideAt!: Date | null;

  @Column({ name: 'set_aside_reason', type: 'text', nullable: true })
  setAsideReason!: string | null;
}
