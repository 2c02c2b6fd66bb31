import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import {
  LEAD_CREATED_TYPE,
  type LeadEvent,
  type SiteIdentity,
  WEBHOOK_SECRET_HEADER,
} from '@leadhooks/contracts';
import { type Endpoint, EndpointRepository, LeadRepository, SiteRepository } from '@leadhooks/db';
import { requestHeaders, USER_AGENT } from '@leadhooks/webhooks';
import { MASKED_HEADER_VALUE } from '../endpoints/endpoint-view.js';
import { sampleEvent } from '../endpoints/sample-event.js';
import type { MappingPreviewDto, MappingPreviewResultDto } from './dto/mapping-preview.dto.js';
import { mappingBusyError, mappingEvaluationError, mappingSyntaxError } from './mapping-errors.js';
import { OutboundMappingService } from './outbound-mapping.service.js';

/** Where a preview renders: a site (real or the sample's), an event, and where that event came from. */
interface PreviewSubject {
  site: SiteIdentity;
  event: LeadEvent;
  source: 'lead' | 'sample';
}

const SAMPLE_SITE: SiteIdentity = {
  id: '00000000-0000-7000-8000-000000000001',
  hostname: 'example.com',
  name: 'Example',
};

/**
 * `POST /v1/admin/mappings/preview` (SPEC §14): renders a mapping exactly as the dispatcher would for a real stored
 * lead (the one named, else the site's newest), or the sample lead, and shows the body and the headers it would go
 * with. A mapping that does not parse is a 400 naming the position; one that fails on this lead is a 422.
 */
@Injectable()
export class MappingPreviewService {
  constructor(
    @Inject(OutboundMappingService) private readonly mappings: OutboundMappingService,
    @Inject(LeadRepository) private readonly leads: LeadRepository,
    @Inject(SiteRepository) private readonly sites: SiteRepository,
    @Inject(EndpointRepository) private readonly endpoints: EndpointRepository,
  ) {}

  async preview(dto: MappingPreviewDto): Promise<MappingPreviewResultDto> {
    const syntax = this.mappings.syntaxProblem(dto.mapping);
    if (syntax) throw mappingSyntaxError(syntax);
    const endpoint = dto.endpoint_id ? await this.endpointOrFail(dto.endpoint_id) : null;
    const subject = await this.subject(dto, endpoint?.siteId ?? dto.site_id);
    const rendered = await this.mappings.render(dto.mapping, subject.event, subject.site);
    if (rendered === 'busy') throw mappingBusyError();
    if (!rendered.ok) throw mappingEvaluationError(rendered.error);
    const body = rendered.json;
    return {
      source: subject.source,
      lead_id: subject.source === 'lead' ? subject.event.data.lead_id : null,
      event: subject.event.type,
      body,
      json: JSON.parse(body) as Record<string, unknown>,
      size_bytes: Buffer.byteLength(body),
      headers: this.headers(subject.event, endpoint, body),
    };
  }

  private async subject(dto: MappingPreviewDto, siteId: string | undefined): Promise<PreviewSubject> {
    if (dto.lead_id) {
      const event = await this.leads.createdEvent(dto.lead_id);
      if (!event || (siteId && event.data.site_id !== siteId))
        throw new NotFoundException(`No lead ${dto.lead_id}${siteId ? ' in this site' : ''}`);
      return { site: await this.siteOrFail(event.data.site_id), event, source: 'lead' };
    }
    if (siteId && !dto.sample) {
      const site = await this.siteOrFail(siteId);
      const [newest] = await this.leads.newestEvents(site.id, LEAD_CREATED_TYPE, 1);
      if (newest) return { site, event: newest, source: 'lead' };
      return { site, event: sampleEvent(site, dto.event ?? LEAD_CREATED_TYPE), source: 'sample' };
    }
    const site = siteId ? await this.siteOrFail(siteId) : SAMPLE_SITE;
    return {
      site,
      event: sampleEvent(site, dto.event ?? LEAD_CREATED_TYPE),
      source: 'sample',
    };
  }

  /** The headers of the request, as the endpoint would send it (when one is named); secrets never shown. */
  private headers(event: LeadEvent, endpoint: Endpoint | null, body: string): Record<string, string> {
    const transport = { 'content-type': 'application/json', 'user-agent': USER_AGENT };
    if (!endpoint?.secret)
      return { ...transport, 'x-webhook-event': event.type, 'x-webhook-delivery-id': '(one per delivery)' };
    const headers = requestHeaders(
      event,
      {
        url: '',
        auth: endpoint.auth,
        format: endpoint.format,
        headers: Object.fromEntries(Object.keys(endpoint.headers).map((name) => [name, MASKED_HEADER_VALUE])),
        secrets: endpoint,
        deliveryId: '(one per delivery)',
        signaturePrefix: endpoint.signaturePrefix,
      },
      new Date(),
      body,
    );
    if (headers[WEBHOOK_SECRET_HEADER]) headers[WEBHOOK_SECRET_HEADER] = MASKED_HEADER_VALUE;
    return { ...transport, ...headers };
  }

  private async endpointOrFail(id: string): Promise<Endpoint> {
    const endpoint = await this.endpoints.findById(id);
    if (!endpoint) throw new NotFoundException(`No endpoint ${id}`);
    return endpoint;
  }

  private async siteOrFail(id: string): Promise<SiteIdentity> {
    const site = await this.sites.findById(id);
    if (!site) throw new NotFoundException(`No site ${id}`);
    return { id: site.id, hostname: site.hostname, name: site.name };
  }
}
