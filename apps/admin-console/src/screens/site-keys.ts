import { useState } from 'preact/hooks';
import { ApiError } from '../api/client.js';
import { useApp } from '../app-context.js';
import { html } from '../ui/html.js';
import { Empty, ErrorBox, Loading } from '../ui/states.js';
import { Time } from '../ui/time.js';
import { usePoll } from '../ui/use-poll.js';
import { SecretReveal } from './secret-reveal.js';

interface SiteKey {
  id: string;
  name: string;
  prefix: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
  key?: string;
}

/** A site's API keys (what its Zapier connection uses): make one (shown once), see when each was used, revoke. */
export function SiteKeys({ siteId }: { siteId: string }) {
  const { api } = useApp();
  const keys = usePoll(() => api.get<SiteKey[]>(`/v1/admin/sites/${siteId}/api-keys`), [api, siteId], 0);
  const [made, setMade] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const act = async (work: () => Promise<unknown>) => {
    setProblem(null);
    try {
      await work();
      keys.reload();
    } catch (error) {
      setProblem(error instanceof ApiError ? error.explanation : String(error));
    }
  };
  return html`<section aria-labelledby="keys-title">
    <h2 id="keys-title">API keys for Zapier</h2>
    ${made ? html`<${SecretReveal} label="New site API key." secret=${made} onDone=${() => setMade(null)} />` : null}
    ${
      keys.error && !keys.data
        ? html`<${ErrorBox} error=${keys.error} retry=${keys.reload} />`
        : !keys.data
          ? html`<${Loading} what="API keys" />`
          : keys.data.length
            ? html`<ul class="plain">
                ${keys.data.map(
                  (key) =>
                    html`<li>
                      <strong>${key.name}</strong> <code>lh_site_${key.prefix}_…</code> made
                      <${Time} value=${key.created_at} />,
                      ${
                        key.revoked_at
                          ? html` revoked <${Time} value=${key.revoked_at} />`
                          : html` last used <${Time} value=${key.last_used_at} />
                              <button
                                type="button"
                                class="danger small"
                                onClick=${() => act(() => api.delete(`/v1/admin/sites/${siteId}/api-keys/${key.id}`))}
                              >
                                Revoke
                              </button>`
                      }
                    </li>`,
                )}
              </ul>`
            : html`<${Empty}>No API key yet.</${Empty}>`
    }
    ${problem ? html`<p class="error" role="alert">${problem}</p>` : null}
    <button
      type="button"
      class="secondary"
      onClick=${() => act(async () => setMade((await api.post<SiteKey>(`/v1/admin/sites/${siteId}/api-keys`, { name: 'Zapier' })).key ?? null))}
    >
      Make an API key
    </button>
  </section>`;
}
