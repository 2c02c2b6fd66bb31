import type { Session } from './session.js';
import type { MappingProblem } from './types.js';

/** A failed API call, with what the API said (its message, the fields it named, a mapping's error and position). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fields: Array<{ field: string; message: string }> = [],
    readonly mappingError: MappingProblem | null = null,
  ) {
    super(message);
  }

  /** In plain words, for a person. */
  get explanation(): string {
    if (this.status === 0)
      return `The API could not be reached (${this.message}). Check the address and try again.`;
    if (this.status === 401) return 'The API key was refused. Sign in again with a valid admin key.';
    if (this.fields.length) return this.fields.map((f) => `${f.field}: ${f.message}`).join('; ');
    return this.message;
  }
}

/** An API path of plain segments: `/v1/admin/sites/<uuid>/endpoints`. */
const API_PATH = /^\/v1(\/[A-Za-z0-9_-]+)+$/;

type Query = Record<string, string | number | undefined | null>;

/** The public admin API, with the signed-in key; nothing else is called. */
export class Api {
  constructor(
    private readonly session: Session,
    private readonly onUnauthorized: () => void,
  ) {}

  /** An address the API gave as a path (`/v1/inbound/…`), made absolute on the API's own origin and prefix. */
  absolute(pathOrUrl: string): string {
    return pathOrUrl.startsWith('/') ? `${this.session.apiUrl.replace(/\/+$/, '')}${pathOrUrl}` : pathOrUrl;
  }

  get<T>(path: string, query?: Query): Promise<T> {
    return this.call<T>('GET', path, undefined, query);
  }
  post<T>(path: string, body?: unknown): Promise<T> {
    return this.call<T>('POST', path, body ?? {});
  }
  patch<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>('PATCH', path, body);
  }
  /** DELETE; most answer 204 (nothing), a site's deletion answers what it erased. */
  delete<T = void>(path: string): Promise<T> {
    return this.call<T>('DELETE', path);
  }

  private async call<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
    // Paths are built from ids; one that is not plain segments (`..`, `?`, `#`, `%`, `//`) is never sent, so no
    // id can steer a call to another route (query values go through searchParams, encoded).
    if (!API_PATH.test(path) || path.split('/').includes('..'))
      throw new ApiError(400, 'The console refused to call a malformed API path');
    const url = new URL(path, this.session.apiUrl.replace(/\/+$/, '') + '/');
    for (const [key, value] of Object.entries(query ?? {}))
      if (value !== undefined && value !== null && value !== '') url.searchParams.set(key, String(value));
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${this.session.key}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'omit',
        referrerPolicy: 'no-referrer',
      });
    } catch (error) {
      throw new ApiError(0, error instanceof Error ? error.message : String(error));
    }
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    let json: unknown = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!response.ok) {
      const answer = (json ?? {}) as {
        message?: unknown;
        errors?: Array<{ field: string; message: string }>;
        mapping_error?: unknown;
      };
      if (response.status === 401) this.onUnauthorized();
      const message = Array.isArray(answer.message)
        ? answer.message.join('; ')
        : typeof answer.message === 'string'
          ? answer.message
          : response.statusText;
      throw new ApiError(
        response.status,
        message,
        Array.isArray(answer.errors) ? answer.errors : [],
        mappingProblem(answer.mapping_error),
      );
    }
    return json as T;
  }
}

/** A mapping's error as the API gives it (`mapping_error`), kept only when it has the expected shape. */
function mappingProblem(value: unknown): MappingProblem | null {
  if (!value || typeof value !== 'object') return null;
  const { kind, message, position, code } = value as Record<string, unknown>;
  if (typeof kind !== 'string' || typeof message !== 'string') return null;
  return {
    kind,
    message,
    ...(typeof position === 'number' && Number.isInteger(position) && position >= 0 ? { position } : {}),
    ...(typeof code === 'string' ? { code } : {}),
  };
}
