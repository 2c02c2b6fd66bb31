import type { Delivery, Page } from '../api/types.js';
import { siteName, useApp } from '../app-context.js';
import { href, type Route } from '../router.js';
import { EVENT_OPTIONS, FilterSelect, siteOptions, statusOptions } from '../ui/filter-select.js';
import { html } from '../ui/html.js';
import { Pager, useCursorPages } from '../ui/pager.js';
import { Empty, ErrorBox, Loading } from '../ui/states.js';
import { StatusBadge } from '../ui/status-badge.js';
import { Time } from '../ui/time.js';
import { usePoll } from '../ui/use-poll.js';

/** Every delivery to every endpoint, newest first (the delivery log), filtered by site, event and status. */
export function DeliveriesScreen({ route }: { route: Route }) {
  const { api, sites, navigate } = useApp();
  const filter = {
    site_id: route.query.get('site_id') ?? undefined,
    status: route.query.get('status') ?? undefined,
    event: route.query.get('event') ?? undefined,
  };
  const pages = useCursorPages();
  const log = usePoll(
    () => api.get<Page<Delivery>>('/v1/admin/deliveries', { ...filter, cursor: pages.cursor, limit: 25 }),
    [api, filter.site_id, filter.status, filter.event, pages.cursor],
    4000,
  );
  const onChange = (name: string) => (value: string) => {
    pages.reset();
    navigate(href('deliveries', { ...filter, [name]: value || undefined }));
  };
  return html`<section aria-labelledby="deliveries-title">
    <h1 id="deliveries-title">Delivery log</h1>
    <form class="filters" role="search" onSubmit=${(e: Event) => e.preventDefault()}>
      <${FilterSelect}
        id="log-site"
        label="Site"
        anyLabel="All sites"
        value=${filter.site_id}
        options=${siteOptions(sites)}
        onChange=${onChange('site_id')}
      />
      <${FilterSelect}
        id="log-event"
        label="Event"
        anyLabel="Any event"
        value=${filter.event}
        options=${EVENT_OPTIONS}
        onChange=${onChange('event')}
      />
      <${FilterSelect}
        id="log-status"
        label="Status"
        anyLabel="Any status"
        value=${filter.status}
        options=${statusOptions(['PENDING', 'SENT', 'FAILED', 'SKIPPED'])}
        onChange=${onChange('status')}
      />
    </form>
    ${
      log.error && !log.data
        ? html`<${ErrorBox} error=${log.error} retry=${log.reload} />`
        : !log.data
          ? html`<${Loading} what="deliveries" />`
          : log.data.items.length
            ? html`<table>
                  <caption class="visually-hidden">
                    Deliveries
                  </caption>
                  <thead>
                    <tr>
                      <th scope="col">Created</th>
                      <th scope="col">Site → endpoint</th>
                      <th scope="col">Event</th>
                      <th scope="col">Status</th>
                      <th scope="col">Tries</th>
                      <th scope="col">Last answer</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${log.data.items.map(
                      (d) =>
                        html`<tr>
                          <td data-label="Created">
                            <a href=${href(`leads/${d.lead_id}`)}><${Time} value=${d.created_at} /></a>
                          </td>
                          <td data-label="Site → endpoint">
                            ${siteName(sites, d.site_id)} → ${d.endpoint_name}
                          </td>
                          <td data-label="Event">${d.event}</td>
                          <td data-label="Status"><${StatusBadge} status=${d.status} /></td>
                          <td data-label="Tries">${d.attempt_count}</td>
                          <td data-label="Last answer">
                            ${d.last_error ?? (d.last_status ? `HTTP ${d.last_status}` : '')}
                          </td>
                        </tr>`,
                    )}
                  </tbody>
                </table>
                <${Pager}
                  page=${pages.page}
                  nextCursor=${log.data.next_cursor}
                  onOlder=${pages.older}
                  onNewer=${pages.newer}
                />`
            : html`<${Empty}>No deliveries match these filters.</${Empty}>`
    }
  </section>`;
}
