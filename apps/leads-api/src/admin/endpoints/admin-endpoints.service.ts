import {
  BadRequestException,
  ConflictException,
  Inject,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import { parseDuration } from '@leadhooks/config';
import {
  type EventType,
  LEAD_CREATED_TYPE,
  type PayloadFormat,
  TWO_STEP_ROTATION_MODES,
  ZAPIER_ENDPOINT_NAME,
} from '@leadhooks/contracts';
import {
  DeliveryStatsRepository,
  type Endpoint,
  type EndpointPatch,
  EndpointRepository,
  isZapierEndpoint,
  SiteRepository,
} from '@leadhooks/db';
import {
  customHeaderProblems,
  generateWebhookSecret,
  isMaskOf,
  webhookUrlProblem,
} from '@leadhooks/webhooks';
import { LEADS_API_CONFIG } from '../../config/config.module.js';
import type { LeadsApiConfig } from '../../config/leads-api.config.js';
import { mappingSyntaxError } from '../mappings/mapping-errors.js';
import { OutboundMappingService } from '../mappings/outbound-mapping.service.js';
import type {
  CreateEndpointDto,
  EndpointResponseDto,
  EndpointStatsDto,
  EndpointTestResultDto,
  RotateSecretDto,
  UpdateEndpointDto,
} from './dto/endpoint.dto.js';
import { EndpointTester } from './endpoint-tester.service.js';
import { MASKED_HEADER_VALUE, toEndpointResponse } from './endpoint-view.js';

const MAX_STATS_WINDOW_MS = 30 * 86_400_000;

/** Endpoints of a site (SPEC §11): many destinations, each with its events, auth mode, format and limits. */
@Injectable()
export class AdminEndpointsService {
  constructor(
    @Inject(LEADS_API_CONFIG) private readonly config: LeadsApiConfig,
    @Inject(SiteRepository) private readonly sites: SiteRepository,
    @Inject(EndpointRepository) private readonly endpoints: EndpointRepository,
    @Inject(DeliveryStatsRepository) private readonly stats: DeliveryStatsRepository,
    @Inject(EndpointTester) private readonly tester: EndpointTester,
    @Inject(OutboundMappingService) private readonly mappings: OutboundMappingService,
  ) {}

  /** The one answer that shows the URL and the secret in full: the admin just typed the one and needs the other. */
  async create(siteId: string, dto: CreateEndpointDto): Promise<EndpointResponseDto> {
    await this.siteOrFail(siteId);
    const created = await this.endpoints.create({
      siteId,
      name: dto.name,
      kind: 'manual',
      url: this.checkedUrl(dto.url),
      enabled: dto.enabled ?? true,
      events: dto.events ?? [LEAD_CREATED_TYPE],
      auth: dto.auth ?? 'standard_webhooks',
      format: dto.format ?? 'flat',
      headers: this.checkedHeaders(dto.headers ?? {}),
      timeoutMs: dto.timeout_ms ?? null,
      rateLimitPerSecond: dto.rate_limit_per_second ?? null,
      secret: generateWebhookSecret(),
      description: dto.description ?? null,
      mapping: this.checkedMapping(dto.format ?? 'flat', dto.mapping ?? null),
      signaturePrefix: dto.signature_prefix ?? null,
      maxAttempts: dto.max_attempts ?? null,
      retryOn4xx: dto.retry_on_4xx ?? true,
    });
    if (created === 'site-missing') throw new NotFoundException(`No site ${siteId}`);
    if (created === 'name-taken') throw this.nameTaken(dto.name);
    return toEndpointResponse(created, { secret: true, url: true });
  }

  async list(siteId: string): Promise<EndpointResponseDto[]> {
    await this.siteOrFail(siteId);
    return (await this.endpoints.listBySite(siteId)).map((endpoint) => toEndpointResponse(endpoint));
  }

  async get(id: string): Promise<EndpointResponseDto> {
    return toEndpointResponse(await this.found(id));
  }

  /**
   * Partial update. A `url` equal to the masked URL this API showed means "unchanged"; so does a header value equal
   * to the mask. Disabling, deleting or unsubscribing ends the endpoint's pending deliveries SKIPPED (at their next
   * attempt), never sent. The `zapier` endpoint keeps its name: it is the site's §10 `zapier` object.
   */
  async update(id: string, dto: UpdateEndpointDto): Promise<EndpointResponseDto> {
    const before = await this.found(id);
    if (dto.name !== undefined && dto.name !== before.name && isZapierEndpoint(before))
      throw new ConflictException(
        `The '${ZAPIER_ENDPOINT_NAME}' endpoint is the site's zapier hook and keeps its name`,
      );
    const patch: EndpointPatch = {
      name: dto.name,
      url:
        dto.url === undefined || (dto.url !== null && isMaskOf(dto.url, before.url))
          ? undefined
          : this.checkedUrl(dto.url),
      enabled: dto.enabled,
      events: dto.events,
      auth: dto.auth,
      format: dto.format,
      headers:
        dto.headers === undefined ? undefined : this.checkedHeaders(this.unmasked(dto.headers, before)),
      timeoutMs: dto.timeout_ms,
      rateLimitPerSecond: dto.rate_limit_per_second,
      description: dto.description,
      mapping:
        dto.mapping === undefined && dto.format === undefined
          ? undefined
          : this.checkedMapping(
              dto.format ?? before.format,
              dto.mapping === undefined ? before.mapping : dto.mapping,
            ),
      signaturePrefix: dto.signature_prefix,
      maxAttempts: dto.max_attempts,
      retryOn4xx: dto.retry_on_4xx,
    };
    const updated = await this.endpoints.update(id, patch);
    if (updated === 'name-taken') throw this.nameTaken(dto.name ?? '');
    if (!updated) throw new NotFoundException(`No endpoint ${id}`);
    return toEndpointResponse(updated);
  }

  async remove(id: string): Promise<void> {
    const endpoint = await this.found(id);
    if (isZapierEndpoint(endpoint))
      throw new ConflictException(
        `The '${ZAPIER_ENDPOINT_NAME}' endpoint is the site's zapier hook; disable it (PATCH enabled: false) instead`,
      );
    if (!(await this.endpoints.delete(id))) throw new NotFoundException(`No endpoint ${id}`);
  }

  /**
   * A new secret, shown once, never breaking a receiver not updated yet (SPEC §14). Standard Webhooks: active at
   * once, and the previous one keeps being signed with for SECRET_ROTATION_GRACE (receivers accept either
   * signature). `secret_header` and `hmac_sha256_hex` carry one value, so the new secret is staged: it can be tried
   * with a test send, and is sent only from `activate_at` or `POST …/activate-secret`.
   */
  async rotateSecret(id: string, dto: RotateSecretDto = {}): Promise<EndpointResponseDto> {
    const before = await this.found(id);
    if (TWO_STEP_ROTATION_MODES.includes(before.auth)) {
      const activatesAt = dto.activate_at ? new Date(dto.activate_at) : null;
      const staged = await this.endpoints.stageSecret(id, generateWebhookSecret(), activatesAt);
      if (!staged) throw new NotFoundException(`No endpoint ${id}`);
      return toEndpointResponse(staged, { stagedSecret: true });
    }
    const endpoint = await this.endpoints.rotateSecret(
      id,
      generateWebhookSecret(),
      new Date(Date.now() + this.config.secretRotationGraceMs),
    );
    if (!endpoint) throw new NotFoundException(`No endpoint ${id}`);
    return toEndpointResponse(endpoint, { secret: true });
  }

  /** The staged secret becomes the one sent; the one it replaces stays as the previous secret for the grace. */
  async activateSecret(id: string): Promise<EndpointResponseDto> {
    const endpoint = await this.endpoints.activateSecret(
      id,
      new Date(Date.now() + this.config.secretRotationGraceMs),
    );
    if (!endpoint) throw new NotFoundException(`No endpoint ${id}`);
    if (endpoint === 'nothing-staged')
      throw new ConflictException('No rotation waits for activation (POST …/rotate-secret stages one)');
    return toEndpointResponse(endpoint);
  }

  async sendTest(
    id: string,
    event: EventType = LEAD_CREATED_TYPE,
    secret: 'current' | 'staged' = 'current',
  ): Promise<EndpointTestResultDto> {
    const endpoint = await this.found(id);
    const site = await this.siteOrFail(endpoint.siteId);
    if (!endpoint.url)
      throw new BadRequestException({
        message: 'The endpoint has no URL',
        errors: [{ field: 'url', message: 'not set' }],
      });
    if (secret === 'staged' && !endpoint.nextSecret)
      throw new ConflictException('No staged secret to test (POST …/rotate-secret stages one)');
    return this.tester.send(site, endpoint, event, secret);
  }

  async endpointStats(id: string, window = '24h'): Promise<EndpointStatsDto> {
    await this.found(id);
    const windowMs = parseDuration(window);
    if (windowMs <= 0 || windowMs > MAX_STATS_WINDOW_MS)
      throw new BadRequestException({
        message: 'window is out of range',
        errors: [{ field: 'window', message: 'window must be between 1m and 30d' }],
      });
    const stats = await this.stats.endpointStats(id, windowMs);
    return {
      endpoint_id: id,
      window,
      sent: stats.sent,
      failed: stats.failed,
      skipped: stats.skipped,
      pending: stats.pending,
      in_retry: stats.inRetry,
      success_rate: stats.successRate,
      p50_duration_ms: stats.p50DurationMs,
      p95_duration_ms: stats.p95DurationMs,
      attempts: stats.attempts,
      consecutive_failures: stats.consecutiveFailures,
      last_success_at: stats.lastSuccessAt?.toISOString() ?? null,
      last_410_at: stats.last410At?.toISOString() ?? null,
      failing: stats.failing,
    };
  }

  private async found(id: string): Promise<Endpoint> {
    const endpoint = await this.endpoints.findById(id);
    if (!endpoint) throw new NotFoundException(`No endpoint ${id}`);
    return endpoint;
  }

  private async siteOrFail(siteId: string) {
    const site = await this.sites.findById(siteId);
    if (!site) throw new NotFoundException(`No site ${siteId}`);
    return site;
  }

  private nameTaken(name: string): ConflictException {
    return new ConflictException(`The site already has an endpoint named '${name}'`);
  }

  private checkedUrl(url: string | null): string | null {
    if (url === null) return null;
    const problem = webhookUrlProblem(url, {
      allowInsecure: this.config.allowInsecureWebhookUrls,
      allowedTargets: this.config.webhookAllowedTargets,
    });
    if (problem)
      throw new BadRequestException({
        message: 'The endpoint URL is invalid',
        errors: [{ field: 'url', message: `url ${problem}` }],
      });
    return url;
  }

  /**
   * A `custom` endpoint needs a mapping that parses (400 naming JSONata's message and position); another format
   * keeps what it was given (a mapping kept while trying formats is harmless: only `custom` reads it).
   */
  private checkedMapping(format: PayloadFormat, mapping: string | null): string | null {
    if (format !== 'custom') return mapping;
    if (mapping === null)
      throw new BadRequestException({
        message: 'A custom format needs a mapping',
        errors: [{ field: 'mapping', message: 'mapping is required when format is custom' }],
      });
    const problem = this.mappings.syntaxProblem(mapping);
    if (problem) throw mappingSyntaxError(problem);
    return mapping;
  }

  /** A header sent back with the masked value shown by this API keeps its stored value. */
  private unmasked(headers: Record<string, string>, before: Endpoint): Record<string, string> {
    return Object.fromEntries(
      Object.entries(headers).map(([name, value]) => [
        name,
        value === MASKED_HEADER_VALUE && before.headers[name] !== undefined ? before.headers[name] : value,
      ]),
    );
  }

  private checkedHeaders(headers: Record<string, unknown>): Record<string, string> {
    const problems = customHeaderProblems(headers);
    if (problems.length)
      throw new BadRequestException({
        message: 'The custom headers are invalid',
        errors: problems.map((message) => ({ field: 'headers', message })),
      });
    return headers as Record<string, string>;
  }
}
