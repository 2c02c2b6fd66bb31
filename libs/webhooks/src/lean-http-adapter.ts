import {
  type AxiosAdapter,
  AxiosError,
  type AxiosResponse,
  CanceledError,
  type InternalAxiosRequestConfig,
  type RawAxiosResponseHeaders,
} from 'axios';
import { STATUS_CODES } from 'node:http';
import { type Dispatcher, request } from 'undici';

/** undici's codes for a request that waited too long for the answer's head, or between two body chunks. */
export const UNDICI_TIMEOUT_CODES: ReadonlySet<string> = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * An axios adapter for the one thing the dispatcher asks of HTTP: send a string body over a keep-alive
 * connection pool and hand back the response as a stream. It sends with undici (`request` on the sender's
 * dispatcher): per POST it costs about half the CPU of node's http client (72 → 29–48 µs per request in a
 * loopback microbenchmark), and node:http's request objects, agent bookkeeping and header handling were the
 * largest part of the dispatcher's CPU per delivery. axios's own http adapter (redirects, proxies, decompression,
 * progress events, body conversions) is never used; axios's API, config and error types stay.
 *
 * Nothing is followed or decoded: a redirect is an answer like any other, bodies stay as sent. Errors keep axios's
 * codes: ECONNABORTED when no answer head (or no next body chunk) came within `timeout`, ERR_CANCELED when the
 * signal aborts before the answer, and the socket's own error (ECONNREFUSED, a refused address from the
 * connector's lookup, a TLS failure, …) as `cause`. An abort while the body is read ends the body stream with
 * undici's abort error.
 */
export function leanHttpAdapter(dispatcher: Dispatcher): AxiosAdapter {
  return async (config: InternalAxiosRequestConfig): Promise<AxiosResponse> => {
    const signal = config.signal as AbortSignal | undefined;
    if (signal?.aborted) throw new CanceledError(undefined, config);
    const body: string | Buffer | undefined =
      config.data === undefined || config.data === null
        ? undefined
        : typeof config.data === 'string' || Buffer.isBuffer(config.data)
          ? config.data
          : JSON.stringify(config.data);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(config.headers.toJSON() as Record<string, unknown>)) {
      if (typeof value === 'string') headers[name] = value;
      else if (typeof value === 'number') headers[name] = String(value);
      else if (Array.isArray(value)) headers[name] = value.join(', ');
    }
    const timeout = config.timeout || undefined;
    try {
      const response = await request(new URL(config.url ?? '', config.baseURL), {
        method: (config.method ?? 'get').toUpperCase(),
        headers,
        body,
        dispatcher,
        signal,
        headersTimeout: timeout,
        bodyTimeout: timeout,
      });
      return {
        data: response.body,
        status: response.statusCode,
        // HTTP/1.1 reason phrases are not kept by undici; the standard one names the status as well.
        statusText: STATUS_CODES[response.statusCode] ?? '',
        // undici's own (lower-cased) header object: normalizing it into AxiosHeaders cost more than the one read
        // of it (Retry-After).
        headers: response.headers as RawAxiosResponseHeaders,
        config,
      };
    } catch (error) {
      if (signal?.aborted) throw new CanceledError(undefined, config);
      const code = (error as { code?: string }).code;
      if (code && UNDICI_TIMEOUT_CODES.has(code))
        throw new AxiosError(`timeout of ${config.timeout}ms exceeded`, AxiosError.ECONNABORTED, config);
      throw AxiosError.from(error, code, config);
    }
  };
}
