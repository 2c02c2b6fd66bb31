import { ConflictException, Inject, Injectable } from '@nestjs/common';
import type { EventType, SiteIdentity } from '@leadhooks/contracts';
import type { Endpoint } from '@leadhooks/db';
import { describeMappingError } from '@leadhooks/mapping';
import { type SigningSecrets, WebhookDelivery } from '@leadhooks/webhooks';
import { mappingBusyError } from '../mappings/mapping-errors.js';
import { OutboundMappingService } from '../mappings/outbound-mapping.service.js';
import { v7 as uuidv7 } from 'uuid';
import type { EndpointTestResultDto } from './dto/endpoint.dto.js';
import { sampleEvent } from './sample-event.js';

/** "Send a test": a sample event to one endpoint now, exactly as a real delivery would go; the receiver's answer back. */
@Injectable()
export class EndpointTester {
  constructor(
    @Inject(WebhookDelivery) private readonly delivery: WebhookDelivery,
    @Inject(OutboundMappingService) private readonly mappings: OutboundMappingService,
  ) {}

  /**
   * `secret: 'staged'` sends with the staged secret of a rotation not yet activated (and only it), so the receiver's
   * new setting can be tried before real deliveries use it. A `custom` endpoint's body is its mapping's output for
   * the sample lead; a mapping failure is the answer (no request is made).
   */
  async send(
    site: SiteIdentity,
    endpoint: Endpoint,
    type: EventType,
    secret: 'current' | 'staged' = 'current',
  ): Promise<EndpointTestResultDto> {
    if (endpoint.problem)
      throw new ConflictException(`The endpoint's settings cannot be read: ${endpoint.problem}`);
    const now = new Date();
    const deliveryId = uuidv7();
    const event = sampleEvent(site, type, now);
    let body: string | undefined;
    if (endpoint.format === 'custom') {
      const rendered = await this.mappings.render(endpoint.mapping ?? '', event, site);
      if (rendered === 'busy') throw mappingBusyError();
      if (!rendered.ok)
        return {
          ok: false,
          status: null,
          duration_ms: 0,
          error: `mapping: ${describeMappingError(rendered.error)}`,
          response_snippet: null,
          event: type,
          delivery_id: deliveryId,
        };
      body = rendered.json;
    }
    const secrets: SigningSecrets =
      secret === 'staged'
        ? { secret: endpoint.nextSecret, previousSecret: null, previousSecretExpiresAt: null }
        : endpoint;
    const result = await this.delivery.deliver(
      event,
      site,
      1,
      {
        url: endpoint.url as string,
        auth: endpoint.auth,
        format: endpoint.format,
        headers: endpoint.headers,
        timeoutMs: endpoint.timeoutMs ?? undefined,
        secrets,
        deliveryId,
        signaturePrefix: endpoint.signaturePrefix,
      },
      now,
      body,
    );
    return {
      ok: result.ok,
      status: result.status,
      duration_ms: result.durationMs,
      error: result.error,
      response_snippet: result.responseSnippet,
      event: type,
      delivery_id: deliveryId,
    };
  }
}
