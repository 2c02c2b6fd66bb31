import { BadRequestException, HttpException, HttpStatus, UnprocessableEntityException } from '@nestjs/common';
import { describeMappingError, type MappingError } from '@leadhooks/mapping';

/** The 400 for a mapping that cannot be saved: the field, JSONata's message and the position it names. */
export function mappingSyntaxError(error: MappingError): BadRequestException {
  return new BadRequestException({
    message: `The mapping is invalid: ${describeMappingError(error)}`,
    errors: [{ field: 'mapping', message: describeMappingError(error) }],
    mapping_error: error,
  });
}

/** The 422 for a mapping that parses but fails on the lead it was rendered for. */
export function mappingEvaluationError(error: MappingError): UnprocessableEntityException {
  return new UnprocessableEntityException({
    message: `The mapping failed on this lead: ${describeMappingError(error)}`,
    errors: [{ field: 'mapping', message: describeMappingError(error) }],
    mapping_error: error,
  });
}

/** Too many previews of one site at once. */
export function mappingBusyError(): HttpException {
  return new HttpException(
    { message: 'Too many mapping previews for this site at once; retry shortly' },
    HttpStatus.TOO_MANY_REQUESTS,
  );
}
