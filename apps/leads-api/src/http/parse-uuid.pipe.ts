import { BadRequestException, Injectable, type PipeTransform, type ArgumentMetadata } from '@nestjs/common';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Route ids are UUIDs: anything else is a 400 naming the parameter, never a database error. */
@Injectable()
export class ParseUuidPipe implements PipeTransform<string, string> {
  transform(value: string, metadata: ArgumentMetadata): string {
    if (typeof value === 'string' && UUID.test(value)) return value.toLowerCase();
    const field = metadata.data ?? 'id';
    throw new BadRequestException({
      message: `${field} must be a UUID`,
      errors: [{ field, message: `${field} must be a UUID` }],
    });
  }
}
