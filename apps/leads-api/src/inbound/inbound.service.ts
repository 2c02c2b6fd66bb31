import { performance } from 'node:perf_hooks';
import { HttpException, Inject, Injectable, Logger } from '@nestjs/common';
import {
  bodyForLog,
  type FieldProblem,
  type MappingInput,
  offeredHeaders,
  offeredQuery,
  parseInboundBody,
  redactEverywhere,
  SIGNATURE_SCHEMES,
  type SignatureScheme,
  signatureProblem,
  storableJson,
  storableText,
} from '@leadhooks/inbound';
import { describeMappingError } from '@leadhooks/mapping';
import {
  INBOUND_TOKEN_FORMAT,
  type InboundSource,
  InboundSourceRepository,
  isDatabaseUnavailable,
} from '@leadhooks/db';
import { TokenBucketLimiter } from '@leadhooks/throttling';
import { v7 as uuidv7 } from 'uuid';
import { LEADS_API_CONFIG } from '../config/config.module.js';
import type { LeadsApiConfig } from '../config/leads-api.config.js';
import type { LeadAcceptedDto } from '../intake/dto/lead-accepted.dto.js';
import { LeadTooLargeException } from '../leads/lead-size-limit.js';
import { IntakeService } from '../intake/intake.service.js';
import { InboundMetrics } from '../metrics/inbound-metrics.js';
import type { CapturedBody } from './inbound-body-capture.js';
import { InboundLog } from './inbound-log.service.js';
import { describeProblems, inboundLeadFrom } from './inbound-lead.js';
import { InboundMapper } from './inbound-mapper.service.js';

/** A request to `/v1/inbound/{token}` as the route received it. */
export interface InboundHttpRequest {
  token: string;
  body: CapturedBody;
  headers: Record<string, string | string[] | undefined>;
  query: unknown;
  clientIp: string | null;
}

/** The answer: a status, a body, and headers to set (Retry-After, Idempotent-Replayed). */
export interface InboundAnswer {
  status: number;
  body: LeadAcceptedDto | { message: string; errors?: FieldProblem[] };
  headers: Record<string, string>;
}

/** What the log keeps of a body: the parsed body (as JSON text), the raw bytes of one that could not be read, or none. */
type LoggedBody = { parsed: unknown } | { raw: Buffer } | null;

interface Outcome {
  status: number;
  message?: string;
  errors?: FieldProblem[];
  accepted?: LeadAcceptedDto & { replayed: boolean };
  retryAfterSeconds?: number;
  logged: LoggedBody;
  headers: Record<string, string>;
  query: Record<string, unknown>;
}

/** Shown in the log instead of the source's token wherever a tool echoes its URL. */
const TOKEN_PLACEHOLDER = '[source token]';

/**
 * `POST /v1/inbound/{token}` (SPEC §14): a request from another form tool becomes a lead. The source is found by
 * its token; the request must fit the source's and its site's rate, the size limit and (when the source has a
 * secret) the tool's signature; the body is read by its type, mapped by the source's JSONata mapping over `{body,
 * headers, query}` (credentials left out), and the mapped lead is stored by intake exactly as a form's lead (same
 * validation, same lead + outbox statement). The tool's submission id, when the mapping names one, makes a repeat
 * return the first lead. Every request to a known source leaves a line in its log; nothing a sender puts in a
 * request is answered with a 5xx.
 */
@Injectable()
export class InboundService {
  private readonly log = new Logger(InboundService.name);
  private readonly perSource: TokenBucketLimiter;
  private readonly perSite: TokenBucketLimiter;

  constructor(
    @Inject(LEADS_API_CONFIG) private readonly config: LeadsApiConfig,
    @Inject(InboundSourceRepository) private readonly sources: InboundSourceRepository,
    @Inject(IntakeService) private readonly intake: IntakeService,
    @Inject(InboundMapper) private readonly mapper: InboundMapper,
    @Inject(InboundLog) private readonly requestLog: InboundLog,
    @Inject(InboundMetrics) private readonly metrics: InboundMetrics,
  ) {
    this.perSource = new TokenBucketLimiter(config.inbound.perSourcePerSecond);
    this.perSite = new TokenBucketLimiter(config.rateLimit.perSitePerSecond);
  }

