import { useState } from 'preact/hooks';
import { ApiError } from '../api/client.js';
import type { Endpoint, EndpointTest } from '../api/types.js';
import { useApp } from '../app-context.js';
import { href } from '../router.js';
import { ConfirmDialog } from '../ui/confirm.js';
import { html } from '../ui/html.js';
import { Empty, ErrorBox, Loading } from '../ui/states.js';
import { usePoll } from '../ui/use-poll.js';
import { EndpointForm, type EndpointFields, EVENTS } from './endpoint-form.js';
import { SecretReveal } from './secret-reveal.js';
import { SiteKeys } from './site-keys.js';

const explain = (error: unknown) => (error instanceof ApiError ? error.explanation : String(error));

function EndpointCard({ endpoint, onChanged }: { endpoint: Endpoint; onChanged: () => void }) {
  const { api } = useApp();
  const [editing, setEditing] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [testEvent, setTestEvent] = useState<string>(endpoint.events[0] ?? 'lead.created');
  const [test, setTest] = useState<EndpointTest | 'running' | null>(null);
  const [confirm, setConfirm] = useState<'rotate' | 'delete' | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const id = `endpoint-${endpoint.id}`;

  const save = async (fields: EndpointFields) => {
    setProblem(null);
    try {
      await api.patch(`/v1/admin/endpoints/${endpoint.id}`, fields);
      setEditing(false);
      onChanged();
    } catch (error) {
      setProblem(explain(error));
    }
  };
  const runTest = async () => {
    setTest('running');
    setProblem(null);
    try {
      setTest(await api.post<EndpointTest>(`/v1/admin/endpoints/${endpoint.id}/test`, { event: testEvent }));
    } catch (error) {
      setTest(null);
      setProblem(explain(error));
    }
  };
  const rotate = async () => {
    setConfirm(null);
    try {
      const rotated = await api.post<Endpoint>(`/v1/admin/endpoints/${endpoint.id}/rotate-secret`);
      setSecret(rotated.secret ?? null);
    } catch (error) {
      setProblem(explain(error));
    }
  };
  const remove = async () => {
    setConfirm(null);
    try {
      await api.delete(`/v1/admin/endpoints/${endpoint.id}`);
      onChanged();
    } catch (error) {
      setProblem(explain(error));
    }
  };

  return html`<article class="card" aria-labelledby=${`${id}-title`} data-endpoint=${endpoint.name}>
    <header>
      <h3 id=${`${id}-title`}>${endpoint.name}</h3>
      <span class=${`badge ${endpoint.enabled ? 'badge-sent' : 'badge-skipped'}`}
        >${endpoint.enabled ? 'Enabled' : 'Disabled'}</span
      >
      ${endpoint.kind === 'zapier_rest_hook' ? html`<span class="badge badge-pending">Zapier subscription</span>` : null}
    </header>
    ${
      editing
        ? html`<${EndpointForm}
            idPrefix=${`${id}-edit`}
            initial=${{ name: endpoint.name, url: endpoint.url ?? '', events: endpoint.events, auth: endpoint.auth, format: endpoint.format, enabled: endpoint.enabled }}
            submitLabel="Save"
            problem=${problem}
            onSubmit=${save}
            onCancel=${() => setEditing(false)}
          />`
        : html`<dl class="facts">
              <dt>URL</dt>
              <dd class="url">${endpoint.url ?? '—'}</dd>
              <dt>Events</dt>
              <dd>${endpoint.events.join(', ')}</dd>
              <dt>Signing</dt>
              <dd>${endpoint.auth}</dd>
              <dt>Format</dt>
              <dd>${endpoint.format}</dd>
            </dl>
            <div class="actions">
              <label for=${`${id}-test-event`} class="visually-hidden">Event to test with</label>
              <select
                id=${`${id}-test-event`}
                value=${testEvent}
                onChange=${(e: Event) => setTestEvent((e.target as HTMLSelectElement).value)}
              >
                ${EVENTS.map((event) => html`<option value=${event}>${event}</option>`)}
              </select>
              <button type="button" onClick=${runTest} disabled=${test === 'running'}>
                ${test === 'running' ? 'Sending…' : 'Send test'}
              </button>
              <button type="button" class="secondary" onClick=${() => setEditing(true)}>Edit</button>
              <button type="button" class="secondary" onClick=${() => setConfirm('rotate')}>
                Rotate secret
              </button>
              <button type="button" class="danger" onClick=${() => setConfirm('delete')}>Delete</button>
            </div>
            ${problem ? html`<p class="error" role="alert">${problem}</p>` : null}`
    }
    ${
      test && test !== 'running'
        ? html`<div
            class=${test.ok ? 'test-result ok' : 'test-result failed'}
            role="status"
            data-testid="test-result"
          >
            ${test.ok ? 'The receiver accepted the test' : 'The test failed'}: ${test.status ?? 'no answer'}
            ${test.error ? html` (${test.error})` : null} in ${test.duration_ms} ms.
            ${test.response_snippet ? html`<pre>${test.response_snippet}</pre>` : null}
          </div>`
        : null
    }
    ${secret ? html`<${SecretReveal} label="New signing secret." secret=${secret} onDone=${() => setSecret(null)} />` : null}
    ${
      confirm === 'rotate'
        ? html`<${ConfirmDialog} title="Rotate this endpoint's secret?" confirmLabel="Rotate" onConfirm=${rotate} onCancel=${() => setConfirm(null)}>
          <p>A new secret signs from now on; the current one keeps signing beside it for the grace period, so the receiver can switch over.</p>
        </${ConfirmDialog}>`
        : null
    }
    ${
      confirm === 'delete'
        ? html`<${ConfirmDialog} title=${`Delete ${endpoint.name}?`} confirmLabel="Delete" onConfirm=${remove} onCancel=${() => setConfirm(null)}>
          <p>Nothing more is sent to it; deliveries still waiting end as skipped. Its history stays.</p>
        </${ConfirmDialog}>`
        : null
    }
  </article>`;
}

