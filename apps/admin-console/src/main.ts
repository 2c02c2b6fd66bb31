import { render } from 'preact';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { Api } from './api/client.js';
import { clearSession, loadSession, saveSession, type Session } from './api/session.js';
import type { Site } from './api/types.js';
import { type AppContext, Context } from './app-context.js';
import { currentRoute, href, isId, type Route } from './router.js';
import { DeadLettersScreen } from './screens/dead-letters.js';
import { DeliveriesScreen } from './screens/deliveries.js';
import { LeadDetailScreen } from './screens/lead-detail.js';
import { LeadsScreen } from './screens/leads.js';
import { OverviewScreen } from './screens/overview.js';
import { SignIn } from './screens/sign-in.js';
import { SiteDetailScreen } from './screens/site-detail.js';
import { SitesScreen } from './screens/sites.js';
import { SourceDetailScreen } from './screens/source-detail.js';
import { SourcesScreen } from './screens/sources.js';
import { html } from './ui/html.js';

const NAV: Array<[string, string]> = [
  ['overview', 'Overview'],
  ['sites', 'Sites'],
  ['leads', 'Leads'],
  ['deliveries', 'Delivery log'],
  ['dead-letters', 'Dead letters'],
];

/** What a link with an id that is not one shows (a typo, or a crafted link): no screen, no API call. */
function BadLink({ what }: { what: string }) {
  return html`<section data-testid="bad-link" class="state error" role="alert">
    <h1>This link does not name a ${what}</h1>
    <p>
      Its ${what} id is not an id. Nothing was loaded or changed.
      <a href=${href('overview')}>Back to the overview</a>
    </p>
  </section>`;
}

function Screen({ route }: { route: Route }) {
  const [section, id, sub, subId] = route.path;
  if ((section === 'sites' || section === 'leads') && id !== undefined && !isId(id))
    return html`<${BadLink} what=${section === 'sites' ? 'site' : 'lead'} />`;
  if (section === 'sites' && sub === 'sources' && subId !== undefined && !isId(subId))
    return html`<${BadLink} what="source" />`;
  if (section === 'sites' && id && sub === 'sources' && subId)
    return html`<${SourceDetailScreen} siteId=${id} sourceId=${subId} />`;
  if (section === 'sites' && id && sub === 'sources') return html`<${SourcesScreen} siteId=${id} />`;
  if (section === 'sites' && id) return html`<${SiteDetailScreen} siteId=${id} />`;
  if (section === 'sites') return html`<${SitesScreen} />`;
  if (section === 'leads' && id) return html`<${LeadDetailScreen} leadId=${id} />`;
  if (section === 'leads') return html`<${LeadsScreen} route=${route} />`;
  if (section === 'deliveries') return html`<${DeliveriesScreen} route=${route} />`;
  if (section === 'dead-letters') return html`<${DeadLettersScreen} route=${route} />`;
  return html`<${OverviewScreen} />`;
}

function Console({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const [route, setRoute] = useState(currentRoute());
  const [sites, setSites] = useState<Site[]>([]);
  const api = useMemo(() => new Api(session, onSignOut), [session, onSignOut]);
  const refreshSites = useCallback(() => {
    api.get<Site[]>('/v1/admin/sites').then(setSites, () => undefined);
  }, [api]);
  useEffect(() => {
    refreshSites();
    const onHash = () => {
      setRoute(currentRoute());
      document.getElementById('main')?.focus();
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, [refreshSites]);
  const context: AppContext = {
    api,
    sites,
    refreshSites,
    navigate: (hash) => {
      location.hash = hash;
    },
    signOut: onSignOut,
  };
  const active = route.path[0] ?? 'overview';
  return html`<${Context.Provider} value=${context}>
    <a class="skip" href="#main" onClick=${(e: Event) => {
      e.preventDefault();
      document.getElementById('main')?.focus();
    }}>Skip to content</a>
    <header class="top">
      <span class="brand">leadhooks</span>
      <nav aria-label="Sections">
        ${NAV.map(
          ([path, label]) =>
            html`<a href=${href(path)} aria-current=${active === path ? 'page' : undefined}>${label}</a>`,
        )}
      </nav>
      <button type="button" class="secondary small" onClick=${onSignOut}>Sign out</button>
    </header>
    <main id="main" tabindex="-1"><${Screen} route=${route} /></main>
  </${Context.Provider}>`;
}

function Root() {
  const [session, setSession] = useState<Session | null>(loadSession());
  const signOut = useCallback(() => {
    clearSession();
    setSession(null);
  }, []);
  if (!session)
    return html`<${SignIn}
      onSignedIn=${(next: Session) => {
        saveSession(next);
        setSession(next);
      }}
    />`;
  return html`<${Console} session=${session} onSignOut=${signOut} />`;
}

const root = document.getElementById('app')!;
root.textContent = '';
render(html`<${Root} />`, root);
