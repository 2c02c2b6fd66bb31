import { useState } from 'preact/hooks';
import { ApiError } from '../api/client.js';
import type { Site } from '../api/types.js';
import { useApp } from '../app-context.js';
import { href } from '../router.js';
import { html } from '../ui/html.js';
import { Empty } from '../ui/states.js';
import { Time } from '../ui/time.js';

/** Sites: every one, and a form to add one (its Zapier hook optional; endpoints are added on its page). */
export function SitesScreen() {
  const { api, sites, refreshSites, navigate } = useApp();
  const [hostname, setHostname] = useState('');
  const [name, setName] = useState('');
  const [hook, setHook] = useState('');
  const [problem, setProblem] = useState<string | null>(null);

  const create = async (event: Event) => {
    event.preventDefault();
    setProblem(null);
    try {
      const site = await api.post<Site>('/v1/admin/sites', {
        hostname: hostname.trim(),
        name: name.trim(),
        zapier: { webhook_url: hook.trim() || null, enabled: Boolean(hook.trim()) },
      });
      refreshSites();
      navigate(href(`sites/${site.id}`));
    } catch (error) {
      setProblem(error instanceof ApiError ? error.explanation : String(error));
    }
  };
  const value = (set: (v: string) => void) => (e: Event) => set((e.target as HTMLInputElement).value);

  return html`<section aria-labelledby="sites-title">
    <h1 id="sites-title">Sites</h1>
    ${
      sites.length
        ? html`<table>
            <caption class="visually-hidden">
              Sites
            </caption>
            <thead>
              <tr>
                <th scope="col">Hostname</th>
                <th scope="col">Name</th>
                <th scope="col">Zapier hook</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              ${sites.map(
                (site) =>
                  html`<tr>
                    <td data-label="Hostname"><a href=${href(`sites/${site.id}`)}>${site.hostname}</a></td>
                    <td data-label="Name">${site.name}</td>
                    <td data-label="Zapier hook">${site.zapier.enabled ? 'on' : 'off'}</td>
                    <td data-label="Created"><${Time} value=${site.created_at} /></td>
                  </tr>`,
              )}
            </tbody>
          </table>`
        : html`<${Empty}>No sites yet. Add the first one below.</${Empty}>`
    }
    <h2>Add a site</h2>
    <form class="stacked" onSubmit=${create}>
      <label for="site-hostname">Hostname</label>
      <input
        id="site-hostname"
        required
        placeholder="www.example.com"
        value=${hostname}
        onInput=${value(setHostname)}
      />
      <label for="site-name">Name</label>
      <input id="site-name" required placeholder="Example Ltd" value=${name} onInput=${value(setName)} />
      <label for="site-hook">Zapier hook URL <span class="muted">(optional)</span></label>
      <input
        id="site-hook"
        type="url"
        placeholder="https://hooks.zapier.com/hooks/catch/…"
        value=${hook}
        onInput=${value(setHook)}
      />
      ${problem ? html`<p class="error" role="alert">${problem}</p>` : null}
      <button type="submit">Add site</button>
    </form>
  </section>`;
}
