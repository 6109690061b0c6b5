import { Get, Inject } from '@nestjs/common';
import { API_ROLES, Principal } from '../platform/access/role';
import { CurrentPrincipal, Roles } from '../platform/access/roles.decorator';
import { AppConfig } from '../platform/config/app-config';
import { APP_CONFIG } from '../platform/config/config.module';
import { ApiController } from '../platform/http/api-controller';

/**
 * Who the caller is: the dashboard signs in with a key and picks its views from the key's role,
 * and shows times in the report time zone.
 */
@ApiController('api keys', 'me')
export class MeController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Get()
  @Roles(...API_ROLES)
  me(@CurrentPrincipal() principal: Principal) {
    return { role: principal.role, organizationId: principal.organizationId, reportTimeZone: this.config.reportTimeZone };
  }
}
