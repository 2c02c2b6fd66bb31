/** Inbound sources as the admin API shows them (SPEC §14). */
export interface InboundPreset {
  id: string;
  label: string;
  docs: string;
  notes: string;
  signature: string;
  mapping: string;
}

export interface InboundSource {
  id: string;
  site_id: string;
  name: string;
  preset: string | null;
  mapping: string;
  signature: string;
  has_secret: boolean;
  token_hint: string;
  /** In full (with the token) only in the answers to creation and rotation. */
  url: string;
  token?: string;
  problem?: string;
  token_rotated_at: string;
  created_at: string;
  updated_at: string;
}

export interface FieldProblem {
  field: string;
  message: string;
  position?: number;
}

export interface InboundRequest {
  id: string;
  received_at: string;
  status: number;
  lead_id: string | null;
  replayed: boolean;
  error: string | null;
  errors: FieldProblem[] | null;
  content_type: string | null;
  size_bytes: number;
  duration_ms: number | null;
  headers: Record<string, string>;
  query: Record<string, unknown>;
  body: string | null;
  body_format: 'json' | 'raw' | null;
  body_truncated: boolean;
}

export interface InboundRequestPage {
  items: InboundRequest[];
  next_cursor: string | null;
}

export interface SourcePreview {
  request_id: string | null;
  mapped: Record<string, unknown> | null;
  lead: (Record<string, unknown> & { extra: Record<string, unknown>; idempotency_key: string | null }) | null;
  valid: boolean;
  errors: FieldProblem[];
}

export const SIGNATURE_LABELS: Record<string, string> = {
  none: 'None (the URL is the only credential)',
  typeform: 'Typeform-Signature (sha256=base64 HMAC)',
  tally: 'Tally-Signature (base64 HMAC)',
  webflow: 'x-webflow-signature (hex HMAC of timestamp:body)',
  hmac_sha256_hex: 'X-Webhook-Signature (hex HMAC)',
  secret_header: 'X-Webhook-Secret header',
};
