/**
 * Hook URLs are credentials (the path is the token). Logs get the host and a masked path only:
 * `https://hooks.zapier.com/hooks/catch/123/abc/` → `hooks.zapier.com/hooks/***`.
 */
export function maskUrl(raw: string): string {
  try {
    const url = new URL(raw);
    const first = url.pathname.split('/').filter(Boolean)[0];
    return `${url.host}${first ? `/${first}/***` : '/'}`;
  } catch {
    return '<invalid url>';
  }
}
