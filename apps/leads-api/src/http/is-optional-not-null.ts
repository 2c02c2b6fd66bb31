import { ValidateIf, type ValidationOptions } from 'class-validator';

/**
 * Optional, but not nullable: an absent property is skipped; `null` is validated like any other value (and so
 * refused by the type check), where class-validator's IsOptional would let it through to a NOT NULL column.
 */
export function IsOptionalNotNull(options?: ValidationOptions): PropertyDecorator {
  return ValidateIf((_object, value) => value !== undefined, options);
}
