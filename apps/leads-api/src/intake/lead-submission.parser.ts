import { BadRequestException } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import type { ExtraScalar, ExtraValue } from '@leadhooks/contracts';
import { KNOWN_FIELDS, type KnownField, LeadSubmissionDto } from './dto/lead-submission.dto.js';
import { textProblem } from '../http/storable-text.js';

export interface ParsedSubmission {
  fields: LeadSubmissionDto;
  extra: Record<string, ExtraValue>;
}

export interface FieldError {
  field: string;
  message: string;
}

/** Real limits: beyond these a submission is refused (400) rather than stored. */
export const EXTRA_LIMITS = {
  maxFields: 100,
  maxKeyLength: 100,
  maxValueLength: 2000,
  maxListItems: 100,
} as const;

/**
 * Known fields are matched the way people name inputs (`Email`, `Page URL` → `page_url`, `lead-source`);
 * anything else is kept in `extra` under the name the form used.
 */
function knownFieldOf(key: string): KnownField | undefined {
  const normalized = key.toLowerCase().replace(/[\s-]+/g, '_');
  return (KNOWN_FIELDS as readonly string[]).includes(normalized) ? (normalized as KnownField) : undefined;
}

/** `interests[]` (PHP-style checkbox groups) is the field `interests`; `address[city]` keeps its name. */
function fieldName(rawKey: string): string {
  return rawKey.trim().replace(/\[\]$/, '').trim();
}

/** A name safe to echo in an error (never a NUL or a lone surrogate in our JSON). */
function printable(text: string): string {
  return text
    .replace(/\u0000/g, ' ')
    .toWellFormed()
    .slice(0, EXTRA_LIMITS.maxKeyLength);
}

/**
 * Splits a form body (JSON, urlencoded or multipart, as Fastify parsed it) into known lead fields (validated by
 * class-validator) and bounded extras. Every shape a browser sends is accepted: repeated keys and checkbox groups
 * (lists), bracketed and spaced names, empty values, any Unicode. Throws 400 naming every failing field when a
 * real limit is exceeded or a value cannot be stored (NUL, unpaired surrogates); never lets such input reach
 * the database.
 */
export function parseLeadSubmission(body: unknown, ignoredFields: string[] = []): ParsedSubmission {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BadRequestException({
      message: 'body must be a JSON object or a form',
      errors: [{ field: 'body', message: 'must be an object of fields' }],
    });
  }
  const known: Partial<Record<KnownField, string>> = {};
  const extra: Record<string, ExtraValue> = {};
  const errors: FieldError[] = [];
  const fail = (field: string, message: string) => errors.push({ field: printable(field), message });

  for (const [rawKey, raw] of Object.entries(body as Record<string, unknown>)) {
    if (ignoredFields.includes(rawKey)) continue;
    const keyProblem = textProblem(rawKey);
    if (keyProblem) {
      fail(rawKey, `the field name ${keyProblem}`);
      continue;
    }
    const key = fieldName(rawKey);
    if (!key) {
      fail(rawKey, 'field names must not be empty');
      continue;
    }
    if (key.length > EXTRA_LIMITS.maxKeyLength) {
      fail(key, `field names must be at most ${EXTRA_LIMITS.maxKeyLength} characters`);
      continue;
    }
    const values = valuesOf(raw);
    if (values === undefined) {
      fail(key, `${key} must be a value or a list of values (nested objects are not accepted)`);
      continue;
    }
    const problem = values
      .map((value) => (typeof value === 'string' ? textProblem(value) : null))
      .find(Boolean);
    if (problem) {
      fail(key, `${key} ${problem}`);
      continue;
    }
    const knownField = knownFieldOf(key);
    if (knownField) {
      if (known[knownField] !== undefined) continue;
      const first = values.map(asKnownText).find((text) => text !== undefined && text !== '');
      if (first === null) fail(key, `${key} must be text`);
      else if (first !== undefined) known[knownField] = first;
      continue;
    }
    if (values.length > EXTRA_LIMITS.maxListItems) {
      fail(key, `${key} may hold at most ${EXTRA_LIMITS.maxListItems} values`);
      continue;
    }
    const long = values.find(
      (value) => typeof value === 'string' && value.length > EXTRA_LIMITS.maxValueLength,
    );
    if (long !== undefined) {
      fail(key, `${key} must be at most ${EXTRA_LIMITS.maxValueLength} characters`);
      continue;
    }
    const trimmed = values.map((value) => (typeof value === 'string' ? value.trim() : value));
    const previous = extra[key];
    if (previous !== undefined)
      extra[key] = [...(Array.isArray(previous) ? previous : [previous]), ...trimmed];
    else extra[key] = Array.isArray(raw) ? trimmed : trimmed[0];
  }
  if (Object.keys(extra).length > EXTRA_LIMITS.maxFields) {
    fail('extra', `at most ${EXTRA_LIMITS.maxFields} extra fields are accepted`);
  }
  const fields = plainToInstance(LeadSubmissionDto, known);
  for (const error of validateSync(fields, { forbidUnknownValues: true })) {
    fail(error.property, Object.values(error.constraints ?? {}).join('; '));
  }
  if (errors.length) throw new BadRequestException({ message: 'The lead is invalid', errors });
  return { fields, extra };
}

/** The scalars a field holds (one, or a list), or undefined when it holds something nested. */
function valuesOf(raw: unknown): ExtraScalar[] | undefined {
  const list: unknown[] = Array.isArray(raw) ? raw : [raw];
  return list.every((value) => value === null || ['string', 'number', 'boolean'].includes(typeof value))
    ? (list as ExtraScalar[])
    : undefined;
}

/** Text for a known column: strings trimmed, numbers as written (a phone sent as a number); null = not text. */
function asKnownText(value: ExtraScalar): string | undefined | null {
  if (value === null) return undefined;
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number') return String(value);
  return null;
}
