import { Column, Entity, PrimaryColumn } from 'typeorm';

/** What a replay did with one dead letter (by its DLT partition and offset). */
@Entity({ name: 'dlt_replay_item' })
export class DltReplayItemEntity {
  @PrimaryColumn({ name: 'replay_id', type: 'uuid' })
  replayId!: string;

  /** The dead-letter topic (logical name: lead.created.dlt or lead.updated.dlt). */
  @PrimaryColumn({ name: 'dlt_topic', type: 'text' })
  dltTopic!: string;

  @PrimaryColumn({ name: 'dlt_partition', type: 'int' })
  dltPartition!: number;

  @PrimaryColumn({ name: 'dlt_offset', type: 'bigint' })
  dltOffset!: string;

  @Column({ name: 'lead_id', type: 'uuid' })
  leadId!: string;

  /** The delivery put back (null for a dead letter from before endpoints existed that no delivery matched). */
  @Column({ name: 'delivery_id', type: 'uuid', nullable: true })
  deliveryId!: string | null;

  /** replayed, skipped-sent, skipped-in-flight, skipped-missing or failed. */
  @Column({ type: 'text' })
  outcome!: string;

  @Column({ type: 'text', nullable: true })
  detail!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
