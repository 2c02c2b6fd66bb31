import { useState } from 'preact/hooks';
import type { Endpoint } from '../api/types.js';
import { html } from '../ui/html.js';

export const EVENTS = ['lead.created', 'lead.updated', 'lead.deleted'] as const;
const AUTH_MODES: Array<[Endpoint['auth'], string]> = [
  ['standard_webhooks', 'Standard Webhooks signature (Zapier, code)'],
  ['secret_header', 'Secret header X-Webhook-Secret (Make, n8n)'],
  ['hmac_sha256_hex', 'Hex HMAC in X-Webhook-Signature'],
];
const FORMATS: Array<[Endpoint['format'], string]> = [
  ['flat', 'Flat fields (Zapier)'],
  ['envelope', 'Envelope {event, data}'],
];

export interface EndpointFields {
  name: string;
  url: string;
  events: string[];
  auth: Endpoint['auth'];
  format: Endpoint['format'];
  enabled: boolean;
}

/** The settings of an endpoint, for adding one or changing one. Every control has a label. */
export function EndpointForm({
  idPrefix,
  initial,
  submitLabel,
  onSubmit,
  onCancel,
  problem,
}: {
  idPrefix: string;
  initial: EndpointFields;
  submitLabel: string;
  onSubmit: (fields: EndpointFields) => void;
  onCancel?: () => void;
  problem: string | null;
}) {
  const [fields, setFields] = useState(initial);
  const set = (patch: Partial<EndpointFields>) => setFields({ ...fields, ...patch });
  const id = (name: string) => `${idPrefix}-${name}`;
  return html`<form
    class="stacked"
    onSubmit=${(e: Event) => {
      e.preventDefault();
      onSubmit(fields);
    }}
  >
    <label for=${id('name')}>Name</label>
    <input
      id=${id('name')}
      required
      value=${fields.name}
      onInput=${(e: Event) => set({ name: (e.target as HTMLInputElement).value })}
    />
    <label for=${id('url')}>URL</label>
    <input
      id=${id('url')}
      type="url"
      required
      value=${fields.url}
      onInput=${(e: Event) => set({ url: (e.target as HTMLInputElement).value })}
    />
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
    </fieldset>
    <label for=${id('auth')}>How requests are signed</label>
    <select
      id=${id('auth')}
      value=${fields.auth}
      onChange=${(e: Event) => set({ auth: (e.target as HTMLSelectElement).value as Endpoint['auth'] })}
    >
      ${AUTH_MODES.map(([value, label]) => html`<option value=${value}>${label}</option>`)}
    </select>
    <label for=${id('format')}>Payload format</label>
    <select
      id=${id('format')}
      value=${fields.format}
      onChange=${(e: Event) => set({ format: (e.target as HTMLSelectElement).value as Endpoint['format'] })}
    >
      ${FORMATS.map(([value, label]) => html`<option value=${value}>${label}</option>`)}
    </select>
    <label class="inline">
      <input
        type="checkbox"
        checked=${fields.enabled}
        onChange=${(e: Event) => set({ enabled: (e.target as HTMLInputElement).checked })}
      />
      Enabled
    </label>
    ${problem ? html`<p class="error" role="alert">${problem}</p>` : null}
    <div class="actions">
      ${onCancel ? html`<button type="button" class="secondary" onClick=${onCancel}>Cancel</button>` : null}
      <button type="submit">${submitLabel}</button>
    </div>
  </form>`;
}
