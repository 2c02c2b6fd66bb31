import { Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import {
  buildLeadCreatedEvent,
  DeliveryHeaders,
  LEAD_CREATED_TOPIC,
  LEAD_CREATED_TYPE,
  leadSnapshot,
} from '@leadhooks/contracts';
import { LeadRepository, newLeadFromEvent } from '@leadhooks/db';
import { v7 as uuidv7 } from 'uuid';
import { OutboxWakeup } from '@leadhooks/outbox';
import { LEADS_API_CONFIG } from '../config/config.module.js';
import type { LeadsApiConfig } from '../config/leads-api.config.js';
import { leadSizeProblem, LeadTooLargeException } from '../leads/lead-size-limit.js';
import { IntakeMetrics } from '../metrics/intake-metrics.js';
import { SiteDirectory } from '../sites/site-directory.service.js';
import type { LeadAcceptedDto } from './dto/lead-accepted.dto.js';
import type { ParsedSubmission } from './lead-submission.parser.js';
import type { Submission } from './lead-submission.pipe.js';

export interface SubmissionContext {
  hostname: string;
  clientIp: string | null;
  userAgent: string | null;
  idempotencyKey: string | null;
}

/** Stores a lead and its lead.created event atomically (one statement, group-committed); delivery happens elsewhere. */
@Injectable()
export class IntakeService {
  private readonly log = new Logger(IntakeService.name);

  constructor(
    @Inject(LEADS_API_CONFIG) private readonly config: LeadsApiConfig,
    @Inject(IntakeMetrics) private readonly metrics: IntakeMetrics,
    @Inject(SiteDirectory) private readonly sites: SiteDirectory,
    @Inject(LeadRepository) private readonly leads: LeadRepository,
    @Inject(OutboxWakeup) private readonly wakeup: OutboxWakeup,
  ) {}

  /** Stores a parsed submission; a bot's is answered like a success and stored nowhere. */
  async submit(submission: Submission, context: SubmissionContext): Promise<LeadAcceptedDto> {
    if (submission.kind === 'bot') {
      // Answer like a success so the bot learns nothing; store nothing.
      this.metrics.leadsRejected.inc({ reason: 'honeypot' });
      return { id: uuidv7(), zapier_status: 'PENDING' };
    }
    const accepted = await this.accept(submission, context);
    this.metrics.leadsAccepted.inc({ status: accepted.zapier_status });
    return accepted;
  }

  private async accept(submission: ParsedSubmission, context: SubmissionContext): Promise<LeadAcceptedDto> {
    const siteId = await this.sites.findSiteId(context.hostname);
    if (!siteId) return this.unknownSite(context.hostname);
    const stored = await this.store(
      { id: siteId, hostname: context.hostname.toLowerCase() },
      submission,
      context,
    );
    if (!stored) {
      // The site was deleted since its id was cached.
      this.sites.invalidate(context.hostname);
      return this.unknownSite(context.hostname);
    }
    return { id: stored.id, zapier_status: stored.zapier_status };
  }

  /**
   * An inbound create (SPEC §12: `POST /v1/leads` with a site key, e.g. Zapier's create_lead action): stored
   * exactly like a form's lead, its lead.created in the same statement. `replayed`: the Idempotency-Key named a
   * lead stored before (a retried action), which is returned instead of a second lead. Null: the site is gone.
   */
  async submitToSite(
    site: { id: string; hostname: string },
    submission: ParsedSubmission,
    context: Omit<SubmissionContext, 'hostname'>,
  ): Promise<(LeadAcceptedDto & { replayed: boolean }) | null> {
    const stored = await this.store(site, submission, context);
    if (stored && !stored.replayed) this.metrics.leadsAccepted.inc({ status: stored.zapier_status });
    return stored;
  }

  private async store(
    site: { id: string; hostname: string },
    submission: ParsedSubmission,
    context: Omit<SubmissionContext, 'hostname'>,
  ): Promise<(LeadAcceptedDto & { replayed: boolean }) | null> {
    const siteId = site.id;
    if (context.idempotencyKey) {
      const existing = await this.leads.findByIdempotencyKey(siteId, context.idempotencyKey);
      if (existing)
        return { id: existing.id, zapier_status: existing.zapierStatus ?? 'NOT_CONFIGURED', replayed: true };
    }
    const { fields, extra } = submission;
    const id = uuidv7();
    const submittedAt = new Date();
    const lead = {
      id,
      siteId,
      siteHostname: site.hostname,
      submittedAt,
      pageUrl: fields.page_url ?? null,
      leadSource: fields.lead_source ?? null,
      formType: fields.form_type ?? null,
      name: fields.name ?? null,
      email: fields.email ?? null,
      phone: fields.phone ?? null,
      message: fields.message ?? null,
      extra,
    };
    const tooLarge = leadSizeProblem(lead, this.config.leadMaxBytes);
    if (tooLarge) {
      this.metrics.leadsRejected.inc({ reason: 'too_large' });
      throw new LeadTooLargeException(tooLarge);
    }
    const event = buildLeadCreatedEvent(uuidv7(), submittedAt, leadSnapshot(lead));
    const result = await this.leads.store(
      newLeadFromEvent(event, {
        clientIp: context.clientIp,
        userAgent: context.userAgent,
        idempotencyKey: context.idempotencyKey,
      }),
      {
        topic: LEAD_CREATED_TOPIC,
        eventType: LEAD_CREATED_TYPE,
        payload: event,
        headers: DeliveryHeaders.firstAttempt(),
      },
    );
    if (result.kind === 'not-stored') {
      // Two concurrent requests with one Idempotency-Key: the loser returns the winner's lead.
      const winner = context.idempotencyKey
        ? await this.leads.findByIdempotencyKey(siteId, context.idempotencyKey)
        : null;
      if (winner)
        return { id: winner.id, zapier_status: winner.zapierStatus ?? 'NOT_CONFIGURED', replayed: true };
      return null;
    }
    this.wakeup.committed();
    this.log.debug({
      message: `Accepted lead ${id} for ${site.hostname} (${result.zapierStatus})`,
      leadId: id,
      site: site.hostname,
    });
    return { id, zapier_status: result.zapierStatus, replayed: false };
  }

  private unknownSite(hostname: string): never {
    this.metrics.leadsRejected.inc({ reason: 'unknown_site' });
    throw new NotFoundException(`Unknown site '${hostname}'`);
  }
}
