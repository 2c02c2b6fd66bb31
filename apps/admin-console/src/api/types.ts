/** The admin API's answers, as the console uses them (snake_case, as the API sends them). */
export type LeadStatus = 'PENDING' | 'SENT' | 'FAILED' | 'NOT_CONFIGURED';
export type DeliveryStatus = 'PENDING' | 'SENT' | 'FAILED' | 'SKIPPED';

export interface Site {
  id: string;
  hostname: string;
  name: string;
  zapier: { webhook_url: string | null; enabled: boolean; secret?: string };
  /** Days its leads are kept (0: forever); null: the global default. */
  retention_days: number | null;
  /** What applies: retention_days or the default (0: forever). */
  effective_retention_days: number;
  created_at: string;
}

/** What deleting a site did: its leads were erased first. */
export interface SiteDeletion {
  id: string;
  hostname: string;
  leads_erased: number;
  leads_removed: number;
}

export type EndpointAuth = 'standard_webhooks' | 'secret_header' | 'hmac_sha256_hex';
export type EndpointFormat = 'flat' | 'envelope' | 'custom';
export type SignaturePrefix = 'sha256=' | '';

export interface Endpoint {
  id: string;
  site_id: string;
  name: string;
  kind: 'manual' | 'zapier_rest_hook';
  url: string | null;
  enabled: boolean;
  events: string[];
  auth: EndpointAuth;
  format: EndpointFormat;
  /** Names as set; values always masked by the API. */
  headers: Record<string, string>;
  timeout_ms: number | null;
  rate_limit_per_second: number | null;
  description: string | null;
  /** `format: "custom"`: the JSONata expression whose result is the body. */
  mapping: string | null;
  signature_prefix: SignaturePrefix;
  max_attempts: number;
  retry_on_4xx: boolean;
  secret_staged: boolean;
  staged_secret_activates_at: string | null;
  secret?: string;
  secret_state?: 'active' | 'staged';
  problem?: string;
  created_at: string;
}

/** JSONata's verdict on a mapping (`mapping_error` in a 400 or 422): what, and where in the text when known. */
export interface MappingProblem {
  kind: string;
  message: string;
  position?: number;
  code?: string;
}

/** `POST /v1/admin/mappings/preview`: the exact body a custom endpoint would send, and its headers. */
export interface MappingPreview {
  source: 'lead' | 'sample';
  lead_id: string | null;
  event: string;
  body: string;
  json: Record<string, unknown>;
  size_bytes: number;
  headers: Record<string, string>;
}

export interface EndpointTest {
  ok: boolean;
  status: number | null;
  duration_ms: number;
  error: string | null;
  response_snippet: string | null;
  event: string;
  delivery_id: string;
}

export interface Attempt {
  attempt: number;
  tier: string;
  http_status: number | null;
  error: string | null;
  duration_ms: number | null;
  started_at: string;
}

export interface Delivery {
  id: string;
  event_id: string;
  event: string;
  lead_id: string;
  site_id: string;
  endpoint_id: string;
  endpoint_name: string;
  endpoint_deleted: boolean;
  status: DeliveryStatus;
  attempt_count: number;
  last_attempt_at: string | null;
  last_status: number | null;
  last_error: string | null;
  sent_at: string | null;
  next_attempt_at: string | null;
  created_at: string;
  attempts?: Attempt[];
}

export interface Lead {
  id: string;
  site_id: string;
  submitted_at: string;
  page_url: string | null;
  lead_source: string | null;
  form_type: string | null;
  name: string | null;
  email: string | null;
  phone: string | null;
  message: string | null;
  extra: Record<string, unknown>;
  zapier_status: LeadStatus | null;
  zapier_attempt_count: number;
  version: number;
  updated_at: string | null;
  deliveries?: Delivery[];
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface Overview {
  window: string;
  sent: number;
  failed: number;
  skipped: number;
  pending: number;
  in_retry: number;
  p95_duration_ms: number | null;
  attempts: number;
  dead_letters: number;
  failing_endpoints: Array<{ id: string; name: string; site_id: string; site_hostname: string }>;
}

export interface ReplayRun {
  id: string;
  actor: string;
  started_at: string;
  finished_at: string | null;
  selected: number;
  replayed: number;
  skipped: number;
  failed: number;
}

export interface ReplayResult extends ReplayRun {
  items: Array<{ delivery_id: string; outcome: string; detail?: string }>;
}
