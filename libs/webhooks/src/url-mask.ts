/** A host label that looks like a token (Pipedream's `eo1a2b3c4d5e6f7.m.pipedream.net`), not a name. */
function isTokenLike(label: string): boolean {
  return label.length >= 20 || (label.length >= 10 && /\d/.test(label) && /[a-z]/i.test(label));
}

/** A hook's hostname as maskUrl shows it: token-like labels masked (`***.m.pipedream.net`). */
export function maskHostname(hostname: string): string {
  return hostname
    .split('.')
    .map((label) => (isTokenLike(label) ? '***' : label))
    .join('.');
}

/**
 * Hook URLs are credentials: the path, the query and sometimes a host label are the token (Zapier
 * `hooks.zapier.com/hooks/catch/123/abc/`, Make `hook.eu1.make.com/<token>`, Pipedream `<token>.m.pipedream.net`).
 * Logs and admin answers show the scheme and host only, with token-like labels and the whole path masked:
 * `https://hooks.zapier.com/***`, `https://***.m.pipedream.net/`.
 */
export function maskUrl(raw: string): string {
  try {
    const url = new URL(raw);
    const host = maskHostname(url.hostname);
    const port = url.port ? `:${url.port}` : '';
    const hidden = url.pathname.replace(/\/+$/, '') !== '' || url.search !== '' || url.hash !== '';
    return `${url.protocol}//${host}${port}/${hidden ? '***' : ''}`;
  } catch {
    return '<invalid url>';
  }
}

/** Whether `candidate` is what maskUrl shows for `url` (an admin echoing a masked value back means "unchanged"). */
export function isMaskOf(candidate: string, url: string | null): boolean {
  return url !== null && candidate.includes('***') && maskUrl(url) === candidate;
}
