import { BadRequestException, ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { buildLeadCreatedEvent, buildZapierPayload } from '@leadhooks/contracts';
import { activeSecrets, isForeignKeyViolation, isUniqueViolation, type Site, SiteRepository, uuidv7 } from '@leadhooks/db';
import { generateWebhookSecret, signWebhook, webhookUrlProblem, WebhookSender } from '@leadhooks/webhooks';
import { SiteDirectory } from '../../sites/site-directory.service.js';
import { LEADS_API_CONFIG } from '../../config/config.module.js';
import type { LeadsApiConfig } from '../../config/leads-api.config.js';
import type { CreateSiteDto, SiteResponseDto, UpdateSiteDto, ZapierTestResultDto } from './dto/site.dto.js';

@Injectable()
export class AdminSitesService {
  constructor(
    @Inject(LEADS_API_CONFIG) private readonly config: LeadsApiConfig,
    @Inject(SiteRepository) private readonly sites: SiteRepository,
    @Inject(SiteDirectory) private readonly directory: SiteDirectory,
    @Inject(WebhookSender) private readonly sender: WebhookSender,
  ) {}

  async create(dto: CreateSiteDto): Promise<SiteResponseDto> {
    const webhookUrl = this.checkedUrl(dto.zapier?.webhook_url);
    try {
      const site = await this.sites.create({
        hostname: dto.hostname,
        name: dto.name,
        webhookUrl,
        enabled: dto.zapier?.enabled ?? false,
        secret: generateWebhookSecret(),
      });
      this.directory.invalidate(site.hostname);
      return toResponse(site, true);
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictException(`A site with hostname '${dto.hostname}' exists`);
      throw error;
    }
  }

  async list(): Promise<SiteResponseDto[]> {
    return (await this.sites.list()).map((site) => toResponse(site, false));
  }

  async get(id: string): Promise<SiteResponseDto> {
    return toResponse(await this.found(id), false);
  }

  async update(id: string, dto: UpdateSiteDto): Promise<SiteResponseDto> {
    const before = await this.found(id);
    const site = await this.sites.update(id, {
      name: dto.name,
      webhookUrl: dto.zapier?.webhook_url !== undefined ? this.checkedUrl(dto.zapier.webhook_url) : undefined,
      enabled: dto.zapier?.enabled,
    });
    this.directory.invalidate(before.hostname);
    return toResponse(site ?? (await this.found(id)), false);
  }

  async remove(id: string): Promise<void> {
    const site = await this.found(id);
    try {
      await this.sites.delete(id);
      this.directory.invalidate(site.hostname);
    } catch (error) {
      if (isForeignKeyViolation(error)) {
        throw new ConflictException(`Site ${id} has leads and cannot be deleted; disable its hook instead`);
      }
      throw error;
    }
  }

  /** A new secret, shown once; the previous one keeps verifying for SECRET_ROTATION_GRACE. */
  async rotateSecret(id: string): Promise<SiteResponseDto> {
    await this.found(id);
    const site = await this.sites.rotateSecret(id, generateWebhookSecret(), new Date(Date.now() + this.config.secretRotationGraceMs));
    this.directory.invalidate(site?.hostname);
    return toResponse(site ?? (await this.found(id)), true);
  }

  /** Sends a signed sample lead.created to the site's hook now and reports what the receiver said. */
  async sendTest(id: string): Promise<ZapierTestResultDto> {
    const site = await this.found(id);
    if (!site.zapier.webhookUrl) throw new BadRequestException({ message: 'The site has no webhook URL', errors: [] });
    const now = new Date();
    const event = buildLeadCreatedEvent(uuidv7(), now, {
      lead_id: '00000000-0000-7000-8000-000000000000',
      site_id: site.id,
      site_hostname: site.hostname,
      submitted_at: now.toISOString(),
      page_url: `https://${site.hostname}/contact`,
      lead_source: 'leadhooks-test',
      form_type: 'test',
      name: 'Test Lead',
      email: 'test@example.com',
      phone: null,
      message: 'This is a test event from leadhooks.',
      extra: { test: true },
    });
    const body = JSON.stringify(buildZapierPayload(event, site, 1));
    const headers = signWebhook(activeSecrets(site, now), event.id, Math.floor(now.getTime() / 1000), body);
    const result = await this.sender.post(site.zapier.webhookUrl, body, { ...headers });
    return { ok: result.ok, status: result.status, duration_ms: result.durationMs, error: result.error, response_snippet: result.responseSnippet };
  }

  private async found(id: string): Promise<Site> {
    const site = /^[0-9a-f-]{36}$/i.test(id) ? await this.sites.findById(id) : null;
    if (!site) throw new NotFoundException(`No site ${id}`);
    return site;
  }

  private checkedUrl(url: string | null | undefined): string | null {
    if (!url) return null;
    const problem = webhookUrlProblem(url, { allowInsecure: this.config.allowInsecureWebhookUrls });
    if (problem) throw new BadRequestException({ message: 'The webhook URL is invalid', errors: [{ field: 'zapier.webhook_url', message: `webhook_url ${problem}` }] });
    return url;
  }
}

function toResponse(site: Site, withSecret: boolean): SiteResponseDto {
  return {
    id: site.id,
    hostname: site.hostname,
    name: site.name,
    zapier: {
      webhook_url: site.zapier.webhookUrl,
      enabled: site.zapier.enabled,
      ...(withSecret && site.zapier.secret ? { secret: site.zapier.secret } : {}),
    },
    created_at: site.createdAt.toISOString(),
    updated_at: site.updatedAt.toISOString(),
  };
}
