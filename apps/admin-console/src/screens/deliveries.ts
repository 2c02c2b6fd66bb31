import type { Delivery, Page } from '../api/types.js';
import { siteName, useApp } from '../app-context.js';
import { href, type Route } from '../router.js';
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
  const onChange = (name: string) => (e: Event) => {
    pages.reset();
    navigate(href('deliveries', { ...filter, [name]: (e.target as HTMLSelectElement).value || undefined }));
  };
  return html`<section aria-labelledby="deliveries-title">
    <h1 id="deliveries-title">Delivery log</h1>
    <form class="filters" role="search" onSubmit=${(e: Event) => e.preventDefault()}>
      <div>
        <label for="log-site">Site</label>
        <select id="log-site" value=${filter.site_id ?? ''} onChange=${onChange('site_id')}>
          <option value="">All sites</option>
          ${sites.map((site) => html`<option value=${site.id}>${site.hostname}</option>`)}
        </select>
      </div>
      <div>
        <label for="log-event">Event</label>
        <select id="log-event" value=${filter.event ?? ''} onChange=${onChange('event')}>
          <option value="">Any event</option>
          <option value="lead.created">lead.created</option>
          <option value="lead.updated">lead.updated</option>
        </select>
      </div>
      <div>
        <label for="log-status">Status</label>
        <select id="log-status" value=${filter.status ?? ''} onChange=${onChange('status')}>
          <option value="">Any status</option>
          ${['PENDING', 'SENT', 'FAILED', 'SKIPPED'].map((s) => html`<option value=${s}>${s}</option>`)}
        </select>
      </div>
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
