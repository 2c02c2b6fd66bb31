import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A website whose forms post leads. Hook URL and secrets are stored sealed (see SecretBox). */
@Entity({ name: 'site' })
export class SiteEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ type: 'text', unique: true })
  hostname!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ name: 'zapier_webhook_url', type: 'text', nullable: true })
  zapierWebhookUrlSealed!: string | null;

  @Column({ name: 'zapier_enabled', type: 'boolean', default: false })
  zapierEnabled!: boolean;

  @Column({ name: 'zapier_secret', type: 'text', nullable: true })
  zapierSecretSealed!: string | null;

  @Column({ name: 'zapier_previous_secret', type: 'text', nullable: true })
  zapierPreviousSecretSealed!: string | null;

  @Column({ name: 'zapier_previous_secret_expires_at', type: 'timestamptz', nullable: true })
  zapierPreviousSecretExpiresAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
