import axios, { AxiosError, type AxiosInstance } from 'axios';
import { oneLine, sanitizeText } from '@leadhooks/contracts';
import dns from 'node:dns';
import net from 'node:net';
import type { Readable } from 'node:stream';
import { Agent } from 'undici';
import { forbiddenAddressReason } from './address-policy.js';
import { maskHostname } from './url-mask.js';
import { leanHttpAdapter, UNDICI_TIMEOUT_CODES } from './lean-http-adapter.js';
import { USER_AGENT } from './user-agent.js';
import { webhookUrlProblem, type WebhookUrlPolicy } from './webhook-url-policy.js';

export type DeliveryErrorClass =
  'http' | 'timeout' | 'dns' | 'refused' | 'connection' | 'tls' | 'forbidden-target';

export interface WebhookResult {
  ok: boolean;
  status: number | null;
  durationMs: number;
  errorClass: DeliveryErrorClass | null;
  /**
   * Human-readable, short, never containing the hook URL; for an HTTP failure it quotes the receiver's answer, which
   * may echo the lead: stored in Postgres only (`delivery_attempt`, `delivery.last_error`), where erasure clears it.
   */
  error: string | null;
  /**
   * The failure named without a word of the receiver's: `HTTP 503`, `timed out after 2000 ms`, `connection refused
   * (ECONNREFUSED)`. What travels where erasure cannot reach: Kafka headers of retry and DLT messages, log lines
   * (docs/privacy.md).
   */
  errorSummary: string | null;
  responseSnippet: string | null;
  retryAfter: string | undefined;
}

export interface WebhookSenderOptions extends WebhookUrlPolicy {
  timeoutMs: number;
  maxResponseBytes: number;
  /** Defaults to leadhooks/<package version>. */
  userAgent?: string;
  /** The resolver behind the guard; defaults to the system's (`dns.lookup`). */
  resolve?: typeof dns.lookup;
}

/** What axios's defaults sent as Accept. */
const ACCEPT = 'application/json, text/plain, */*';

const UNUSED_DEFAULTS = [
  'xsrfCookieName',
  'xsrfHeaderName',
  'env',
  'maxContentLength',
  'maxBodyLength',
  'transitional',
] as const;

class ForbiddenTargetError extends Error {
  readonly code = 'EFORBIDDENTARGET';
}

/**
 * The DNS lookup used by our sockets: resolves, refuses the request if any resolved address is forbidden,
 * and hands the socket the very address it checked, so there is no window for DNS rebinding.
 */
