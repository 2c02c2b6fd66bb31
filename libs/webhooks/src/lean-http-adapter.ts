import {
  type AxiosAdapter,
  AxiosError,
  type AxiosResponse,
  CanceledError,
  type InternalAxiosRequestConfig,
  type RawAxiosResponseHeaders,
} from 'axios';
import http from 'node:http';
import https from 'node:https';

/**
 * An axios adapter for the one thing the dispatcher asks of HTTP: send a string body over a keep-alive agent and
 * hand back the response as a stream. axios's own http adapter (redirects, proxies, decompression, progress
 * events, body conversions, all unused or off here) was ~30% of the dispatcher's CPU; axios's API, defaults,
 * headers and error types stay. Errors keep axios's codes: ECONNABORTED when the socket idles past `timeout`,
 * ERR_CANCELED when the signal aborts (before the answer, or while its body is read), and the socket's own error
 * (ECONNREFUSED, a refused address from the agent's lookup, …) as `cause`.
 */
export function leanHttpAdapter(agents: { http: http.Agent; https: https.Agent }): AxiosAdapter {
  return (config: InternalAxiosRequestConfig) =>
    new Promise<AxiosResponse>((resolve, reject) => {
      const url = new URL(config.url ?? '', config.baseURL);
      const secure = url.protocol === 'https:';
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
      if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));

      const request = (secure ? https : http).request(url, {
        method: (config.method ?? 'get').toUpperCase(),
        headers,
        agent: secure ? agents.https : agents.http,
      });
      const signal = config.signal as AbortSignal | undefined;
      let response: http.IncomingMessage | undefined;
      let settled = false;
      const fail = (error: Error) => {
        if (!settled) {
          settled = true;
          reject(error);
        }
        // After the answer, a failure ends its body stream (the reader sees the error).
        response?.destroy(error);
        request.destroy(error);
      };
      const onAbort = () => fail(new CanceledError(undefined, config, request));
      const done = () => signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      if (config.timeout)
        request.setTimeout(config.timeout, () =>
          fail(
            new AxiosError(
              `timeout of ${config.timeout}ms exceeded`,
              AxiosError.ECONNABORTED,
              config,
              request,
            ),
          ),
        );
      request.on('error', (error: NodeJS.ErrnoException) => {
        done();
        fail(AxiosError.from(error, error.code, config, request));
      });
      request.on('response', (incoming) => {
        response = incoming;
        incoming.on('close', done);
        settled = true;
        resolve({
          data: incoming,
          status: incoming.statusCode ?? 0,
          statusText: incoming.statusMessage ?? '',
          // Node's own (lower-cased) header object: normalizing it into AxiosHeaders cost more than the one read
          // of it (Retry-After).
          headers: incoming.headers as RawAxiosResponseHeaders,
          config,
          request,
        });
      });
      request.end(body);
    });
}
