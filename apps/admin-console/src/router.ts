/** Hash routes (the bundle is static: any host, any prefix): `#/leads/<id>?status=FAILED`. */
export interface Route {
  path: string[];
  query: URLSearchParams;
}

export function currentRoute(): Route {
  const hash = location.hash.replace(/^#\/?/, '');
  const [path, query = ''] = hash.split('?');
  return { path: path.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(query) };
}

export function href(path: string, query: Record<string, string | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value) params.set(key, value);
  const search = params.toString();
  return `#/${path}${search ? `?${search}` : ''}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether a piece of the hash is an id. Ids from the hash go into API paths: anything else ("..", "/", "?", "#")
 * could steer a screen's request, or its buttons' writes, to another admin route, so screens get only real ids.
 */
export function isId(text: string | undefined): text is string {
  return text !== undefined && UUID.test(text);
}
