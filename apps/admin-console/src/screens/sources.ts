import { useState } from 'preact/hooks';
import { ApiError } from '../api/client.js';
import { type InboundPreset, type InboundSource, SIGNATURE_LABELS } from '../api/source-types.js';
import { useApp } from '../app-context.js';
import { href } from '../router.js';
import { CopyButton } from '../ui/copy-button.js';
import { html } from '../ui/html.js';
import { Empty, ErrorBox, Loading } from '../ui/states.js';
import { Time } from '../ui/time.js';
import { usePoll } from '../ui/use-poll.js';

const explain = (error: unknown) => (error instanceof ApiError ? error.explanation : String(error));

/** A source's URL just made or rotated: it holds the token, so it is shown this once, to copy into the tool. */
export function SourceUrlReveal({ source, onDone }: { source: InboundSource; onDone: () => void }) {
  const { api } = useApp();
  const url = api.absolute(source.url);
  return html`<div class="reveal" role="status">
    <p>
      <strong>${source.name}: paste this URL into the tool's webhook settings.</strong> It contains the
      source's token: copy it now, it will not be shown again (rotate the token if it leaks).
    </p>
    <code class="secret" data-testid="source-url">${url}</code>
    <div class="actions">
      <${CopyButton} value=${url} label="Copy URL" />
      <button type="button" class="secondary" onClick=${onDone}>I have copied it</button>
    </div>
  </div>`;
}

function AddSource({ siteId, onAdded }: { siteId: string; onAdded: (source: InboundSource) => void }) {
  const { api } = useApp();
  const presets = usePoll(() => api.get<InboundPreset[]>('/v1/admin/inbound-presets'), [api], 0);
  const [name, setName] = useState('');
  const [presetId, setPresetId] = useState('typeform');
  const [secret, setSecret] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const preset = presets.data?.find((candidate) => candidate.id === presetId);
  const signs = preset ? preset.signature !== 'none' : true;

  const submit = async (e: Event) => {
    e.preventDefault();
    setProblem(null);
    try {
      const source = await api.post<InboundSource>(`/v1/admin/sites/${siteId}/sources`, {
        name,
        preset: presetId,
        ...(secret && signs ? { secret } : {}),
      });
      setName('');
      setSecret('');
      onAdded(source);
    } catch (error) {
      setProblem(explain(error));
    }
  };

  if (presets.error && !presets.data)
    return html`<${ErrorBox} error=${presets.error} retry=${presets.reload} />`;
  if (!presets.data) return html`<${Loading} what="form tools" />`;
  return html`<form class="stacked" onSubmit=${submit} aria-labelledby="add-source-title">
    <label for="source-preset">Form tool</label>
    <select
      id="source-preset"
      value=${presetId}
      onChange=${(e: Event) => setPresetId((e.target as HTMLSelectElement).value)}
    >
      ${presets.data.map((option) => html`<option value=${option.id}>${option.label}</option>`)}
    </select>
    ${
      preset
        ? html`<p class="hint" data-testid="preset-notes">
            ${preset.notes}${' '}
            <a href=${preset.docs} target="_blank" rel="noreferrer noopener">What ${preset.label} sends</a>
          </p>`
        : null
    }
    <label for="source-name">Name</label>
    <input
      id="source-name"
      required
      maxlength="100"
      placeholder="e.g. Typeform contact form"
      value=${name}
      onInput=${(e: Event) => setName((e.target as HTMLInputElement).value)}
    />
    <p class="hint">
      Leads from this source carry its name as their lead source, unless the mapping sets one.
    </p>
    ${
      signs
        ? html`<label for="source-secret">Signing secret (optional)</label>
            <input
              id="source-secret"
              type="password"
              autocomplete="off"
              minlength="8"
              value=${secret}
              onInput=${(e: Event) => setSecret((e.target as HTMLInputElement).value)}
            />
            <p class="hint">
              The same secret as in the tool. When set, requests must carry the tool's signature
              (${SIGNATURE_LABELS[preset?.signature ?? 'none'] ?? preset?.signature}); unsigned ones are
              refused.
            </p>`
        : html`<p class="hint">
            ${preset?.label} does not sign its requests: the URL's token is the only credential.
          </p>`
    }
    ${problem ? html`<p class="error" role="alert">${problem}</p>` : null}
    <button type="submit">Add source</button>
  </form>`;
}

/** A site's inbound sources: the URLs other form tools post their submissions to (SPEC §14). */
export function SourcesScreen({ siteId }: { siteId: string }) {
  const { api, sites } = useApp();
  const site = sites.find((candidate) => candidate.id === siteId);
  const sources = usePoll(
    () => api.get<InboundSource[]>(`/v1/admin/sites/${siteId}/sources`),
    [api, siteId],
    0,
  );
  const [created, setCreated] = useState<InboundSource | null>(null);

  return html`<section aria-labelledby="sources-title">
    <p><a href=${href(`sites/${siteId}`)}>← ${site?.hostname ?? 'Site'}</a></p>
    <h1 id="sources-title">Inbound sources ${site ? html`<small>${site.hostname}</small>` : null}</h1>
    <p class="hint">
      Leads from other form tools (Typeform, Tally, Jotform, Webflow, Gravity Forms, or any JSON or form
      post): each source has its own URL, maps what the tool sends to a lead, and keeps a log of every
      request.
    </p>
    ${created ? html`<${SourceUrlReveal} source=${created} onDone=${() => setCreated(null)} />` : null}
    ${
      sources.error && !sources.data
        ? html`<${ErrorBox} error=${sources.error} retry=${sources.reload} />`
        : !sources.data
          ? html`<${Loading} what="sources" />`
          : sources.data.length
            ? html`<ul class="plain sources">
                ${sources.data.map(
                  (source) =>
                    html`<li class="card" data-source=${source.name}>
                      <header>
                        <h3><a href=${href(`sites/${siteId}/sources/${source.id}`)}>${source.name}</a></h3>
                        <span class="badge badge-not_configured">${source.preset ?? 'custom mapping'}</span>
                        ${source.has_secret ? html`<span class="badge badge-sent">Signed</span>` : null}
                      </header>
                      <dl class="facts">
                        <dt>URL</dt>
                        <dd class="url">${api.absolute(source.url)}</dd>
                        <dt>Added</dt>
                        <dd><${Time} value=${source.created_at} /></dd>
                      </dl>
                    </li>`,
                )}
              </ul>`
            : html`<${Empty}>No source yet: add one below and paste its URL into the tool.</${Empty}>`
    }
    <h2 id="add-source-title">Add a source</h2>
    <${AddSource}
      siteId=${siteId}
      onAdded=${(source: InboundSource) => {
        setCreated(source);
        sources.reload();
      }}
    />
  </section>`;
}
