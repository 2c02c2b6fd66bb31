/**
 * Who is signed in: the API's address and an admin key, kept in this tab's sessionStorage only (gone when the tab
 * closes; never in a URL, a cookie or a log).
 */
export interface Session {
  apiUrl: string;
  key: string;
}

const STORAGE_KEY = 'leadhooks.console.session';

export function loadSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const session = JSON.parse(raw) as Partial<Session>;
    return typeof session.apiUrl === 'string' && typeof session.key === 'string'
      ? { apiUrl: session.apiUrl, key: session.key }
      : null;
  } catch {
    return null;
  }
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
}

export function clearSession(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}

/**
 * Where the API is: the address the deployment put in `<meta name="leadhooks-api">` (the console's own image sets
 * it from API_URL), else this origin (leads-api serving the console at /console/).
 */
export function defaultApiUrl(): string {
  const configured = document.querySelector<HTMLMetaElement>('meta[name="leadhooks-api"]')?.content.trim();
  return configured || location.origin;
}
