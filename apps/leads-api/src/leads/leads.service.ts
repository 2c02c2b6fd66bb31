import {
  BadRequestException,
  ConflictException,
  Inject,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import {
  buildLeadUpdatedEvent,
  buildZapierPayload,
  DeliveryHeaders,
  type EventType,
  type FlatPayload,
  LEAD_CREATED_TYPE,
  LEAD_DELETED_TYPE,
  LEAD_TEXT_FIELDS,
  LEAD_UPDATED_TYPE,
  requeueMessage,
} from '@leadhooks/contracts';
import {
  type DeliveryAttemptEntity,
  DeliveryRepository,
  ERASURE_WAIT,
  type ErasureRecord,
  type LeadEntity,
  LeadErasureRepository,
  type LeadExport,
  LeadExportRepository,
  LeadRepository,
  type LeadPatch,
  SiteRepository,
} from '@leadhooks/db';
import { v7 as uuidv7 } from 'uuid';
import type { Principal } from '../auth/principal.js';
import { siteScope } from '../auth/principal.js';
import { LEADS_API_CONFIG } from '../config/config.module.js';
import type { LeadsApiConfig } from '../config/leads-api.config.js';
import { leadSizeProblem } from './lead-size-limit.js';
import { IntakeService } from '../intake/intake.service.js';
import { parseLeadSubmission } from '../intake/lead-submission.parser.js';
import { decodeCursor, encodeCursor } from '../http/keyset-cursor.js';
import { EXTRA_LIMITS } from '../intake/lead-submission.parser.js';
import { toAttemptDto, toDeliveryDto } from '../admin/deliveries/delivery-view.js';
import type { DeliveryDto } from '../admin/deliveries/dto/delivery.dto.js';
import type {
  LeadDto,
  LeadPageDto,
  ListLeadsQueryDto,
  RedeliveryDto,
  SearchLeadsQueryDto,
} from './dto/lead.dto.js';

/** `lead_source` of a lead created through the API (Zapier's create_lead) when it names none. */
const INBOUND_LEAD_SOURCE = 'zapier';
import type { ErasureDto } from './dto/erasure.dto.js';
import type { UpdateLeadDto } from './dto/update-lead.dto.js';
import { parseExtraPatch } from './extra-patch.js';

export function toLeadDto(
  lead: LeadEntity,
  details?: { attempts: DeliveryAttemptEntity[]; deliveries: DeliveryDto[] },
): LeadDto {
  return {
    id: lead.id,
    site_id: lead.siteId,
    submitted_at: lead.submittedAt.toISOString(),
    page_url: lead.pageUrl,
    lead_source: lead.leadSource,
    form_type: lead.formType,
    name: lead.name,
    email: lead.email,
    phone: lead.phone,
    message: lead.message,
    extra: lead.extra,
    zapier_status: lead.zapierStatus,
    zapier_attempt_count: lead.zapierAttemptCount,
    zapier_last_attempt_at: lead.zapierLastAttemptAt?.toISOString() ?? null,
    zapier_last_error: lead.zapierLastError,
    zapier_sent_at: lead.zapierSentAt?.toISOString() ?? null,
    version: lead.version,
    updated_at: lead.updatedAt?.toISOString() ?? null,
    erased_at: lead.erasedAt?.toISOString() ?? null,
    ...(details ? { attempts: details.attempts.map(toAttemptDto), deliveries: details.deliveries } : {}),
  };
}

export function toErasureDto(record: ErasureRecord, alreadyErased: boolean): ErasureDto {
  return {
    lead_id: record.leadId,
    site_id: record.siteId,
    erased_at: record.erasedAt.toISOString(),
    erased_by: record.erasedBy,
    reason: record.reason,
    event_id: record.eventId,
    already_erased: alreadyErased,
    erased: record.erased,
  };
}

@Injectable()
export class LeadsService {
  constructor(
    @Inject(LEADS_API_CONFIG) private readonly config: LeadsApiConfig,
    @Inject(LeadErasureRepository) private readonly erasures: LeadErasureRepository,
    @Inject(LeadExportRepository) private readonly exports: LeadExportRepository,
    @Inject(LeadRepository) private readonly leads: LeadRepository,
    @Inject(DeliveryRepository) private readonly deliveries: DeliveryRepository,
    @Inject(SiteRepository) private readonly sites: SiteRepository,
    @Inject(IntakeService) private readonly intake: IntakeService,
  ) {}

  /** The lead, if this principal may see it: a site key sees its own site's leads only (others are a 404). */
  private async visibleLead(id: string, principal: Principal): Promise<LeadEntity> {
    const lead = await this.leads.findById(id);
    if (!lead || (principal.kind === 'site' && lead.siteId !== principal.siteId))
      throw new NotFoundException(`No lead ${id}`);
    return lead;
  }

  /**
   * Erases the lead's personal data everywhere (docs/privacy.md) and answers what was erased. Nothing is sent for
   * it once this returns. A lead erased before answers with that erasure (idempotent).
   */
  async erase(id: string, principal: Principal): Promise<ErasureDto> {
    const result = await this.erasures.erase(
      id,
      {
        by: principal.kind === 'site' ? `site-key:${principal.keyId}` : 'admin-key',
        reason: 'request',
      },
      { siteId: siteScope(principal), wait: ERASURE_WAIT },
    );
    if (result.kind === 'missing') throw new NotFoundException(`No lead ${id}`);
    if (result.kind === 'already-erased') {
      if (!result.record) throw new NotFoundException(`No lead ${id}`);
      return toErasureDto(result.record, true);
    }
    return toErasureDto(result.record, false);
  }

  /** Everything stored about the lead, as one JSON document (a data subject's access request). */
  async export(id: string, principal: Principal): Promise<LeadExport & { exported_at: string }> {
    const document = await this.exports.exportLead(id, siteScope(principal));
    if (!document) throw new NotFoundException(`No lead ${id}`);
    return { exported_at: new Date().toISOString(), ...document };
  }

  async get(id: string, principal: Principal): Promise<LeadDto> {
    const lead = await this.visibleLead(id, principal);
    const [attempts, deliveries] = await Promise.all([
      this.deliveries.listZapierAttempts(id),
      this.deliveries.listByLead(id),
    ]);
    return toLeadDto(lead, {
      attempts,
      deliveries: deliveries.map((delivery) => toDeliveryDto(delivery, delivery.attempts)),
    });
  }

  async list(query: ListLeadsQueryDto): Promise<LeadPageDto> {
    const limit = query.limit ?? 50;
    const after = query.cursor ? decodeCursor(query.cursor) : undefined;
    const page = await this.leads.list({
      siteId: query.site_id,
      status: query.status,
      since: query.since ? new Date(query.since) : undefined,
      until: query.until ? new Date(query.until) : undefined,
      after: after && { submittedAt: new Date(after.at), id: after.id },
      limit: limit + 1,
    });
    const items = page.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map((lead) => toLeadDto(lead)),
      next_cursor: page.length > limit ? encodeCursor(last.submittedAt.toISOString(), last.id) : null,
    };
  }

  /**
   * Sends the lead's lead.created through delivery again: every delivery of it not SENT and not in flight (or only
   * the one to `endpointId`), and, without an endpoint, to subscribed endpoints that never had it. A delivery
   * already SENT is never sent again.
   */
  async redeliver(id: string, endpointId?: string): Promise<RedeliveryDto> {
    const result = await this.deliveries.redeliverLead(
      id,
      { endpointId },
      ({ event, delivery, attemptCount }) => requeueMessage(event, delivery, attemptCount),
    );
    if (result.kind === 'missing') throw new NotFoundException(`No lead ${id}`);
    if (!result.requeued.length && !result.fannedOut) {
      if (result.inFlight)
        throw new ConflictException('A delivery of this lead is in progress; try again shortly');
      if (result.alreadySent)
        throw new ConflictException(
          'The lead was already delivered (a 2xx is recorded); it is never sent again',
        );
      throw new ConflictException(
        endpointId
          ? `The lead has no delivery to endpoint ${endpointId}`
          : 'No enabled endpoint of the site takes lead.created; enable one, then redeliver',
      );
    }
    return {
      id,
      zapier_status: result.zapierStatus as RedeliveryDto['zapier_status'],
      requeued: result.requeued.map((r) => ({ delivery_id: r.deliveryId, endpoint_id: r.endpointId })),
      fanned_out: result.fannedOut,
    };
  }

  /**
   * PATCH (SPEC §11): changes the lead; when a value really changes, the row and its lead.updated event (whole
   * lead, `changes`, `version`) commit together. A PATCH that changes nothing emits nothing.
   */
  async update(id: string, dto: UpdateLeadDto, principal: Principal): Promise<LeadDto> {
    await this.visibleLead(id, principal);
    const patch: LeadPatch = {
      fields: Object.fromEntries(
        LEAD_TEXT_FIELDS.filter((field) => dto[field] !== undefined).map((field) => [
          field,
          dto[field] ?? null,
        ]),
      ),
      extra: parseExtraPatch(dto.extra),
    };
    const result = await this.leads.update(id, patch, {
      check: (next) => {
        if (!next.email && !next.phone)
          return { field: 'email', message: 'a lead must keep an email or a phone' };
        if (Object.keys(next.extra).length > EXTRA_LIMITS.maxFields)
          return { field: 'extra', message: `at most ${EXTRA_LIMITS.maxFields} extra fields are accepted` };
        const tooLarge = leadSizeProblem(next, this.config.leadMaxBytes);
        if (tooLarge) return { field: 'body', message: tooLarge };
        return null;
      },
      event: (data) => buildLeadUpdatedEvent(uuidv7(), new Date(), data),
      headers: DeliveryHeaders.firstAttempt(),
    });
    switch (result.kind) {
      case 'missing':
        throw new NotFoundException(`No lead ${id}`);
      case 'invalid':
        throw new BadRequestException({
          message: 'The lead change is invalid',
          errors: [{ field: result.field, message: result.message }],
        });
      case 'unchanged':
        return toLeadDto(result.lead);
      case 'updated':
        return toLeadDto(result.lead);
    }
  }

  /**
   * Zapier's sample list (SPEC §12: `GET /v1/leads?limit=3` with a site key): the site's newest events in the exact
   * flat shape of the webhook payload, so a Zap maps the same fields it will later receive.
   */
  async samples(siteId: string, event: EventType, limit: number): Promise<FlatPayload[]> {
    const site = await this.sites.findById(siteId);
    if (!site) throw new NotFoundException(`No site ${siteId}`);
    const events =
      event === LEAD_DELETED_TYPE
        ? await this.erasures.newestDeletedEvents(siteId, limit)
        : event === LEAD_UPDATED_TYPE
          ? await this.leads.newestEvents(siteId, LEAD_UPDATED_TYPE, limit)
          : await this.leads.newestEvents(siteId, LEAD_CREATED_TYPE, limit);
    return events.map((stored) => buildZapierPayload(stored, site, 1));
  }

  /** `GET /v1/leads/search?email=|phone=` (Zapier's find_lead): newest first, within the principal's site. */
  async search(query: SearchLeadsQueryDto, principal: Principal): Promise<LeadDto[]> {
    const email = query.email?.trim() || undefined;
    const phone = query.phone?.trim() || undefined;
    if (!email && !phone)
      throw new BadRequestException({
        message: 'Give an email or a phone to search by',
        errors: [{ field: 'email', message: 'give an email or a phone to search by' }],
      });
    if (phone !== undefined && !/\d/.test(phone))
      throw new BadRequestException({
        message: 'The phone to search by has no digits',
        errors: [{ field: 'phone', message: 'must contain digits' }],
      });
    const siteId = siteScope(principal, query.site_id);
    const found = await this.leads.search(siteId, { email, phone }, query.limit ?? 10);
    return found.map((lead) => toLeadDto(lead));
  }

  /**
   * An inbound create (SPEC §12, Zapier's create_lead): validated like a form's lead, `lead_source` `zapier`
   * unless given. A retry with the same Idempotency-Key returns the first lead (`replayed`), never a second one.
   */
  async create(
    body: unknown,
    principal: Principal,
    requestedSiteId: string | undefined,
    context: { clientIp: string | null; userAgent: string | null; idempotencyKey: string | null },
  ): Promise<{ lead: LeadDto; replayed: boolean }> {
    const siteId = siteScope(principal, requestedSiteId);
    if (!siteId)
      throw new BadRequestException({
        message: 'An admin key must name the site of the lead',
        errors: [{ field: 'site_id', message: 'site_id (query) is required with an admin key' }],
      });
    const site = await this.sites.findById(siteId);
    if (!site) throw new NotFoundException(`No site ${siteId}`);
    const submission = parseLeadSubmission(body);
    submission.fields.lead_source ??= INBOUND_LEAD_SOURCE;
    const stored = await this.intake.submitToSite(site, submission, context);
    if (!stored) throw new NotFoundException(`No site ${siteId}`);
    const lead = await this.leads.findById(stored.id);
    if (!lead) throw new NotFoundException(`No lead ${stored.id}`);
    return { lead: toLeadDto(lead), replayed: stored.replayed };
  }
}
