import { registerDecorator, type ValidationOptions } from 'class-validator';

/**
 * Why a piece of text cannot be stored, or null. Postgres rejects NUL in text and `\u0000` / lone surrogate
 * escapes in jsonb, so such input is refused where it enters (400 naming the field) instead of failing the
 * insert (500) and every lead group-committed with it.
 */
export function textProblem(text: string): string | null {
  if (text.includes('\u0000')) return 'must not contain a NUL character';
  if (!text.isWellFormed()) return 'must be valid Unicode (it holds an unpaired surrogate)';
  return null;
}

/** class-validator: a string Postgres can store (see textProblem). */
export function IsStorableText(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isStorableText',
      target: target.constructor,
      propertyName: String(propertyName),
      options: {
        message: (args) => `${args.property} ${textProblem(String(args.value)) ?? 'is invalid'}`,
        ...options,
      },
      validator: { validate: (value: unknown) => typeof value !== 'string' || textProblem(value) === null },
    });
}
