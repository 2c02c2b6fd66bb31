import { useState } from 'preact/hooks';
import { ApiError } from '../api/client.js';
import type { Delivery, Page, ReplayResult, ReplayRun } from '../api/types.js';
import { siteName, useApp } from '../app-context.js';
import { href, type Route } from '../router.js';
import { ConfirmDialog } from '../ui/confirm.js';
import { EVENT_OPTIONS, FilterSelect, siteOptions } from '../ui/filter-select.js';
import { html } from '../ui/html.js';
import { Pager, useCursorPages } from '../ui/pager.js';
import { Empty, ErrorBox, Loading } from '../ui/states.js';
import { Time } from '../ui/time.js';
import { usePoll } from '../ui/use-poll.js';

/**
 * Dead letters: deliveries that failed every retry (FAILED, the DLT's content). Select some, replay them after a
 * confirmation (each goes through the delivery lock again: never sent twice after a 2xx), and see past replays.
 */
export function DeadLettersScreen({ route }: { route: Route }) {
  const { api, sites, navigate } = useApp();
  const siteId = route.query.get('site_id') ?? undefined;
  const event = route.query.get('event') ?? undefined;
  const pages = useCursorPages();
  const letters = usePoll(
    () =>
      api.get<Page<Delivery>>('/v1/admin/deliveries', {
        status: 'FAILED',
        site_id: siteId,
        event,
        cursor: pages.cursor,
        limit: 50,
      }),
    [api, siteId, event, pages.cursor],
    5000,
  );
  const history = usePoll(() => api.get<ReplayRun[]>('/v1/admin/replays'), [api], 10000);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [confirming, setConfirming] = useState(false);
  const [result, setResult] = useState<string | null>(null);

  const items = letters.data?.items ?? [];
  const toggle = (id: string) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSelected(next);
  };
  const allSelected = items.length > 0 && items.every((d) => selected.has(d.id));
  const replay = async () => {
    setConfirming(false);
    try {
      const run = await api.post<ReplayResult>('/v1/admin/replays', {
        delivery_ids: [...selected],
        actor: 'console',
      });
      setResult(
        `Replayed ${run.replayed}, skipped ${run.skipped} (already sent or in flight), failed ${run.failed}.`,
      );
      setSelected(new Set());
      letters.reload();
      history.reload();
    } catch (error) {
      setResult(error instanceof ApiError ? error.explanation : String(error));
    }
  };
  const onChange = (name: string) => (value: string) => {
    pages.reset();
    navigate(
      href('dead-letters', {
        site_id: siteId,
        event,
        [name]: value || undefined,
      }),
    );
  };

  return html`<section aria-labelledby="dlt-title">
    <h1 id="dlt-title">Dead letters</h1>
    <p class="hint">
      Deliveries that failed their first try and every retry. Fix the receiver, then replay them.
    </p>
    <form class="filters" role="search" onSubmit=${(e: Event) => e.preventDefault()}>
      <${FilterSelect}
        id="dlt-site"
        label="Site"
        anyLabel="All sites"
        value=${siteId}
        options=${siteOptions(sites)}
        onChange=${onChange('site_id')}
      />
      <${FilterSelect}
        id="dlt-event"
        label="Event"
        anyLabel="Any event"
        value=${event}
        options=${EVENT_OPTIONS}
        onChange=${onChange('event')}
      />
    </form>
    ${
      letters.error && !letters.data
        ? html`<${ErrorBox} error=${letters.error} retry=${letters.reload} />`
        : !letters.data
          ? html`<${Loading} what="dead letters" />`
          : items.length
            ? html`<table>
                  <caption class="visually-hidden">
                    Dead letters
                  </caption>
                  <thead>
                    <tr>
                      <th scope="col">
                        <input
                          type="checkbox"
                          aria-label="Select all on this page"
                          checked=${allSelected}
                          onChange=${() => setSelected(allSelected ? new Set() : new Set(items.map((d) => d.id)))}
                        />
                      </th>
                      <th scope="col">Failed</th>
                      <th scope="col">Site → endpoint</th>
                      <th scope="col">Event</th>
                      <th scope="col">Tries</th>
                      <th scope="col">Last error</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${items.map(
                      (d) =>
                        html`<tr>
                          <td data-label="Select">
                            <input
                              type="checkbox"
                              aria-label=${`Select the delivery of lead ${d.lead_id} to ${d.endpoint_name}`}
                              checked=${selected.has(d.id)}
                              onChange=${() => toggle(d.id)}
                            />
                          </td>
                          <td data-label="Failed">
                            <a href=${href(`leads/${d.lead_id}`)}><${Time} value=${d.last_attempt_at} /></a>
                          </td>
                          <td data-label="Site → endpoint">
                            ${siteName(sites, d.site_id)} → ${d.endpoint_name}
                          </td>
                          <td data-label="Event">${d.event}</td>
                          <td data-label="Tries">${d.attempt_count}</td>
                          <td data-label="Last error">
                            ${d.last_error ?? (d.last_status ? `HTTP ${d.last_status}` : '')}
                          </td>
                        </tr>`,
                    )}
                  </tbody>
                </table>
                <${Pager}
                  page=${pages.page}
                  nextCursor=${letters.data.next_cursor}
                  onOlder=${pages.older}
                  onNewer=${pages.newer}
                />
                <div class="actions">
                  <button type="button" disabled=${!selected.size} onClick=${() => setConfirming(true)}>
                    Replay ${selected.size || ''} selected
                  </button>
                </div>`
            : html`<${Empty}>No dead letters. Every delivery was sent or is still being tried.</${Empty}>`
    }
    ${result ? html`<p role="status" class="notice">${result}</p>` : null}
    ${
      confirming
        ? html`<${ConfirmDialog} title=${`Replay ${selected.size} dead letter(s)?`} confirmLabel="Replay" onConfirm=${replay} onCancel=${() => setConfirming(false)}>
          <p>Each goes back to its endpoint with a fresh round of retries. One already sent is skipped, never sent twice.</p>
        </${ConfirmDialog}>`
        : null
    }
    <h2>Replay history</h2>
    ${
      history.data && history.data.length
        ? html`<table>
            <caption class="visually-hidden">
              Replay history
            </caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Selected</th>
                <th scope="col">Replayed</th>
                <th scope="col">Skipped</th>
                <th scope="col">Failed</th>
              </tr>
            </thead>
            <tbody>
              ${history.data.map(
                (run) =>
                  html`<tr>
                    <td data-label="When"><${Time} value=${run.started_at} /></td>
                    <td data-label="Who">${run.actor}</td>
                    <td data-label="Selected">${run.selected}</td>
                    <td data-label="Replayed">${run.replayed}</td>
                    <td data-label="Skipped">${run.skipped}</td>
                    <td data-label="Failed">${run.failed}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
        : html`<${Empty}>No replays yet.</${Empty}>`
    }
  </section>`;
}
