import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { LeadUpdatedEvent } from '@leadhooks/contracts';

/** Every lead.updated event as emitted (its deliveries replay it as it was, not as the lead is now). */
@Entity({ name: 'lead_update' })
export class LeadUpdateEntity {
  @PrimaryColumn({ name: 'event_id', type: 'uuid' })
  eventId!: string;

  @Column({ name: 'lead_id', type: 'uuid' })
  leadId!: string;

  @Column({ type: 'int' })
  version!: number;

  @Column({ type: 'jsonb' })
  payload!: LeadUpdatedEvent;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'fanned_out_at', type: 'timestamptz', nullable: true })
  fannedOutAt!: Date | null;
}
