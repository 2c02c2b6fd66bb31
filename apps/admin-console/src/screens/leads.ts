import type { Lead, Page } from '../api/types.js';
import { siteName, useApp } from '../app-context.js';
import { href, type Route } from '../router.js';
import { FilterSelect, siteOptions, statusOptions } from '../ui/filter-select.js';
import { html } from '../ui/html.js';
import { Pager, useCursorPages } from '../ui/pager.js';
import { Empty, ErrorBox, Loading } from '../ui/states.js';
import { StatusBadge } from '../ui/status-badge.js';
import { Time } from '../ui/time.js';
import { usePoll } from '../ui/use-poll.js';

const STATUSES = ['PENDING', 'SENT', 'FAILED', 'NOT_CONFIGURED'];

/** `2026-11-30T18:00` (a datetime-local value, in the viewer's zone) → ISO for the API. */
function isoOf(local: string | null): string | undefined {
  if (!local) return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** Leads, newest first, filtered by site, status and time; refreshed while open. */
export function LeadsScreen({ route }: { route: Route }) {
  const { api, sites, navigate } = useApp();
  const filter = {
    site_id: route.query.get('site_id') ?? undefined,
    status: route.query.get('status') ?? undefined,
    since: route.query.get('since') ?? undefined,
    until: route.query.get('until') ?? undefined,
  };
  const pages = useCursorPages();
  const leads = usePoll(
    () =>
      api.get<Page<Lead>>('/v1/leads', {
        site_id: filter.site_id,
        status: filter.status,
        since: isoOf(filter.since ?? null),
        until: isoOf(filter.until ?? null),
        cursor: pages.cursor,
        limit: 25,
      }),
    [api, filter.site_id, filter.status, filter.since, filter.until, pages.cursor],
    4000,
  );
  const setFilter = (name: string, value: string) => {
    pages.reset();
    navigate(href('leads', { ...filter, [name]: value || undefined }));
  };
  const onChange = (name: string) => (e: Event) => setFilter(name, (e.target as HTMLInputElement).value);

  return html`<section aria-labelledby="leads-title">
    <h1 id="leads-title">Leads</h1>
    <form class="filters" role="search" onSubmit=${(e: Event) => e.preventDefault()}>
      <${FilterSelect}
        id="filter-site"
        label="Site"
        anyLabel="All sites"
        value=${filter.site_id}
        options=${siteOptions(sites)}
        onChange=${(value: string) => setFilter('site_id', value)}
      />
      <${FilterSelect}
        id="filter-status"
        label="Status"
        anyLabel="Any status"
        value=${filter.status}
        options=${statusOptions(STATUSES)}
        onChange=${(value: string) => setFilter('status', value)}
      />
      <div>
        <label for="filter-since">From</label>
        <input
          id="filter-since"
          type="datetime-local"
          value=${filter.since ?? ''}
          onChange=${onChange('since')}
        />
      </div>
      <div>
        <label for="filter-until">Until</label>
        <input
          id="filter-until"
          type="datetime-local"
          value=${filter.until ?? ''}
          onChange=${onChange('until')}
        />
      </div>
    </form>
    ${
      leads.error && !leads.data
        ? html`<${ErrorBox} error=${leads.error} retry=${leads.reload} />`
        : !leads.data
          ? html`<${Loading} what="leads" />`
          : leads.data.items.length
            ? html`<table>
                  <caption class="visually-hidden">
                    Leads
                  </caption>
                  <thead>
                    <tr>
                      <th scope="col">Submitted</th>
                      <th scope="col">Site</th>
                      <th scope="col">Who</th>
                      <th scope="col">Zapier</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${leads.data.items.map(
                      (lead) =>
                        html`<tr>
                          <td data-label="Submitted">
                            <a href=${href(`leads/${lead.id}`)}><${Time} value=${lead.submitted_at} /></a>
                          </td>
                          <td data-label="Site">${siteName(sites, lead.site_id)}</td>
                          <td data-label="Who">${lead.name ?? ''} ${lead.email ?? lead.phone ?? ''}</td>
                          <td data-label="Zapier"><${StatusBadge} status=${lead.zapier_status} /></td>
                        </tr>`,
                    )}
                  </tbody>
                </table>
                <${Pager}
                  page=${pages.page}
                  nextCursor=${leads.data.next_cursor}
                  onOlder=${pages.older}
                  onNewer=${pages.newer}
                />`
            : html`<${Empty}>No leads match these filters.</${Empty}>`
    }
  </section>`;
}
