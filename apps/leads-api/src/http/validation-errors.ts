import { BadRequestException } from '@nestjs/common';
import type { ValidationError } from 'class-validator';

export interface FieldError {
  field: string;
  message: string;
}

/** Flattens class-validator errors into `{field, message}` pairs, nested fields as `zapier.webhook_url`. */
export function fieldErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, message: Object.values(error.constraints).join('; ') }] : [];
    return [...own, ...fieldErrors(error.children ?? [], field)];
  });
}

/** The one shape of every 400 (ValidationPipe's exceptionFactory): a message and each failing field. */
export function validationException(errors: ValidationError[]): BadRequestException {
  const fields = fieldErrors(errors);
  return new BadRequestException({
    message: `Invalid ${fields.map((f) => f.field).join(', ') || 'request'}`,
    errors: fields,
  });
}