  async receive(request: InboundHttpRequest): Promise<InboundAnswer> {
    const receivedAt = new Date();
    const started = performance.now();
    const source = INBOUND_TOKEN_FORMAT.test(request.token)
      ? await this.sources.findByToken(request.token)
      : null;
    if (!source) {
      this.metrics.requests.inc({ status: '404' });
      return { status: 404, body: { message: 'No inbound source has this URL' }, headers: {} };
    }
    let outcome: Outcome;
    try {
      outcome = await this.handle(source, request);
    } catch (error) {
      const unavailable = isDatabaseUnavailable(error);
      this.metrics.requests.inc({ status: unavailable ? '503' : '500' });
      this.record(source, request, receivedAt, started, {
        status: unavailable ? 503 : 500,
        message: unavailable ? 'the database was briefly unavailable' : 'internal error',
        logged: null,
        headers: {},
        query: {},
      });
      throw error;
    }
    this.record(source, request, receivedAt, started, outcome);
    return this.answer(outcome);
  }

  private async handle(
    source: InboundSource & { siteHostname: string },
    request: InboundHttpRequest,
  ): Promise<Outcome> {
    const { body } = request;
    const headers = offeredHeaders(request.headers);
    const query = redactEverywhere(offeredQuery(request.query), request.token, TOKEN_PLACEHOLDER);
    const base = { headers, query };
    const raw = { raw: body.raw };

    const wait = Math.max(
      this.perSource.take(source.id, this.config.inbound.perSourcePerSecond),
      this.perSite.take(source.siteId, this.config.rateLimit.perSitePerSecond),
    );
    if (wait > 0)
      return {
        ...base,
        status: 429,
        message: 'Too many requests for this source; retry later',
        retryAfterSeconds: Math.max(1, Math.ceil(wait / 1000)),
        logged: null,
      };
    if (body.tooLarge)
      return {
        ...base,
        status: 413,
        message: `The body is ${body.size} bytes; a source takes at most ${this.config.inbound.bodyLimitBytes}`,
        errors: [{ field: 'body', message: `at most ${this.config.inbound.bodyLimitBytes} bytes` }],
        logged: raw,
      };

    const scheme = this.schemeOf(source);
    if (source.problem && scheme !== 'none') {
      this.log.error(`Inbound source ${source.id} cannot check signatures: ${source.problem}`);
      return {
        ...base,
        status: 503,
        message: 'This source cannot check signatures right now; retry later',
        logged: raw,
      };
    }
    if (source.secret && scheme !== 'none') {
      const problem = signatureProblem(
        scheme,
        source.secret,
        { raw: body.raw, headers: request.headers },
        { toleranceMs: this.config.inbound.signatureToleranceMs },
      );
      if (problem)
        return {
          ...base,
          status: 401,
          message: `The request's signature is not valid: ${problem}`,
          errors: [{ field: 'signature', message: problem }],
          logged: raw,
        };
    }

    const parsed = await parseInboundBody(body.contentType, body.raw);
    if (!parsed.ok)
      return {
        ...base,
        status: parsed.status,
        message: `The body cannot be read: ${parsed.message}`,
        errors: [{ field: 'body', message: parsed.message }],
        logged: raw,
      };
    const input: MappingInput = {
      body: redactEverywhere(parsed.body, request.token, TOKEN_PLACEHOLDER),
      headers,
      query,
    };
    const logged = { parsed: input.body };

    const mapped = await this.mapper.map(source.id, source.mapping, input);
    if (mapped === 'busy')
      return {
        ...base,
        status: 429,
        message: "This source's mappings are busy; retry shortly",
        retryAfterSeconds: 1,
        logged,
      };
    if (!mapped.ok) {
      const message = describeMappingError(mapped.error);
      return {
        ...base,
        status: 422,
        message: `The body does not map to a lead: mapping: ${message}`,
        errors: [
          {
            field: 'mapping',
            message,
            ...(mapped.error.position !== undefined ? { position: mapped.error.position } : {}),
          },
        ],
        logged,
      };
    }
    const verdict = inboundLeadFrom(mapped.json, source.name);
    if (!verdict.ok)
      return {
        ...base,
        status: 422,
        message: `The mapped lead is invalid: ${describeProblems(verdict.errors)}`,
        errors: verdict.errors,
        logged,
      };

    const userAgent = request.headers['user-agent'];
    let accepted;
    try {
      accepted = await this.intake.submitToSite(
        { id: source.siteId, hostname: source.siteHostname },
        verdict.submission,
        {
          clientIp: request.clientIp,
          userAgent: typeof userAgent === 'string' ? userAgent.slice(0, 500) : null,
          // The tool's id, within this source: one tool's ids never match another source's or a form's keys.
          idempotencyKey:
            verdict.idempotencyKey === null ? null : `inbound:${source.id}:${verdict.idempotencyKey}`,
        },
      );
    } catch (error) {
      if (!(error instanceof LeadTooLargeException)) throw error;
      return {
        ...base,
        status: 400,
        message: `The mapped lead is too large: ${error.problem}`,
        errors: [{ field: 'body', message: error.problem }],
        logged,
      };
    }
    if (!accepted) return { ...base, status: 404, message: 'The source’s site no longer exists', logged };
    return { ...base, status: 201, accepted, logged };
  }