function guardedLookup(policy: WebhookUrlPolicy, resolve: typeof dns.lookup): net.LookupFunction {
  const allowed = policy.allowedTargets;
  return (hostname, options, callback) => {
    const hostListed = allowed?.listsHost(hostname) ?? false;
    resolve(hostname, { ...options, all: true }, (error, list) => {
      if (error) return callback(error, '', 0);
      for (const entry of list) {
        const reason = forbiddenAddressReason(entry.address, {
          allowLoopback: policy.allowInsecure,
          allowed,
          hostListed,
        });
        // The hostname can be the hook's token (`<token>.m.pipedream.net`): this text is stored, shown to site keys
        // and logged, so it is masked like URLs are.
        if (reason)
          return callback(new ForbiddenTargetError(`${maskHostname(hostname)} resolves to ${reason}`), '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      return callback(null, list[0].address, list[0].family);
    });
  };
}

/** POSTs signed JSON to a hook URL with the SPEC §6 rules: no redirects, timeout, capped response read. */
export class WebhookSender {
  private readonly client: AxiosInstance;

  constructor(private readonly options: WebhookSenderOptions) {
    const lookup = guardedLookup(options, options.resolve ?? dns.lookup);
    // Keep-alive connections, at most 256 per origin; every new connection resolves through the guarded lookup
    // (undici hands these options to net.connect / tls.connect, certificates verified).
    const dispatcher = new Agent({ connections: 256, connect: { lookup } });
    this.client = axios.create({
      timeout: options.timeoutMs,
      // Redirects are never followed, bodies never decompressed, no proxy: the lean adapter does none of these.
      maxRedirects: 0,
      responseType: 'stream',
      validateStatus: () => true,
      decompress: false,
      proxy: false,
      adapter: leanHttpAdapter(dispatcher),
      // The body is already a JSON string: no transforms either way.
      transformRequest: [(data: unknown) => data],
      transformResponse: [(data: unknown) => data],
    });
    // axios merges the instance's defaults into every request's config. Its default header sets (common and per
    // method, deep-merged each time) and its browser-only or adapter-only settings (XSRF, FormData env, body size
    // limits, transitional flags), none of which the lean adapter reads, were half of axios's ~30 µs of CPU per
    // POST; the one default header worth keeping is sent explicitly (ACCEPT).
    this.client.defaults.headers = {} as AxiosInstance['defaults']['headers'];
    for (const unused of UNUSED_DEFAULTS) delete this.client.defaults[unused];
  }

  /** POSTs `body`; `options.timeoutMs` overrides the sender's timeout for this request (an endpoint's own). */
  async post(
    url: string,
    body: string,
    headers: Record<string, string>,
    options: { timeoutMs?: number } = {},
  ): Promise<WebhookResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs;
    const problem = webhookUrlProblem(url, this.options);
    if (problem) return failure('forbidden-target', `hook URL ${problem}`, elapsed());
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      // request(), not post(): post() merges its arguments into a config once more before request() does.
      const response = await this.client.request<Readable>({
        method: 'post',
        url,
        data: body,
        signal: controller.signal,
        timeout: timeoutMs,
        headers: {
          ...headers,
          accept: ACCEPT,
          'content-type': 'application/json',
          'user-agent': this.options.userAgent ?? USER_AGENT,
        },
      });
      const snippet = await readCapped(response.data, this.options.maxResponseBytes);
      const status = response.status;
      const ok = status >= 200 && status < 300;
      const retryAfter = response.headers['retry-after'] as string | undefined;
      return {
        ok,
        status,
        durationMs: elapsed(),
        errorClass: ok ? null : 'http',
        error: ok
          ? null
          : `HTTP ${status}${response.statusText ? ` ${response.statusText}` : ''}${snippet ? `: ${oneLine(snippet, 200)}` : ''}`,
        // The status alone: its reason phrase is the receiver's text too.
        errorSummary: ok ? null : `HTTP ${status}`,
        responseSnippet: snippet ? sanitizeText(snippet) : null,
        retryAfter,
      };
    } catch (error) {
      return classify(error, elapsed(), timeoutMs, new URL(url).hostname);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** `summary`: the failure without the receiver's words (our text and an error code), when `error` may quote them. */
function failure(
  errorClass: DeliveryErrorClass,
  error: string,
  durationMs: number,
  summary = error,
): WebhookResult {
  return {
    ok: false,
    status: null,
    durationMs,
    errorClass,
    error,
    errorSummary: summary,
    responseSnippet: null,
    retryAfter: undefined,
  };
}

/** Reads at most `max` bytes of the body, then drops the connection's remaining data. */
async function readCapped(stream: Readable, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    chunks.push(buffer.subarray(0, Math.max(0, max - size)));
    size += buffer.length;
    if (size >= max) {
      stream.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** `hostname`: the hook's, masked wherever an error's text names it (it can be the hook's token). */
function classify(error: unknown, durationMs: number, timeoutMs: number, hostname: string): WebhookResult {
  const cause = error instanceof AxiosError ? (error.cause ?? error) : error;
  const code = (cause as NodeJS.ErrnoException | undefined)?.code ?? (error as AxiosError | undefined)?.code;
  const raw = cause instanceof Error ? cause.message : String(cause);
  const message = hostname ? raw.replaceAll(hostname, maskHostname(hostname)) : raw;
  if (cause instanceof ForbiddenTargetError)
    return failure('forbidden-target', `refused: ${message}`, durationMs);
  if (
    code === 'ECONNABORTED' ||
    code === 'ETIMEDOUT' ||
    code === 'ERR_CANCELED' ||
    axios.isCancel(error) ||
    // Aborted or timed out while the body was read: undici ends the body stream with its own error.
    code === 'UND_ERR_ABORTED' ||
    (cause as Error | undefined)?.name === 'AbortError' ||
    (typeof code === 'string' && UNDICI_TIMEOUT_CODES.has(code))
  ) {
    return failure('timeout', `timed out after ${timeoutMs} ms`, durationMs);
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return failure('dns', `DNS lookup failed (${code})`, durationMs);
  if (code === 'ECONNREFUSED')
    return failure('refused', 'connection refused', durationMs, 'connection refused (ECONNREFUSED)');
  if (
    typeof code === 'string' &&
    (code.startsWith('ERR_TLS') || code.includes('CERT') || code.startsWith('ERR_SSL'))
  ) {
    return failure('tls', `TLS error (${code})`, durationMs);
  }
  return failure(
    'connection',
    `connection error${code ? ` (${code})` : ''}: ${oneLine(message, 200)}`,
    durationMs,
    `connection error (${typeof code === 'string' ? code : 'no code'})`,
  );
}
