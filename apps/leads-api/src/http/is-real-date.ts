import { isISO8601, registerDecorator, type ValidationOptions } from 'class-validator';

/** An ISO 8601 date or date-time that names a real instant (not `2024-366` or `2025-02-30`). */
export function isRealDate(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    isISO8601(value, { strict: true, strictSeparator: true }) &&
    !Number.isNaN(Date.parse(value))
  );
}

export function IsRealDate(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isRealDate',
      target: target.constructor,
      propertyName: String(propertyName),
      options: {
        message: (args) =>
          `${args.property} must be an ISO 8601 date or date-time such as 2026-11-30T12:00:00Z`,
        ...options,
      },
      validator: { validate: isRealDate },
    });
}
