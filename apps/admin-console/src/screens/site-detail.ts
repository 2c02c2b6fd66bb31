import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api/client.js';
import type { Endpoint, EndpointTest, SiteDeletion } from '../api/types.js';
import { useApp } from '../app-context.js';
import { href } from '../router.js';
import { ConfirmDialog } from '../ui/confirm.js';
import { html } from '../ui/html.js';
import { Empty, ErrorBox, Loading } from '../ui/states.js';
import { Time } from '../ui/time.js';
import { usePoll } from '../ui/use-poll.js';
import { EndpointForm, EVENTS } from './endpoint-form.js';
import { SecretReveal } from './secret-reveal.js';
import { SiteKeys } from './site-keys.js';
import { SiteDeleted, SiteSettings } from './site-settings.js';

const explain = (error: unknown) => (error instanceof ApiError ? error.explanation : String(error));

/** How an endpoint signs, in words (the hex mode names its header's format). */
function signing(endpoint: Endpoint): string {
  if (endpoint.auth !== 'hmac_sha256_hex') return endpoint.auth;
  return `hmac_sha256_hex (${endpoint.signature_prefix ? `${endpoint.signature_prefix}<hex>` : 'bare hex'})`;
}

/** The endpoint's settings as they are stored (the API's answer), read-only. */
function EndpointFacts({ endpoint }: { endpoint: Endpoint }) {
  const headers = Object.keys(endpoint.headers);
  return html`<dl class="facts" data-testid="endpoint-facts">
    ${
      endpoint.description
        ? html`<dt>Description</dt>
            <dd data-fact="description">${endpoint.description}</dd>`
        : null
    }
    <dt>URL</dt>
    <dd class="url">${endpoint.url ?? '—'}</dd>
    <dt>Events</dt>
    <dd>${endpoint.events.join(', ')}</dd>
    <dt>Signing</dt>
    <dd data-fact="signing">${signing(endpoint)}</dd>
    <dt>Format</dt>
    <dd data-fact="format">
      ${endpoint.format}
      ${
        endpoint.format === 'custom' && endpoint.mapping
          ? html`<details>
              <summary>Mapping</summary>
              <pre data-testid="stored-mapping">${endpoint.mapping}</pre>
            </details>`
          : null
      }
    </dd>
    <dt>Policy</dt>
    <dd data-fact="policy">
      ${endpoint.max_attempts === 1 ? '1 attempt' : `${endpoint.max_attempts} attempts`},${' '}
      ${endpoint.retry_on_4xx ? '4xx answers retried' : '4xx answers not retried'}
    </dd>
    <dt>Timeout · rate</dt>
    <dd data-fact="limits">
      ${endpoint.timeout_ms === null ? 'default timeout' : `${endpoint.timeout_ms} ms`} ·${' '}
      ${endpoint.rate_limit_per_second === null ? 'default rate' : `${endpoint.rate_limit_per_second}/s`}
    </dd>
    <dt>Headers</dt>
    <dd data-fact="headers">${headers.length ? `${headers.join(', ')} (values hidden)` : 'none'}</dd>
    ${
      endpoint.secret_staged
        ? html`<dt>New secret</dt>
            <dd data-fact="staged">
              staged: sent${' '}
              ${endpoint.staged_secret_activates_at ? html`from <${Time} value=${endpoint.staged_secret_activates_at} />` : 'once activated'}
            </dd>`
        : null
    }
  </dl>`;
}

