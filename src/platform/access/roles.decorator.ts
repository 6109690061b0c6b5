import { SetMetadata, createParamDecorator, ExecutionContext } from '@nestjs/common';
import { ApiRole, Principal } from './role';

export const ROLES_KEY = 'klimaklok:roles';
export const PUBLIC_KEY = 'klimaklok:public';

/** The roles allowed on a route. A route under /api without @Roles or @Public is denied to everyone. */
export const Roles = (...roles: ApiRole[]) => SetMetadata(ROLES_KEY, roles);

/** A route that needs no key (health, metrics). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  return context.switchToHttp().getRequest().principal;
});
