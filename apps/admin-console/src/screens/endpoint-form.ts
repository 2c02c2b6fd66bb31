import { useRef, useState } from 'preact/hooks';
import type { Endpoint, EndpointAuth, EndpointFormat, SignaturePrefix } from '../api/types.js';
import { FieldProblem, formProblems, invalidProps } from '../ui/field-problems.js';
import { html } from '../ui/html.js';
import { EndpointMappingEditor } from './endpoint-mapping.js';

export const EVENTS = ['lead.created', 'lead.updated', 'lead.deleted'] as const;
const AUTH_MODES: Array<[EndpointAuth, string]> = [
  ['standard_webhooks', 'Standard Webhooks signature (Zapier, code)'],
  ['secret_header', 'Secret header X-Webhook-Secret (Make, n8n)'],
  ['hmac_sha256_hex', 'Hex HMAC in X-Webhook-Signature'],
];
const SIGNATURE_PREFIXES: Array<[SignaturePrefix, string]> = [
  ['sha256=', 'sha256=<hex> (GitHub style, the default)'],
  ['', '<hex> alone (the integration guide’s receivers)'],
];
const FORMATS: Array<[EndpointFormat, string]> = [
  ['flat', 'Flat fields (Zapier)'],
  ['envelope', 'Envelope {event, data}'],
  ['custom', 'Custom: a JSONata mapping of my own'],
];
const MAX_ATTEMPTS = [1, 2, 3, 4, 5, 6] as const;
/** What a header whose value is kept as stored is sent back as (the API's own mask). */
const MASKED_HEADER_VALUE = '***';
const STARTER_MAPPING = '{\n  "email": lead.email,\n  "name": lead.name,\n  "event": event\n}';

/** The fields the form shows, by the API's names: an API error naming one is shown beside it. */
const FIELDS = [
  'name',
  'url',
  'description',
  'events',
  'enabled',
  'auth',
  'signature_prefix',
  'format',
  'mapping',
  'max_attempts',
  'retry_on_4xx',
  'timeout_ms',
  'rate_limit_per_second',
  'headers',
] as const;

interface HeaderRow {
  key: number;
  name: string;
  value: string;
  /** The stored header's name when its value was not retyped: an empty value keeps the stored one. */
  stored: string | null;
}

/** The form's state: text as typed (numbers included), turned into the API's body on submit. */
export interface EndpointFields {
  name: string;
  url: string;
  description: string;
  events: string[];
  enabled: boolean;
  auth: EndpointAuth;
  signature_prefix: SignaturePrefix;
  format: EndpointFormat;
  mapping: string;
  max_attempts: number;
  retry_on_4xx: boolean;
  timeout_ms: string;
  rate_limit_per_second: string;
  headers: HeaderRow[];
}

/** The form's starting point: an endpoint's settings, or a new endpoint's defaults. */
export function endpointFields(endpoint?: Endpoint): EndpointFields {
  return {
    name: endpoint?.name ?? '',
    url: endpoint?.url ?? '',
    description: endpoint?.description ?? '',
    events: endpoint?.events ?? ['lead.created'],
    enabled: endpoint?.enabled ?? true,
    auth: endpoint?.auth ?? 'standard_webhooks',
    signature_prefix: endpoint?.signature_prefix ?? 'sha256=',
    format: endpoint?.format ?? 'flat',
    mapping: endpoint?.mapping ?? '',
    max_attempts: endpoint?.max_attempts ?? 6,
    retry_on_4xx: endpoint?.retry_on_4xx ?? true,
    timeout_ms: endpoint?.timeout_ms == null ? '' : String(endpoint.timeout_ms),
    rate_limit_per_second:
      endpoint?.rate_limit_per_second == null ? '' : String(endpoint.rate_limit_per_second),
    headers: Object.keys(endpoint?.headers ?? {}).map((name, key) => ({
      key,
      name,
      value: '',
      stored: name,
    })),
  };
}

/** An empty box is "the default" (null); anything else goes as a number, or as typed for the API to refuse. */
function optionalNumber(text: string): number | string | null {
  const trimmed = text.trim();
  if (!trimmed) return null;
  return /^\d+$/.test(trimmed) ? Number(trimmed) : trimmed;
}

/** The body for `POST …/endpoints` or `PATCH /v1/admin/endpoints/{id}`: every setting the form holds. */
export function endpointBody(fields: EndpointFields): Record<string, unknown> {
  return {
    name: fields.name,
    url: fields.url,
    description: fields.description.trim() ? fields.description : null,
    events: fields.events,
    enabled: fields.enabled,
    auth: fields.auth,
    signature_prefix: fields.signature_prefix,
    format: fields.format,
    // Only a custom endpoint reads its mapping; another format keeps the stored one (switching back finds it).
    ...(fields.format === 'custom' ? { mapping: fields.mapping } : {}),
    max_attempts: fields.max_attempts,
    retry_on_4xx: fields.retry_on_4xx,
    timeout_ms: optionalNumber(fields.timeout_ms),
    rate_limit_per_second: optionalNumber(fields.rate_limit_per_second),
    headers: Object.fromEntries(
      fields.headers
        .filter((row) => row.name.trim() || row.value)
        .map((row) => [
          row.name.trim(),
          row.value === '' && row.stored !== null && row.stored === row.name.trim()
            ? MASKED_HEADER_VALUE
            : row.value,
        ]),
    ),
  };
}

