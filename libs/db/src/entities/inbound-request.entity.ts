import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One request to an inbound source, as the request log keeps it (body cut, credentials left out). */
@Entity({ name: 'inbound_request' })
export class InboundRequestEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'source_id', type: 'uuid' })
  sourceId!: string;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;

  @Column({ type: 'smallint' })
  status!: number;

  @Column({ name: 'lead_id', type: 'uuid', nullable: true })
  leadId!: string | null;

  @Column({ type: 'boolean', default: false })
  replayed!: boolean;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  errors!: Array<{ field: string; message: string }> | null;

  @Column({ name: 'content_type', type: 'text', nullable: true })
  contentType!: string | null;

  @Column({ name: 'size_bytes', type: 'int' })
  sizeBytes!: number;

  @Column({ name: 'duration_ms', type: 'int', nullable: true })
  durationMs!: number | null;

  @Column({ type: 'jsonb', default: {} })
  headers!: Record<string, string>;

  @Column({ type: 'jsonb', default: {} })
  query!: Record<string, unknown>;

  @Column({ type: 'text', nullable: true })
  body!: string | null;

  /** `json`: the parsed body as JSON text (what the mapping read); `raw`: the first bytes of an unreadable body. */
  @Column({ name: 'body_format', type: 'text', nullable: true })
  bodyFormat!: 'json' | 'raw' | null;

  @Column({ name: 'body_truncated', type: 'boolean', default: false })
  bodyTruncated!: boolean;
}
