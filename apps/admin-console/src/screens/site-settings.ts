import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api/client.js';
import type { Site, SiteDeletion } from '../api/types.js';
import { useApp } from '../app-context.js';
import { href } from '../router.js';
import { ConfirmDialog } from '../ui/confirm.js';
import { html } from '../ui/html.js';

const explain = (error: unknown) => (error instanceof ApiError ? error.explanation : String(error));

type Mode = 'default' | 'forever' | 'days';

/** A retention in words: "365 days", "kept forever". */
export function retentionWords(days: number): string {
  if (days === 0) return 'kept forever';
  return days === 1 ? '1 day' : `${days} days`;
}

/** What the site's retention says now, in words (its own, or the default and what that is). */
function currentRetention(site: Site): string {
  if (site.retention_days === null)
    return `The default: ${retentionWords(site.effective_retention_days)} (LEAD_RETENTION_DAYS).`;
  return site.retention_days === 0
    ? 'Kept forever (this site’s own setting).'
    : `${retentionWords(site.retention_days)}, then erased (this site’s own setting).`;
}

function modeOf(site: Site): Mode {
  return site.retention_days === null ? 'default' : site.retention_days === 0 ? 'forever' : 'days';
}

/** How long the site's leads are kept (docs/privacy.md): shown, and changed through PATCH /v1/admin/sites/{id}. */
function RetentionSetting({ site }: { site: Site }) {
  const { api, refreshSites } = useApp();
  const [mode, setMode] = useState<Mode>(modeOf(site));
  const [days, setDays] = useState(String(site.retention_days || site.effective_retention_days || 365));
  const [notice, setNotice] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => setMode(modeOf(site)), [site.retention_days]);

  const save = async (event: Event) => {
    event.preventDefault();
    setNotice(null);
    setProblem(null);
    const value = mode === 'default' ? null : mode === 'forever' ? 0 : Number(days);
    if (mode === 'days' && !(Number.isInteger(value) && (value as number) >= 1)) {
      setProblem('Enter a whole number of days (1 or more).');
      return;
    }
    try {
      const saved = await api.patch<Site>(`/v1/admin/sites/${site.id}`, { retention_days: value });
      setNotice(`Saved. ${currentRetention(saved)}`);
      refreshSites();
    } catch (error) {
      setProblem(explain(error));
    }
  };
  const choice = (value: Mode, label: string) =>
    html`<label class="inline">
      <input
        type="radio"
        name="retention-mode"
        value=${value}
        checked=${mode === value}
        onChange=${() => setMode(value)}
      />
      ${label}
    </label>`;

  return html`<form
    class="stacked"
    aria-labelledby="retention-title"
    onSubmit=${save}
    data-testid="retention"
  >
    <h2 id="retention-title">Lead retention</h2>
    <p data-testid="retention-current">${currentRetention(site)}</p>
    <p class="muted">
      Older leads are erased by the hourly sweep exactly as a lead’s erasure does: their fields and data key
      go, pending deliveries are skipped, an audit row stays.
    </p>
    <fieldset>
      <legend>Keep this site’s leads</legend>
      ${choice(
        'default',
        site.retention_days === null
          ? `As the default (${retentionWords(site.effective_retention_days)})`
          : 'As the default (LEAD_RETENTION_DAYS)',
      )}
      ${choice('forever', 'Forever')} ${choice('days', 'For a number of days')}
      ${
        mode === 'days'
          ? html`<label for="retention-days">Days</label>
              <input
                id="retention-days"
                type="number"
                min="1"
                max="36500"
                step="1"
                required
                value=${days}
                onInput=${(e: Event) => setDays((e.target as HTMLInputElement).value)}
              />`
          : null
      }
    </fieldset>
    ${problem ? html`<p class="error" role="alert">${problem}</p>` : null}
    ${notice ? html`<p class="notice" role="status">${notice}</p>` : null}
    <button type="submit">Save retention</button>
  </form>`;
}

/** Deleting the site: asked by typing its hostname, since every lead of it is erased. */
function DeleteSite({ site, onDeleted }: { site: Site; onDeleted: (result: SiteDeletion) => void }) {
  const { api, refreshSites } = useApp();
  const [asking, setAsking] = useState(false);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const matches = typed.trim().toLowerCase() === site.hostname.toLowerCase();

  const remove = async () => {
    if (!matches) return;
    setBusy(true);
    setProblem(null);
    try {
      const result = await api.delete<SiteDeletion>(`/v1/admin/sites/${site.id}`);
      setAsking(false);
      refreshSites();
      onDeleted(result);
    } catch (error) {
      setProblem(explain(error));
    } finally {
      setBusy(false);
    }
  };

  return html`<section class="danger-zone" aria-labelledby="delete-site-title">
    <h2 id="delete-site-title">Delete this site</h2>
    <p>
      Every lead of ${site.hostname} is erased (as a lead’s erasure does: fields, data key, pending
      deliveries), then the site goes with its endpoints, API keys and inbound sources. The erasure audit
      stays. This cannot be undone.
    </p>
    ${problem && !asking ? html`<p class="error" role="alert">${problem}</p>` : null}
    <button type="button" class="danger" onClick=${() => setAsking(true)}>Delete site…</button>
    ${
      asking
        ? html`<${ConfirmDialog}
            title=${`Delete ${site.hostname} and erase its leads?`}
            confirmLabel=${busy ? 'Deleting…' : 'Delete site and erase its leads'}
            confirmDisabled=${!matches || busy}
            danger=${true}
            onConfirm=${remove}
            onCancel=${() => {
              setAsking(false);
              setTyped('');
              setProblem(null);
            }}
          >
            <p>Every lead of this site is erased and cannot be brought back.</p>
            <label for="delete-site-confirm">Type <strong>${site.hostname}</strong> to confirm</label>
            <input
              id="delete-site-confirm"
              autocomplete="off"
              spellcheck=${false}
              value=${typed}
              onInput=${(e: Event) => setTyped((e.target as HTMLInputElement).value)}
            />
            ${problem ? html`<p class="error" role="alert">${problem}</p>` : null}
          </${ConfirmDialog}>`
        : null
    }
  </section>`;
}

/** The site's own settings on its page: lead retention, and deleting it. */
export function SiteSettings({ site, onDeleted }: { site: Site; onDeleted: (result: SiteDeletion) => void }) {
  return html`<${RetentionSetting} site=${site} /> <${DeleteSite} site=${site} onDeleted=${onDeleted} />`;
}

/** What is left of a site's page once it is deleted: what the deletion did. */
export function SiteDeleted({ deletion }: { deletion: SiteDeletion }) {
  return html`<section aria-labelledby="site-title">
    <h1 id="site-title">${deletion.hostname}</h1>
    <p class="notice" role="status" data-testid="site-deleted">
      ${deletion.hostname} was deleted: ${deletion.leads_erased}
      ${deletion.leads_erased === 1 ? ' lead' : ' leads'} erased.
    </p>
    <p><a href=${href('sites')}>← Sites</a></p>
  </section>`;
}
