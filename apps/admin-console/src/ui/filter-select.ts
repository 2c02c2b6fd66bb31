import type { Site } from '../api/types.js';
import { html } from './html.js';

export type Options = Array<[value: string, label: string]>;

export const EVENT_OPTIONS: Options = [
  ['lead.created', 'lead.created'],
  ['lead.updated', 'lead.updated'],
  ['lead.deleted', 'lead.deleted'],
];

export const siteOptions = (sites: Site[]): Options => sites.map((site) => [site.id, site.hostname]);

export const statusOptions = (statuses: string[]): Options => statuses.map((status) => [status, status]);

/** One labelled filter of a list: `anyLabel` (the empty value) first, then the options. */
export function FilterSelect({
  id,
  label,
  value,
  anyLabel,
  options,
  onChange,
}: {
  id: string;
  label: string;
  value: string | undefined;
  anyLabel: string;
  options: Options;
  onChange: (value: string) => void;
}) {
  return html`<div>
    <label for=${id}>${label}</label>
    <select
      id=${id}
      value=${value ?? ''}
      onChange=${(e: Event) => onChange((e.target as HTMLSelectElement).value)}
    >
      <option value="">${anyLabel}</option>
      ${options.map(([optionValue, optionLabel]) => html`<option value=${optionValue}>${optionLabel}</option>`)}
    </select>
  </div>`;
}
