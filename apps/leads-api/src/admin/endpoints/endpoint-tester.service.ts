import { ConflictException, Inject, Injectable } from '@nestjs/common';
import type { EventType, SiteIdentity } from '@leadhooks/contracts';
import type { Endpoint } from '@leadhooks/db';
import { WebhookDelivery } from '@leadhooks/webhooks';
import { v7 as uuidv7 } from 'uuid';
import type { EndpointTestResultDto } from './dto/endpoint.dto.js';
import { sampleEvent } from './sample-event.js';

/** "Send a test": a sample event to one endpoint now, exactly as a real delivery would go; the receiver's answer back. */
@Injectable()
export class EndpointTester {
  constructor(@Inject(WebhookDelivery) private readonly delivery: WebhookDelivery) {}

  async send(site: SiteIdentity, endpoint: Endpoint, event: EventType): Promise<EndpointTestResultDto> {
    if (endpoint.problem)
      throw new ConflictException(`The endpoint's settings cannot be read: ${endpoint.problem}`);
    const now = new Date();
    const deliveryId = uuidv7();
    const result = await this.delivery.deliver(
      sampleEvent(site, event, now),
      site,
      1,
      {
        url: endpoint.url as string,
        auth: endpoint.auth,
        format: endpoint.format,
        headers: endpoint.headers,
        timeoutMs: endpoint.timeoutMs ?? undefined,
        secrets: endpoint,
        deliveryId,
      },
      now,
    );
    return {
      ok: result.ok,
      status: result.status,
      duration_ms: result.durationMs,
      error: result.error,
      response_snippet: result.responseSnippet,
      event,
      delivery_id: deliveryId,
    };
  }
}
