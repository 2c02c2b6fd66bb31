import { isEmail, registerDecorator, type ValidationOptions } from 'class-validator';
import { textProblem } from './storable-text.js';

/**
 * An email address that can be stored. Text that cannot be stored (a NUL, an unpaired surrogate) is refused as
 * invalid before the email check sees it: validator's isEmail throws on an unpaired surrogate (URIError), which
 * would otherwise surface as a 500.
 */
export function isEmailAddress(value: unknown): value is string {
  if (typeof value !== 'string' || textProblem(value) !== null) return false;
  try {
    return isEmail(value);
  } catch {
    return false;
  }
}

export function IsEmailAddress(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isEmailAddress',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: (args) => `${args.property} must be a valid email address`, ...options },
      validator: { validate: isEmailAddress },
    });
}
