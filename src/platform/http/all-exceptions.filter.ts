import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { Request, Response } from 'express';
import { DATABASE_RETRY_SECONDS, DatabaseAvailability } from '../database/database-availability';

/**
 * HttpExceptions pass through as they are (they are the caller's fault and say so). An
 * unreachable database is an outage, not a bug: 503 with Retry-After, logged once per outage by
 * DatabaseAvailability rather than once per request. Anything else is logged with its context
 * and answered with a generic 500, so that internals such as SQL never reach a client.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  constructor(private readonly database: DatabaseAvailability) {}

  catch(exception: unknown, host: ArgumentsHost) {
    const context = host.switchToHttp();
    const response = context.getResponse<Response>();
    const request = context.getRequest<Request>();
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      response.status(status).json(typeof body === 'string' ? { statusCode: status, message: body } : body);
      return;
    }
    const bodyParserError = exception as { type?: string; status?: number; message?: string };
    if (typeof bodyParserError.status === 'number' && bodyParserError.type) {
      // Errors raised by the body parser before Nest sees the request (too large, bad JSON).
      const status = bodyParserError.status;
      response.status(status).json({ statusCode: status, message: bodyParserMessage(bodyParserError.type, bodyParserError.message) });
      return;
    }
    if (this.database.isOutage(exception)) {
      response.setHeader('Retry-After', String(DATABASE_RETRY_SECONDS));
      response.status(503).json({ statusCode: 503, message: 'The database is unreachable or busy; try again shortly' });
      return;
    }
    this.logger.error({ err: exception, method: request.method, url: request.originalUrl }, 'Unhandled error');
    response.status(500).json({ statusCode: 500, message: 'Internal server error' });
  }
}

function bodyParserMessage(type: string, fallback = 'Bad request body'): string {
  if (type === 'entity.too.large') return 'Request body too large';
  if (type === 'entity.parse.failed') return 'Request body is not valid JSON';
  return fallback;
}
