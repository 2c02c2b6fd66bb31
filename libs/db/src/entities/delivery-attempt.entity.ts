import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One row per HTTP attempt of a delivery (SPEC §2, §11). */
@Entity({ name: 'delivery_attempt' })
@Index('delivery_attempt_lead', ['leadId', 'attempt'])
export class DeliveryAttemptEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'lead_id', type: 'uuid' })
  leadId!: string;

  /** The delivery (one event to one endpoint) this attempt belongs to. */
  @Column({ name: 'delivery_id', type: 'uuid', nullable: true })
  deliveryId!: string | null;

  @Column({ name: 'endpoint_id', type: 'uuid', nullable: true })
  endpointId!: string | null;

  @Column({ name: 'event_type', type: 'text', default: 'lead.created' })
  eventType!: string;

  @Column({ type: 'int' })
  attempt!: number;

  /** main, 1m … 16m, replay or test. */
  @Column({ type: 'text' })
  tier!: string;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'duration_ms', type: 'int' })
  durationMs!: number;

  @Column({ name: 'http_status', type: 'int', nullable: true })
  httpStatus!: number | null;

  /** timeout, connection, dns, tls, http, refused-target … null on success. */
  @Column({ name: 'error_class', type: 'text', nullable: true })
  errorClass!: string | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'response_snippet', type: 'text', nullable: true })
  responseSnippet!: string | null;

  /** The attempt's lease was taken over before its outcome was recorded: the outcome did not change the delivery. */
  @Column({ name: 'lease_lost', type: 'boolean', default: false })
  leaseLost!: boolean;
}
