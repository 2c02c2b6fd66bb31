import type { Overview } from '../api/types.js';
import { useApp } from '../app-context.js';
import { href } from '../router.js';
import { html } from '../ui/html.js';
import { ErrorBox, Loading } from '../ui/states.js';
import { usePoll } from '../ui/use-poll.js';

function Figure({
  label,
  value,
  hint,
  link,
}: {
  label: string;
  value: string;
  hint?: string;
  link?: string;
}) {
  const body = html`<span class="figure-value">${value}</span
    ><span class="figure-label">${label}</span>
    ${hint ? html`<span class="figure-hint">${hint}</span>` : null}`;
  return link ? html`<a class="figure" href=${link}>${body}</a>` : html`<div class="figure">${body}</div>`;
}

/** The last 24 hours at a glance: what was sent, what failed, what waits, how fast, and who is failing. */
export function OverviewScreen() {
  const { api } = useApp();
  const overview = usePoll(() => api.get<Overview>('/v1/admin/overview', { window: '24h' }), [api], 5000);
  if (overview.error && !overview.data)
    return html`<${ErrorBox} error=${overview.error} retry=${overview.reload} />`;
  if (!overview.data) return html`<${Loading} what="the overview" />`;
  const o = overview.data;
  return html`<section aria-labelledby="overview-title">
    <h1 id="overview-title">Overview <small>last 24 hours</small></h1>
    <div class="figures">
      <${Figure} label="Sent" value=${String(o.sent)} link=${href('deliveries', { status: 'SENT' })} />
      <${Figure} label="Failed" value=${String(o.failed)} link=${href('deliveries', { status: 'FAILED' })} />
      <${Figure}
        label="In retry"
        value=${String(o.in_retry)}
        hint="waiting for their next try"
        link=${href('deliveries', { status: 'PENDING' })}
      />
      <${Figure}
        label="p95 delivery time"
        value=${o.p95_duration_ms === null ? '—' : `${o.p95_duration_ms} ms`}
        hint=${`${o.attempts} attempts`}
      />
      <${Figure}
        label="Dead letters"
        value=${String(o.dead_letters)}
        hint="failed after every retry"
        link=${href('dead-letters')}
      />
    </div>
    <h2>Failing endpoints</h2>
    ${
      o.failing_endpoints.length
        ? html`<ul class="plain">
            ${o.failing_endpoints.map(
              (e) => html`<li><a href=${href(`sites/${e.site_id}`)}>${e.site_hostname} → ${e.name}</a></li>`,
            )}
          </ul>`
        : html`<p class="state empty">No endpoint is failing right now.</p>`
    }
  </section>`;
}