function EndpointCard({ endpoint: listed, onChanged }: { endpoint: Endpoint; onChanged: () => void }) {
  const { api } = useApp();
  // The answer to a save is shown at once; the list's next load (of the same data) replaces it.
  const [endpoint, setEndpoint] = useState(listed);
  useEffect(() => setEndpoint(listed), [listed]);
  const [editing, setEditing] = useState(false);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [testEvent, setTestEvent] = useState<string>(listed.events[0] ?? 'lead.created');
  const [test, setTest] = useState<EndpointTest | 'running' | null>(null);
  const [confirm, setConfirm] = useState<'rotate' | 'activate' | 'delete' | null>(null);
  const [secret, setSecret] = useState<{ value: string; staged: boolean } | null>(null);
  const id = `endpoint-${endpoint.id}`;
  const twoStep = endpoint.auth !== 'standard_webhooks';

  const save = async (body: Record<string, unknown>) => {
    setSaveError(null);
    setNotice(null);
    try {
      setEndpoint(await api.patch<Endpoint>(`/v1/admin/endpoints/${endpoint.id}`, body));
      setEditing(false);
      setNotice('Saved: the next request uses these settings.');
      onChanged();
    } catch (error) {
      setSaveError(error);
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
  const act = async (work: () => Promise<void>) => {
    setConfirm(null);
    setProblem(null);
    setNotice(null);
    try {
      await work();
    } catch (error) {
      setProblem(explain(error));
    }
  };
  const rotate = () =>
    act(async () => {
      const rotated = await api.post<Endpoint>(`/v1/admin/endpoints/${endpoint.id}/rotate-secret`);
      if (rotated.secret) setSecret({ value: rotated.secret, staged: rotated.secret_state === 'staged' });
      onChanged();
    });
  const activate = () =>
    act(async () => {
      setEndpoint(await api.post<Endpoint>(`/v1/admin/endpoints/${endpoint.id}/activate-secret`));
      setNotice('The new secret is now the one sent.');
      onChanged();
    });
  const remove = () =>
    act(async () => {
      await api.delete(`/v1/admin/endpoints/${endpoint.id}`);
      onChanged();
    });

  return html`<article class="card" aria-labelledby=${`${id}-title`} data-endpoint=${endpoint.name}>
    <header>
      <h3 id=${`${id}-title`}>${endpoint.name}</h3>
      <span class=${`badge ${endpoint.enabled ? 'badge-sent' : 'badge-skipped'}`}
        >${endpoint.enabled ? 'Enabled' : 'Disabled'}</span
      >
      ${endpoint.kind === 'zapier_rest_hook' ? html`<span class="badge badge-pending">Zapier subscription</span>` : null}
    </header>
    ${endpoint.problem ? html`<p class="error" role="alert">${endpoint.problem}</p>` : null}
    ${
      editing
        ? html`<${EndpointForm}
            idPrefix=${`${id}-edit`}
            siteId=${endpoint.site_id}
            endpoint=${endpoint}
            submitLabel="Save"
            error=${saveError}
            onSubmit=${save}
            onCancel=${() => {
              setSaveError(null);
              setEditing(false);
            }}
          />`
        : html`<${EndpointFacts} endpoint=${endpoint} />
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
              <button
                type="button"
                class="secondary"
                onClick=${() => {
                  setNotice(null);
                  setEditing(true);
                }}
              >
                Edit
              </button>
              <button type="button" class="secondary" onClick=${() => setConfirm('rotate')}>
                Rotate secret
              </button>
              ${
                endpoint.secret_staged
                  ? html`<button type="button" class="secondary" onClick=${() => setConfirm('activate')}>
                      Activate new secret
                    </button>`
                  : null
              }
              <button type="button" class="danger" onClick=${() => setConfirm('delete')}>Delete</button>
            </div>
            ${notice ? html`<p class="notice" role="status">${notice}</p>` : null}
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
    ${
      secret
        ? html`<${SecretReveal}
            label=${secret.staged ? 'New secret, staged: the current one is sent until you activate this one.' : 'New signing secret.'}
            secret=${secret.value}
            onDone=${() => setSecret(null)}
          />`
        : null
    }
    ${
      confirm === 'rotate'
        ? html`<${ConfirmDialog} title="Rotate this endpoint's secret?" confirmLabel="Rotate" onConfirm=${rotate} onCancel=${() => setConfirm(null)}>
          <p>${
            twoStep
              ? 'A new secret is made and staged: requests keep the current one until you activate the new one, so update the receiver first.'
              : 'A new secret signs from now on; the current one keeps signing beside it for the grace period, so the receiver can switch over.'
          }</p>
        </${ConfirmDialog}>`
        : null
    }
    ${
      confirm === 'activate'
        ? html`<${ConfirmDialog} title="Send the new secret from now on?" confirmLabel="Activate" onConfirm=${activate} onCancel=${() => setConfirm(null)}>
          <p>A receiver still set up with the current secret will refuse the requests after this.</p>
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

/** A site: its endpoints (add, edit, test, rotate, delete), its API keys, its lead retention; deleting it. */
export function SiteDetailScreen({ siteId }: { siteId: string }) {
  const { api, sites } = useApp();
  const site = sites.find((s) => s.id === siteId);
  const endpoints = usePoll(
    () => api.get<Endpoint[]>(`/v1/admin/sites/${siteId}/endpoints`),
    [api, siteId],
    0,
  );
  const [addError, setAddError] = useState<unknown>(null);
  const [created, setCreated] = useState<Endpoint | null>(null);
  const [formKey, setFormKey] = useState(0);
  const [deleted, setDeleted] = useState<SiteDeletion | null>(null);

  const add = async (body: Record<string, unknown>) => {
    setAddError(null);
    try {
      setCreated(await api.post<Endpoint>(`/v1/admin/sites/${siteId}/endpoints`, body));
      setFormKey(formKey + 1);
      endpoints.reload();
    } catch (error) {
      setAddError(error);
    }
  };

  if (deleted) return html`<${SiteDeleted} deletion=${deleted} />`;
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
      siteId=${siteId}
      submitLabel="Add endpoint"
      error=${addError}
      onSubmit=${add}
    />
    <${SiteKeys} siteId=${siteId} />
    ${site ? html`<${SiteSettings} site=${site} onDeleted=${setDeleted} />` : null}
  </section>`;
}