/**
 * An endpoint's settings, to add one or change one: where and what it is sent, how it is signed, its body (a
 * custom JSONata mapping with a live preview on a real lead), its delivery policy, headers, timeout and rate limit.
 * `onSubmit` saves; what the API refuses comes back as `error` and is shown beside the field it names.
 */
export function EndpointForm({
  idPrefix,
  siteId,
  endpoint,
  submitLabel,
  onSubmit,
  onCancel,
  error,
}: {
  idPrefix: string;
  siteId: string;
  endpoint?: Endpoint;
  submitLabel: string;
  onSubmit: (body: Record<string, unknown>) => Promise<void>;
  onCancel?: () => void;
  error: unknown;
}) {
  const [fields, setFields] = useState(() => endpointFields(endpoint));
  const [saving, setSaving] = useState(false);
  const nextKey = useRef(fields.headers.length);
  const set = (patch: Partial<EndpointFields>) => setFields((current) => ({ ...current, ...patch }));
  const setHeader = (key: number, patch: Partial<HeaderRow>) =>
    set({ headers: fields.headers.map((row) => (row.key === key ? { ...row, ...patch } : row)) });
  const id = (name: string) => `${idPrefix}-${name}`;
  const problems = formProblems(error, FIELDS);
  const problem = (field: (typeof FIELDS)[number]) => problems.byField[field];
  const text = (field: 'name' | 'url' | 'description' | 'timeout_ms' | 'rate_limit_per_second') => ({
    id: id(field),
    value: fields[field],
    ...invalidProps(id(field), problem(field)),
    onInput: (e: Event) => set({ [field]: (e.target as HTMLInputElement).value }),
  });

  return html`<form
    class="stacked endpoint-form"
    onSubmit=${(e: Event) => {
      e.preventDefault();
      if (saving) return;
      setSaving(true);
      void onSubmit(endpointBody(fields)).finally(() => setSaving(false));
    }}
  >
    <label for=${id('name')}>Name</label>
    <input required ...${text('name')} />
    <${FieldProblem} fieldId=${id('name')} message=${problem('name')} />
    <label for=${id('url')}>URL</label>
    <input type="url" required ...${text('url')} />
    <${FieldProblem} fieldId=${id('url')} message=${problem('url')} />
    <label for=${id('description')}>Description (for people; optional)</label>
    <input maxlength="500" ...${text('description')} />
    <${FieldProblem} fieldId=${id('description')} message=${problem('description')} />
    <fieldset>
      <legend>Events</legend>
      ${EVENTS.map(
        (event) =>
          html`<label class="inline">
            <input
              type="checkbox"
              checked=${fields.events.includes(event)}
              onChange=${(e: Event) =>
                set({
                  events: (e.target as HTMLInputElement).checked
                    ? [...fields.events, event]
                    : fields.events.filter((x) => x !== event),
                })}
            />
            ${event}
          </label>`,
      )}
      <${FieldProblem} fieldId=${id('events')} message=${problem('events')} />
    </fieldset>
    <label for=${id('auth')}>How requests are signed</label>
    <select
      id=${id('auth')}
      value=${fields.auth}
      onChange=${(e: Event) => set({ auth: (e.target as HTMLSelectElement).value as EndpointAuth })}
    >
      ${AUTH_MODES.map(([value, label]) => html`<option value=${value}>${label}</option>`)}
    </select>
    <${FieldProblem} fieldId=${id('auth')} message=${problem('auth')} />
    ${
      fields.auth === 'hmac_sha256_hex'
        ? html`<label for=${id('signature_prefix')}>X-Webhook-Signature format</label>
            <select
              id=${id('signature_prefix')}
              value=${fields.signature_prefix}
              ...${invalidProps(id('signature_prefix'), problem('signature_prefix'))}
              onChange=${(e: Event) =>
                set({ signature_prefix: (e.target as HTMLSelectElement).value as SignaturePrefix })}
            >
              ${SIGNATURE_PREFIXES.map(([value, label]) => html`<option value=${value}>${label}</option>`)}
            </select>
            <${FieldProblem} fieldId=${id('signature_prefix')} message=${problem('signature_prefix')} />`
        : null
    }
    <label for=${id('format')}>Payload format</label>
    <select
      id=${id('format')}
      value=${fields.format}
      onChange=${(e: Event) => {
        const format = (e.target as HTMLSelectElement).value as EndpointFormat;
        set({
          format,
          mapping: format === 'custom' && !fields.mapping.trim() ? STARTER_MAPPING : fields.mapping,
        });
      }}
    >
      ${FORMATS.map(([value, label]) => html`<option value=${value}>${label}</option>`)}
    </select>
    <${FieldProblem} fieldId=${id('format')} message=${problem('format')} />
    ${
      fields.format === 'custom'
        ? html`<${EndpointMappingEditor}
            fieldId=${id('mapping')}
            siteId=${siteId}
            endpointId=${endpoint?.id ?? null}
            mapping=${fields.mapping}
            onChange=${(mapping: string) => set({ mapping })}
            saveProblem=${problem('mapping')}
          />`
        : null
    }
    <fieldset>
      <legend>Delivery policy</legend>
      <label for=${id('max_attempts')}>Attempts per lead (first try included)</label>
      <select
        id=${id('max_attempts')}
        value=${String(fields.max_attempts)}
        ...${invalidProps(id('max_attempts'), problem('max_attempts'))}
        onChange=${(e: Event) => set({ max_attempts: Number((e.target as HTMLSelectElement).value) })}
      >
        ${MAX_ATTEMPTS.map(
          (n) =>
            html`<option value=${String(n)}>
              ${n === 1 ? '1 (no retry)' : n === 6 ? '6 (first try + the five retries, 1 to 16 min)' : String(n)}
            </option>`,
        )}
      </select>
      <${FieldProblem} fieldId=${id('max_attempts')} message=${problem('max_attempts')} />
      <label class="inline">
        <input
          id=${id('retry_on_4xx')}
          type="checkbox"
          checked=${fields.retry_on_4xx}
          onChange=${(e: Event) => set({ retry_on_4xx: (e.target as HTMLInputElement).checked })}
        />
        Retry after a 4xx answer (408, 409, 425 and 429 are always retried)
      </label>
      <${FieldProblem} fieldId=${id('retry_on_4xx')} message=${problem('retry_on_4xx')} />
      <label for=${id('timeout_ms')}>Timeout in ms (1000–30000; empty: the default)</label>
      <input type="text" inputmode="numeric" autocomplete="off" ...${text('timeout_ms')} />
      <${FieldProblem} fieldId=${id('timeout_ms')} message=${problem('timeout_ms')} />
      <label for=${id('rate_limit_per_second')}>Rate limit, requests per second (empty: the default)</label>
      <input type="text" inputmode="numeric" autocomplete="off" ...${text('rate_limit_per_second')} />
      <${FieldProblem} fieldId=${id('rate_limit_per_second')} message=${problem('rate_limit_per_second')} />
    </fieldset>
    <fieldset>
      <legend>Custom headers</legend>
      <p class="hint">
        Sent with every request. Values are stored sealed and never shown again: leave a value empty to keep
        it.
      </p>
      ${fields.headers.map(
        (row, index) =>
          html`<div class="header-row" key=${row.key} data-header-row=${index}>
            <div>
              <label for=${id(`header-${row.key}-name`)}>Header ${index + 1} name</label>
              <input
                id=${id(`header-${row.key}-name`)}
                value=${row.name}
                autocomplete="off"
                spellcheck="false"
                onInput=${(e: Event) => setHeader(row.key, { name: (e.target as HTMLInputElement).value })}
              />
            </div>
            <div>
              <label for=${id(`header-${row.key}-value`)}>Header ${index + 1} value</label>
              <input
                id=${id(`header-${row.key}-value`)}
                type="password"
                autocomplete="off"
                value=${row.value}
                placeholder=${row.stored !== null && row.stored === row.name.trim() ? 'kept as stored' : ''}
                onInput=${(e: Event) => setHeader(row.key, { value: (e.target as HTMLInputElement).value })}
              />
            </div>
            <button
              type="button"
              class="secondary small"
              onClick=${() => set({ headers: fields.headers.filter((other) => other.key !== row.key) })}
            >
              Remove header ${index + 1}
            </button>
          </div>`,
      )}
      <button
        type="button"
        class="secondary small"
        onClick=${() =>
          set({
            headers: [...fields.headers, { key: nextKey.current++, name: '', value: '', stored: null }],
          })}
      >
        Add a header
      </button>
      <${FieldProblem} fieldId=${id('headers')} message=${problem('headers')} />
    </fieldset>
    <label class="inline">
      <input
        type="checkbox"
        checked=${fields.enabled}
        onChange=${(e: Event) => set({ enabled: (e.target as HTMLInputElement).checked })}
      />
      Enabled
    </label>
    ${problems.general ? html`<p class="error" role="alert">${problems.general}</p>` : null}
    <div class="actions">
      ${onCancel ? html`<button type="button" class="secondary" onClick=${onCancel}>Cancel</button>` : null}
      <button type="submit" disabled=${saving}>${saving ? 'Saving…' : submitLabel}</button>
    </div>
  </form>`;
}
