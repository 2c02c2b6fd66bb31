import { useState } from 'preact/hooks';
import { ApiError } from '../api/client.js';
import type { Delivery, Lead } from '../api/types.js';
import { siteName, useApp } from '../app-context.js';
import { href } from '../router.js';
import { html } from '../ui/html.js';
import { ErrorBox, Loading } from '../ui/states.js';
import { StatusBadge } from '../ui/status-badge.js';
import { Time } from '../ui/time.js';
import { usePoll } from '../ui/use-poll.js';

const TIER_WORDS: Record<string, string> = {
  main: 'first try',
  replay: 'replay',
  'auto-redrive': 'automatic re-drive',
};

/** One delivery's attempts, oldest first: when, which try, what the receiver answered, how long it took. */
function Timeline({ delivery }: { delivery: Delivery }) {
  const attempts = delivery.attempts ?? [];
  return html`<ol class="timeline" aria-label=${`Attempts to ${delivery.endpoint_name}`}>
    ${attempts.map(
      (attempt) =>
        html`<li class=${attempt.http_status !== null && attempt.http_status < 300 ? 'ok' : 'failed'}>
          <${Time} value=${attempt.started_at} />
          <span>#${attempt.attempt} ${TIER_WORDS[attempt.tier] ?? `retry (${attempt.tier} tier)`}</span>
          <span
            >${attempt.error ?? (attempt.http_status !== null ? `HTTP ${attempt.http_status}` : 'no answer')}</span
          >
          <span class="muted">${attempt.duration_ms ?? '—'} ms</span>
        </li>`,
    )}
    ${
      delivery.status === 'PENDING' && delivery.next_attempt_at
        ? html`<li class="next">Next try <${Time} value=${delivery.next_attempt_at} /></li>`
        : null
    }
    ${!attempts.length ? html`<li class="muted">No attempt yet.</li>` : null}
  </ol>`;
}

/** A lead: its fields, and each delivery to each endpoint as a timeline; redeliver what was not sent. */
export function LeadDetailScreen({ leadId }: { leadId: string }) {
  const { api, sites } = useApp();
  const lead = usePoll(() => api.get<Lead>(`/v1/leads/${leadId}`), [api, leadId], 2000);
  const [message, setMessage] = useState<string | null>(null);

  const redeliver = async () => {
    setMessage(null);
    try {
      // The lead's own id, as the API gave it: a write never takes its target from the URL.
      if (!lead.data) return;
      const result = await api.post<{ requeued: unknown[] }>(`/v1/leads/${lead.data.id}/redeliver`);
      setMessage(`Sent again to ${result.requeued.length} endpoint(s).`);
      lead.reload();
    } catch (error) {
      setMessage(error instanceof ApiError ? error.explanation : String(error));
    }
  };

  if (lead.error && !lead.data) return html`<${ErrorBox} error=${lead.error} retry=${lead.reload} />`;
  if (!lead.data) return html`<${Loading} what="the lead" />`;
  const l = lead.data;
  const extra = Object.entries(l.extra ?? {});
  return html`<section aria-labelledby="lead-title">
    <p><a href=${href('leads')}>← Leads</a></p>
    <h1 id="lead-title">
      ${l.name ?? l.email ?? l.phone ?? 'Lead'} <${StatusBadge} status=${l.zapier_status} />
    </h1>
    <dl class="facts">
      <dt>Site</dt>
      <dd><a href=${href(`sites/${l.site_id}`)}>${siteName(sites, l.site_id)}</a></dd>
      <dt>Submitted</dt>
      <dd><${Time} value=${l.submitted_at} /></dd>
      <dt>Email</dt>
      <dd>${l.email ?? '—'}</dd>
      <dt>Phone</dt>
      <dd>${l.phone ?? '—'}</dd>
      <dt>Message</dt>
      <dd>${l.message ?? '—'}</dd>
      <dt>Page</dt>
      <dd class="url">${l.page_url ?? '—'}</dd>
      <dt>Source</dt>
      <dd>${l.lead_source ?? '—'}</dd>
      <dt>Version</dt>
      <dd>${l.version}${l.updated_at ? html`, changed <${Time} value=${l.updated_at} />` : ''}</dd>
      ${extra.map(
        ([key, value]) =>
          html`<dt>${key}</dt>
            <dd>${Array.isArray(value) ? value.join(', ') : String(value)}</dd>`,
      )}
      <dt>Lead ID</dt>
      <dd><code>${l.id}</code></dd>
    </dl>
    <h2>Deliveries</h2>
    ${
      (l.deliveries ?? []).length
        ? (l.deliveries ?? []).map(
            (delivery) =>
              html`<article class="card delivery" data-delivery=${delivery.id}>
                <header>
                  <h3>${delivery.endpoint_name}${delivery.endpoint_deleted ? ' (deleted)' : ''}</h3>
                  <span class="muted">${delivery.event}</span>
                  <${StatusBadge} status=${delivery.status} />
                </header>
                <${Timeline} delivery=${delivery} />
              </article>`,
          )
        : html`<p class="state empty">
            No delivery yet: the lead is on its way, or no endpoint of its site takes it.
          </p>`
    }
    <div class="actions">
      <button type="button" class="secondary" onClick=${redeliver}>Redeliver what was not sent</button>
    </div>
    ${message ? html`<p role="status">${message}</p>` : null}
  </section>`;
}