/** A site: its endpoints (add, edit, test, rotate, delete) and its API keys. */
export function SiteDetailScreen({ siteId }: { siteId: string }) {
  const { api, sites } = useApp();
  const site = sites.find((s) => s.id === siteId);
  const endpoints = usePoll(
    () => api.get<Endpoint[]>(`/v1/admin/sites/${siteId}/endpoints`),
    [api, siteId],
    0,
  );
  const [problem, setProblem] = useState<string | null>(null);
  const [created, setCreated] = useState<Endpoint | null>(null);
  const [formKey, setFormKey] = useState(0);

  const add = async (fields: EndpointFields) => {
    setProblem(null);
    try {
      setCreated(await api.post<Endpoint>(`/v1/admin/sites/${siteId}/endpoints`, fields));
      setFormKey(formKey + 1);
      endpoints.reload();
    } catch (error) {
      setProblem(explain(error));
    }
  };

  return html`<section aria-labelledby="site-title">
    <p><a href=${href('sites')}>← Sites</a></p>
    <h1 id="site-title">
      ${site ? `${site.hostname}` : 'Site'} ${site ? html`<small>${site.name}</small>` : null}
    </h1>
    <p>
      <a href=${href('leads', { site_id: siteId })}>Leads of this site</a> ·
      <a href=${href('deliveries', { site_id: siteId })}>Its deliveries</a> ·
      <a href=${href(`sites/${siteId}/sources`)}>Inbound sources (Typeform, Tally, …)</a>
    </p>
    <h2>Endpoints</h2>
    ${
      endpoints.error && !endpoints.data
        ? html`<${ErrorBox} error=${endpoints.error} retry=${endpoints.reload} />`
        : !endpoints.data
          ? html`<${Loading} what="endpoints" />`
          : endpoints.data.length
            ? endpoints.data.map(
                (endpoint) =>
                  html`<${EndpointCard}
                    key=${endpoint.id}
                    endpoint=${endpoint}
                    onChanged=${endpoints.reload}
                  />`,
              )
            : html`<${Empty}>This site sends its leads nowhere yet. Add an endpoint below.</${Empty}>`
    }
    <h2>Add an endpoint</h2>
    ${
      created?.secret
        ? html`<${SecretReveal}
            label=${`Endpoint ${created.name} added. Its signing secret:`}
            secret=${created.secret}
            onDone=${() => setCreated(null)}
          />`
        : null
    }
    <${EndpointForm}
      key=${formKey}
      idPrefix="new-endpoint"
      initial=${{ name: '', url: '', events: ['lead.created'], auth: 'standard_webhooks', format: 'flat', enabled: true }}
      submitLabel="Add endpoint"
      problem=${problem}
      onSubmit=${add}
    />
    <${SiteKeys} siteId=${siteId} />
  </section>`;
}
