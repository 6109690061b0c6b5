import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiKeyService } from './api-key.service';
import { ApiKeyThrottler } from './rate-limit/api-key-throttler';
import { ApiRole } from '../platform/access/role';
import { PUBLIC_KEY, ROLES_KEY } from '../platform/access/roles.decorator';

/**
 * Global guard: every route is denied unless it is @Public or its @Roles include the caller's.
 * A route that declares nothing is denied to every role, so a forgotten decorator fails closed.
 * Every known key is rate limited (429 with Retry-After) before its role is even checked.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeyService,
    private readonly throttler: ApiKeyThrottler,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest();
    const secret = bearerToken(request.headers.authorization);
    if (!secret) throw new UnauthorizedException('An API key is required: Authorization: Bearer <key>');
    const principal = await this.apiKeys.authenticate(secret);
    if (!principal) throw new UnauthorizedException('Unknown, revoked or expired API key');
    request.principal = principal;
    await this.throttler.canActivate(context);
    const allowed = this.reflector.getAllAndOverride<ApiRole[]>(ROLES_KEY, targets) ?? [];
    if (!allowed.includes(principal.role)) {
      throw new ForbiddenException(`This route is not open to the ${principal.role} role`);
    }
    return true;
  }
}

function bearerToken(header: unknown): string | null {
  if (typeof header !== 'string') return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : null;
}