  private schemeOf(source: InboundSource): SignatureScheme {
    return (SIGNATURE_SCHEMES as readonly string[]).includes(source.signature)
      ? (source.signature as SignatureScheme)
      : 'none';
  }

  private answer(outcome: Outcome): InboundAnswer {
    this.metrics.requests.inc({ status: String(outcome.status) });
    const headers: Record<string, string> = {};
    if (outcome.retryAfterSeconds) headers['retry-after'] = String(outcome.retryAfterSeconds);
    if (outcome.accepted) {
      if (outcome.accepted.replayed) headers['idempotent-replayed'] = 'true';
      return {
        status: outcome.status,
        body: { id: outcome.accepted.id, zapier_status: outcome.accepted.zapier_status },
        headers,
      };
    }
    return {
      status: outcome.status,
      body: {
        message: outcome.message ?? 'The request was refused',
        ...(outcome.errors ? { errors: outcome.errors } : {}),
      },
      headers,
    };
  }

  private record(
    source: InboundSource,
    request: InboundHttpRequest,
    receivedAt: Date,
    started: number,
    outcome: Outcome,
  ): void {
    const maxChars = this.config.inbound.log.bodyMaxChars;
    const body = outcome.logged ? bodyForLog(outcome.logged, maxChars) : null;
    this.requestLog.record({
      id: uuidv7(),
      sourceId: source.id,
      receivedAt,
      status: outcome.status,
      leadId: outcome.accepted?.id ?? null,
      replayed: outcome.accepted?.replayed ?? false,
      error: outcome.message ? storableText(outcome.message, 2_000).text : null,
      errors: outcome.errors ? (storableJson(outcome.errors) as FieldProblem[]) : null,
      contentType: request.body.contentType ? storableText(request.body.contentType, 200).text : null,
      sizeBytes: request.body.size,
      durationMs: Math.round(performance.now() - started),
      headers: storableJson(outcome.headers),
      query: storableJson(outcome.query),
      body: body ? redactText(body.text, request.token) : null,
      bodyFormat: outcome.logged ? ('parsed' in outcome.logged ? 'json' : 'raw') : null,
      bodyTruncated: body?.truncated ?? false,
    });
  }
}

function redactText(text: string, token: string): string {
  return text.includes(token) ? text.replaceAll(token, TOKEN_PLACEHOLDER) : text;
}

/** The HTTP error for an answer that is not a success (the global filter shapes it like every other error). */
export function answerError(answer: InboundAnswer): HttpException {
  return new HttpException(answer.body, answer.status);
}
