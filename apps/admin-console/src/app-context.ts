import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Api } from './api/client.js';
import type { Site } from './api/types.js';

export interface AppContext {
  api: Api;
  /** Every site (names for ids everywhere); `refreshSites` after a change. */
  sites: Site[];
  refreshSites: () => void;
  navigate: (hash: string) => void;
  signOut: () => void;
}

export const Context = createContext<AppContext | null>(null);

export function useApp(): AppContext {
  const context = useContext(Context);
  if (!context) throw new Error('useApp outside the console');
  return context;
}

export function siteName(sites: Site[], id: string): string {
  return sites.find((site) => site.id === id)?.hostname ?? id.slice(0, 8);
}
