import {
  BadRequestException,
  ConflictException,
  Inject,
  Injectable,
  Logger,
  NotFoundException,
} from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { LEAD_CREATED_TYPE } from '@leadhooks/contracts';
import { EndpointRepository } from '@leadhooks/db';
import { generateWebhookSecret, maskUrl, webhookUrlProblem } from '@leadhooks/webhooks';
import { LEADS_API_CONFIG } from '../config/config.module.js';
import type { LeadsApiConfig } from '../config/leads-api.config.js';
import type { HookDto, SubscribeHookDto } from './dto/hook.dto.js';

/** Live REST hook subscriptions one site may hold (a Zap each); beyond it a subscribe is refused (409). */
export const MAX_HOOKS_PER_SITE = 200;

/**
 * REST hooks (SPEC §12): Zapier's instant triggers subscribe a target URL for one event; each subscription is an
 * endpoint of kind `zapier_rest_hook` (flat format, Standard Webhooks signing) with its deliveries, retries, DLT,
 * stats and metrics like any other. A 410 from the target removes it (the dispatcher records the removal).
 */
@Injectable()
export class HooksService {
  private readonly log = new Logger(HooksService.name);

  constructor(
    @Inject(LEADS_API_CONFIG) private readonly config: LeadsApiConfig,
    @Inject(EndpointRepository) private readonly endpoints: EndpointRepository,
  ) {}

  async subscribe(siteId: string, dto: SubscribeHookDto): Promise<HookDto> {
    const problem = webhookUrlProblem(dto.target_url, {
      allowInsecure: this.config.allowInsecureWebhookUrls,
      allowedTargets: this.config.webhookAllowedTargets,
    });
    if (problem)
      throw new BadRequestException({
        message: 'The target URL is invalid',
        errors: [{ field: 'target_url', message: `target_url ${problem}` }],
      });
    const event = dto.event ?? LEAD_CREATED_TYPE;
    const created = await this.endpoints.createWithinLimit(
      {
        siteId,
        name: `zapier-hook-${randomBytes(5).toString('hex')}`,
        kind: 'zapier_rest_hook',
        url: dto.target_url,
        enabled: true,
        events: [event],
        auth: 'standard_webhooks',
        format: 'flat',
        headers: {},
        timeoutMs: null,
        rateLimitPerSecond: null,
        secret: generateWebhookSecret(),
      },
      MAX_HOOKS_PER_SITE,
    );
    if (created === 'limit-reached')
      throw new ConflictException(
        `The site has ${MAX_HOOKS_PER_SITE} REST hook subscriptions already; unsubscribe one first`,
      );
    if (created === 'site-missing') throw new NotFoundException(`No site ${siteId}`);
    if (created === 'name-taken') throw new ConflictException('Subscription name collision; try again');
    this.log.log({
      message: `REST hook ${created.id} subscribed for ${event} (${maskUrl(dto.target_url)})`,
      siteId,
      endpointId: created.id,
    });
    return {
      id: created.id,
      event,
      target_url: dto.target_url,
      endpoint_name: created.name,
      secret: created.secret ?? '',
      created_at: created.createdAt.toISOString(),
    };
  }

  /**
   * Unsubscribes (Zapier's performUnsubscribe, a Zap turned off): nothing more is sent to it; pending deliveries
   * end SKIPPED. A subscription already removed (a 410 from its target) answers the same; another site's hook or
   * an endpoint that is not a REST hook is a 404.
   */
  async unsubscribe(siteId: string, id: string): Promise<void> {
    const endpoint = await this.endpoints.findIncludingDeleted(id);
    if (!endpoint || endpoint.siteId !== siteId || endpoint.kind !== 'zapier_rest_hook')
      throw new NotFoundException(`No REST hook ${id}`);
    if (endpoint.deletedAt) return;
    await this.endpoints.delete(id);
    this.log.log({ message: `REST hook ${id} unsubscribed`, siteId, endpointId: id });
  }
}
