import {
  BadRequestException,
  ConflictException,
  Inject,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import { requeueMessage } from '@leadhooks/contracts';
import { type DeliveryAttemptEntity, type LeadEntity, LeadRepository } from '@leadhooks/db';
import type { LeadDto, LeadPageDto, ListLeadsQueryDto } from './dto/lead.dto.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function encodeCursor(lead: LeadEntity): string {
  return Buffer.from(JSON.stringify([lead.submittedAt.toISOString(), lead.id])).toString('base64url');
}

function decodeCursor(cursor: string): { submittedAt: Date; id: string } {
  try {
    const [submittedAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [string, string];
    const date = new Date(submittedAt);
    if (Number.isNaN(date.getTime()) || !UUID.test(id)) throw new Error('bad cursor');
    return { submittedAt: date, id };
  } catch {
    throw new BadRequestException({
      message: 'cursor is invalid',
      errors: [{ field: 'cursor', message: 'use next_cursor from a previous page' }],
    });
  }
}

export function toLeadDto(lead: LeadEntity, attempts?: DeliveryAttemptEntity[]): LeadDto {
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
    ...(attempts
      ? {
          attempts: attempts.map((a) => ({
            attempt: a.attempt,
            tier: a.tier,
            http_status: a.httpStatus,
            error: a.error,
            error_class: a.errorClass,
            duration_ms: a.durationMs,
            started_at: a.startedAt.toISOString(),
          })),
        }
      : {}),
  };
}

@Injectable()
export class AdminLeadsService {
  constructor(@Inject(LeadRepository) private readonly leads: LeadRepository) {}

  async get(id: string): Promise<LeadDto> {
    const lead = await this.leads.findById(id);
    if (!lead) throw new NotFoundException(`No lead ${id}`);
    return toLeadDto(lead, await this.leads.listAttempts(id));
  }

  async list(query: ListLeadsQueryDto): Promise<LeadPageDto> {
    const limit = query.limit ?? 50;
    const page = await this.leads.list({
      siteId: query.site_id,
      status: query.status,
      since: query.since ? new Date(query.since) : undefined,
      until: query.until ? new Date(query.until) : undefined,
      after: query.cursor ? decodeCursor(query.cursor) : undefined,
      limit: limit + 1,
    });
    const items = page.slice(0, limit);
    return {
      items: items.map((lead) => toLeadDto(lead)),
      next_cursor: page.length > limit ? encodeCursor(items[items.length - 1]) : null,
    };
  }

  async redeliver(id: string): Promise<{ id: string; zapier_status: 'PENDING' }> {
    const result = await this.leads.requeue(id, (attemptCount) => requeueMessage(attemptCount));
    switch (result) {
      case 'missing':
        throw new NotFoundException(`No lead ${id}`);
      case 'already-sent':
        throw new ConflictException(
          'The lead was already delivered (a 2xx is recorded); it is never sent again',
        );
      case 'in-flight':
        throw new ConflictException('A delivery of this lead is in progress; try again shortly');
      case 'requeued':
        return { id, zapier_status: 'PENDING' };
    }
  }
}
