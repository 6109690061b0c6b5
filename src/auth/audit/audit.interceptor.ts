import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Observable, tap } from 'rxjs';
import { Principal } from '../../platform/access/role';
import { AuditLogRepository } from './audit-log.repository';

const CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Writes the audit trail: every changing request by a known key, with its final status, once the
 * response is sent (so refusals by validation or conflicts are in it too). Field names of the
 * body are kept, never its values: bodies carry secrets and personal data.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  private readonly logger = new Logger(AuditInterceptor.name);

  constructor(private readonly audit: AuditLogRepository) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const response = context.switchToHttp().getResponse<Response>();
    const principal = request.principal;
    if (!principal || !CHANGING.has(request.method)) return next.handle();
    let targetId: string | null = typeof request.params?.id === 'string' ? request.params.id : null;
    response.once('finish', () => {
      const body: unknown = request.body;
      const detail = {
        query: request.query,
        bodyFields: body && typeof body === 'object' && !Buffer.isBuffer(body) ? Object.keys(body).slice(0, 50) : [],
        bodyBytes: Number(request.headers['content-length'] ?? 0),
      };
      this.audit
        .insert({
          apiKeyId: principal.keyId,
          role: principal.role,
          organizationId: principal.organizationId,
          method: request.method,
          path: request.path,
          status: response.statusCode,
          targetId,
          detail,
        })
        .catch((error) => this.logger.error({ err: error, method: request.method, path: request.path, keyId: principal.keyId }, 'Audit entry not written'));
    });
    return next.handle().pipe(
      tap((result) => {
        const id = result && typeof result === 'object' ? (result as { id?: unknown }).id : undefined;
        if (typeof id === 'string') targetId = id;
      }),
    );
  }
}
