import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One run of `npm run dlt -- replay`: who, when, with which filter, and the counts. */
@Entity({ name: 'dlt_replay' })
export class DltReplayEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  actor!: string;

  @Column({ name: 'started_at', type: 'timestamptz', default: () => 'now()' })
  startedAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  @Column({ type: 'jsonb' })
  filter!: Record<string, unknown>;

  @Column({ name: 'dry_run', type: 'boolean', default: false })
  dryRun!: boolean;

  @Column({ type: 'int', default: 0 })
  selected!: number;

  @Column({ type: 'int', default: 0 })
  replayed!: number;

  @Column({ type: 'int', default: 0 })
  skipped!: number;

  @Column({ type: 'int', default: 0 })
  failed!: number;
}
