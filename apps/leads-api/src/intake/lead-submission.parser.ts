import { BadRequestException } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import type { ExtraValue } from '@leadhooks/contracts';
import { KNOWN_FIELDS, LeadSubmissionDto } from './dto/lead-submission.dto.js';

export interface ParsedSubmission {
  fields: LeadSubmissionDto;
  extra: Record<string, ExtraValue>;
}

export const EXTRA_LIMITS = { maxFields: 50, maxKeyLength: 64, maxValueLength: 2000 } as const;

/**
 * Splits a form body into known lead fields (validated by class-validator) and bounded scalar extras.
 * Throws 400 naming every failing field; never lets bad input through to the database.
 */
export function parseLeadSubmission(body: unknown, ignoredFields: string[] = []): ParsedSubmission {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BadRequestException({ message: 'body must be a JSON object or a urlencoded form', errors: [] });
  }
  const known: Record<string, unknown> = {};
  const extra: Record<string, ExtraValue> = {};
  const errors: Array<{ field: string; message: string }> = [];
  for (const [key, raw] of Object.entries(body as Record<string, unknown>)) {
    if (ignoredFields.includes(key)) continue;
    const value = typeof raw === 'string' ? raw.trim() : raw;
    if ((KNOWN_FIELDS as readonly string[]).includes(key)) {
      if (value === '' || value === null) continue;
      if (typeof value !== 'string') errors.push({ field: key, message: `${key} must be a string` });
      else known[key] = value;
      continue;
    }
    if (key.length > EXTRA_LIMITS.maxKeyLength || !/^[\w.-]+$/.test(key)) {
      errors.push({ field: key.slice(0, 64), message: `extra field names must be at most ${EXTRA_LIMITS.maxKeyLength} word characters` });
    } else if (value !== null && !['string', 'number', 'boolean'].includes(typeof value)) {
      errors.push({ field: key, message: `${key} must be a string, number, boolean or null` });
    } else if (typeof value === 'string' && value.length > EXTRA_LIMITS.maxValueLength) {
      errors.push({ field: key, message: `${key} must be at most ${EXTRA_LIMITS.maxValueLength} characters` });
    } else {
      extra[key] = value as ExtraValue;
    }
  }
  if (Object.keys(extra).length > EXTRA_LIMITS.maxFields) {
    errors.push({ field: 'extra', message: `at most ${EXTRA_LIMITS.maxFields} extra fields are accepted` });
  }
  const fields = plainToInstance(LeadSubmissionDto, known);
  for (const error of validateSync(fields, { forbidUnknownValues: true })) {
    errors.push({ field: error.property, message: Object.values(error.constraints ?? {}).join('; ') });
  }
  if (errors.length) throw new BadRequestException({ message: 'The lead is invalid', errors });
  return { fields, extra };
}
