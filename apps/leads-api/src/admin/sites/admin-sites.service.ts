import {
  BadRequestException,
  ConflictException,
  Inject,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import { LEAD_CREATED_TYPE } from '@leadhooks/contracts';
import {
  deleteSiteWithLeads,
  EndpointRepository,
  isZapierEndpoint,
  LeadErasureRepository,
  RetentionRepository,
  type Site,
  SiteRepository,
} from '@leadhooks/db';
import { generateWebhookSecret, isMaskOf, maskUrl, webhookUrlProblem } from '@leadhooks/webhooks';
import { EndpointTester } from '../endpoints/endpoint-tester.service.js';
import { SiteDirectory } from '../../sites/site-directory.service.js';
import { LEADS_API_CONFIG } from '../../config/config.module.js';
import type { LeadsApiConfig } from '../../config/leads-api.config.js';
import { RetentionMetrics } from '../../metrics/retention-metrics.js';
import type {
  CreateSiteDto,
  SiteDeletionDto,
  SiteResponseDto,
  UpdateSiteDto,
  ZapierTestResultDto,
} from './dto/site.dto.js';

@Injectable()
export class AdminSitesService {
  constructor(
    @Inject(LEADS_API_CONFIG) private readonly config: LeadsApiConfig,
    @Inject(SiteRepository) private readonly sites: SiteRepository,
    @Inject(SiteDirectory) private readonly directory: SiteDirectory,
    @Inject(EndpointRepository) private readonly endpoints: EndpointRepository,
    @Inject(EndpointTester) private readonly tester: EndpointTester,
    @Inject(RetentionRepository) private readonly retention: RetentionRepository,
    @Inject(LeadErasureRepository) private readonly erasures: LeadErasureRepository,
    @Inject(RetentionMetrics) private readonly metrics: RetentionMetrics,
  ) {}

  /** The one answer that shows the hook URL and the secret in full: the admin just typed the one and needs the other. */
  async create(dto: CreateSiteDto): Promise<SiteResponseDto> {
    const site = await this.sites.create({
      hostname: dto.hostname,
      name: dto.name,
      webhookUrl: this.checkedUrl(dto.zapier?.webhook_url),
      enabled: dto.zapier?.enabled ?? false,
      secret: generateWebhookSecret(),
      retentionDays: dto.retention_days ?? null,
    });
    if (site === 'hostname-taken')
      throw new ConflictException(`A site with hostname '${dto.hostname}' exists`);
    return this.toResponse(site, { secret: true, url: true });
  }

  async list(): Promise<SiteResponseDto[]> {
    return (await this.sites.list()).map((site) => this.toResponse(site));
  }

  async get(id: string): Promise<SiteResponseDto> {
    return this.toResponse(await this.found(id));
  }

  /** Partial update. A `webhook_url` equal to the masked URL this API showed means "unchanged". */
  async update(id: string, dto: UpdateSiteDto): Promise<SiteResponseDto> {
    const before = await this.found(id);
    const url = dto.zapier?.webhook_url;
    const site = await this.sites.update(id, {
      name: dto.name,
      webhookUrl:
        url === undefined || (url !== null && isMaskOf(url, before.zapier.webhookUrl))
          ? undefined
          : this.checkedUrl(url),
      enabled: dto.zapier?.enabled,
      retentionDays: dto.retention_days,
    });
    return this.toResponse(site ?? (await this.found(id)));
  }

  /**
   * Deletes the site and everything of it; its leads are erased first, each exactly as DELETE /v1/leads/{id} erases
   * one (docs/privacy.md). Intake stops taking its leads at once here (other replicas within SITE_CACHE_TTL).
   */
  async remove(id: string): Promise<SiteDeletionDto> {
    const site = await this.found(id);
    this.directory.invalidate(site.hostname);
    const result = await deleteSiteWithLeads(this.retention, this.erasures, id, {
      batchSize: this.config.retention.batchSize,
    });
    this.directory.invalidate(site.hostname);
    if (result.kind === 'missing') throw new NotFoundException(`No site ${id}`);
    this.metrics.leadsErased.inc({ reason: 'site_deleted' }, result.leadsErased);
    if (result.kind === 'still-receiving')
      throw new ConflictException(
        `Site ${id} kept receiving leads while they were erased (${result.leadsErased} erased so far); ` +
          'stop its forms (or its sources) and delete it again',
      );
    return {
      id,
      hostname: site.hostname,
      leads_erased: result.leadsErased,
      leads_removed: result.leadsRemoved,
    };
  }

  /** A new secret for the `zapier` endpoint, shown once; the previous one keeps verifying for SECRET_ROTATION_GRACE. */
  async rotateSecret(id: string): Promise<SiteResponseDto> {
    const site = await this.sites.rotateSecret(
      id,
      generateWebhookSecret(),
      new Date(Date.now() + this.config.secretRotationGraceMs),
    );
    if (!site) throw new NotFoundException(`No site ${id}`);
    return this.toResponse(site, { secret: true });
  }

  /** Sends a signed sample lead.created to the site's `zapier` endpoint now and reports what the receiver said. */
  async sendTest(id: string): Promise<ZapierTestResultDto> {
    const site = await this.found(id);
    const endpoint = (await this.endpoints.listBySite(id)).find(isZapierEndpoint);
    if (site.problem || endpoint?.problem)
      throw new ConflictException(
        `The site's hook settings cannot be read: ${site.problem ?? endpoint?.problem}`,
      );
    if (!endpoint?.url)
      throw new BadRequestException({
        message: 'The site has no webhook URL',
        errors: [{ field: 'zapier.webhook_url', message: 'not set' }],
      });
    const result = await this.tester.send(site, endpoint, LEAD_CREATED_TYPE);
    return {
      ok: result.ok,
      status: result.status,
      duration_ms: result.duration_ms,
      error: result.error,
      response_snippet: result.response_snippet,
    };
  }

  private toResponse(site: Site, show: { secret?: boolean; url?: boolean } = {}): SiteResponseDto {
    return toResponse(site, this.config.retention.leadDays, show);
  }

  private async found(id: string): Promise<Site> {
    const site = await this.sites.findById(id);
    if (!site) throw new NotFoundException(`No site ${id}`);
    return site;
  }

  private checkedUrl(url: string | null | undefined): string | null {
    if (!url) return null;
    const problem = webhookUrlProblem(url, {
      allowInsecure: this.config.allowInsecureWebhookUrls,
      allowedTargets: this.config.webhookAllowedTargets,
    });
    if (problem)
      throw new BadRequestException({
        message: 'The webhook URL is invalid',
        errors: [{ field: 'zapier.webhook_url', message: `webhook_url ${problem}` }],
      });
    return url;
  }
}

/**
 * SPEC §10 site shape. Hook URLs are credentials: shown whole only in the creation answer, masked elsewhere;
 * the secret only on creation and rotation.
 */
function toResponse(
  site: Site,
  defaultRetentionDays: number,
  show: { secret?: boolean; url?: boolean } = {},
): SiteResponseDto {
  const url = site.zapier.webhookUrl;
  return {
    id: site.id,
    hostname: site.hostname,
    name: site.name,
    zapier: {
      webhook_url: url === null ? null : show.url ? url : maskUrl(url),
      enabled: site.zapier.enabled,
      ...(show.secret && site.zapier.secret ? { secret: site.zapier.secret } : {}),
    },
    ...(site.problem ? { problem: site.problem } : {}),
    retention_days: site.retentionDays,
    effective_retention_days: site.retentionDays ?? defaultRetentionDays,
    created_at: site.createdAt.toISOString(),
    updated_at: site.updatedAt.toISOString(),
  };
}
