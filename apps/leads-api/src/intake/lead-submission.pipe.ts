import { Inject, Injectable, type PipeTransform } from '@nestjs/common';
import { LEADS_API_CONFIG } from '../config/config.module.js';
import type { LeadsApiConfig } from '../config/leads-api.config.js';
import { IntakeMetrics } from '../metrics/intake-metrics.js';
import { isHoneypotFilled } from './honeypot.js';
import { parseLeadSubmission, type ParsedSubmission } from './lead-submission.parser.js';

/** What intake receives, typed: a submission to store, or a bot's (answered like a success, stored nowhere). */
export type Submission = ({ kind: 'lead' } & ParsedSubmission) | { kind: 'bot' };

/** Turns a form body (JSON, urlencoded or multipart, as Fastify parsed it) into a typed Submission, or a 400 naming each field. */
@Injectable()
export class LeadSubmissionPipe implements PipeTransform<unknown, Submission> {
  constructor(
    @Inject(LEADS_API_CONFIG) private readonly config: LeadsApiConfig,
    @Inject(IntakeMetrics) private readonly metrics: IntakeMetrics,
  ) {}

  transform(body: unknown): Submission {
    if (isHoneypotFilled(body, this.config.honeypotField)) return { kind: 'bot' };
    try {
      return { kind: 'lead', ...parseLeadSubmission(body, [this.config.honeypotField]) };
    } catch (error) {
      this.metrics.leadsRejected.inc({ reason: 'invalid' });
      throw error;
    }
  }
}
