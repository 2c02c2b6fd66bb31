import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * A site's inbound source (SPEC §14): the URL a form tool posts to, its mapping to a lead and its signature check.
 * The token is kept as a SHA-256 only; the signing secret is sealed (SecretBox).
 */
@Entity({ name: 'inbound_source' })
export class InboundSourceEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'site_id', type: 'uuid' })
  siteId!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', nullable: true })
  preset!: string | null;

  @Column({ type: 'text' })
  mapping!: string;

  @Column({ type: 'text', default: 'none' })
  signature!: string;

  @Column({ name: 'secret', type: 'text', nullable: true })
  secretSealed!: string | null;

  @Column({ name: 'token_hash', type: 'bytea', unique: true })
  tokenHash!: Buffer;

  @Column({ name: 'token_hint', type: 'text' })
  tokenHint!: string;

  @Column({ name: 'token_rotated_at', type: 'timestamptz' })
  tokenRotatedAt!: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
