import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isDatabaseUnavailable } from '@leadhooks/db';

/**
 * One error shape for every answer: `{statusCode, message, errors?}`. An HttpException keeps its status and
 * details. The database being unreachable (failover, terminated connections) is a 503 with Retry-After, so
 * clients retry; anything else is a 500 whose log names the error but never the query's parameters (lead data).
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly log = new Logger('HttpExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const body =
        typeof response === 'string' ? { message: response } : (response as Record<string, unknown>);
      void reply
        .status(status)
        .send({ ...body, statusCode: status, message: body.message ?? exception.message });
      return;
    }
    // Errors Fastify and its plugins raise for what a client sent (a malformed multipart body, a bad header)
    // carry their 4xx status: they are answered as such, never as a 500.
    const clientStatus = (exception as { statusCode?: unknown } | null)?.statusCode;
    if (typeof clientStatus === 'number' && clientStatus >= 400 && clientStatus < 500) {
      const message = exception instanceof Error ? exception.message : 'Bad request';
      void reply
        .status(clientStatus)
        .send({ statusCode: clientStatus, message, errors: [{ field: 'body', message }] });
      return;
    }
    // The multipart parser (busboy) throws plain errors for a malformed body ("Unexpected end of multipart data").
    const contentType = host.switchToHttp().getRequest<FastifyRequest>().headers?.['content-type'] ?? '';
    if (
      contentType.startsWith('multipart/') &&
      exception instanceof Error &&
      !isDatabaseUnavailable(exception)
    ) {
      const message = `The multipart body is malformed: ${exception.message}`;
      void reply.status(400).send({ statusCode: 400, message, errors: [{ field: 'body', message }] });
      return;
    }
    if (isDatabaseUnavailable(exception)) {
      this.log.warn(`Database unavailable, answering 503: ${describe(exception)}`);
      void reply
        .status(HttpStatus.SERVICE_UNAVAILABLE)
        .header('retry-after', '1')
        .send({ statusCode: 503, message: 'The service is briefly unavailable; retry shortly' });
      return;
    }
    this.log.error(`Unhandled error: ${describe(exception)}`);
    void reply
      .status(HttpStatus.INTERNAL_SERVER_ERROR)
      .send({ statusCode: 500, message: 'Internal server error' });
  }
}

/** Name, message and SQLSTATE only: a QueryFailedError also carries the query's parameters, which hold lead data. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code =
    (error as { code?: unknown; driverError?: { code?: unknown } }).driverError?.code ??
    (error as { code?: unknown }).code;
  return `${error.name}${typeof code === 'string' ? ` (${code})` : ''}: ${error.message}`;
}
