import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { API_ROLES, Principal } from '../platform/access/role';
import { CurrentPrincipal, Roles } from '../platform/access/roles.decorator';
import { AppConfig } from '../platform/config/app-config';
import { APP_CONFIG } from '../platform/config/config.module';

/**
 * Who the caller is: the dashboard signs in with a key and picks its views from the key's role,
 * and shows times in the report time zone.
 */
@ApiTags('api keys')
@ApiBearerAuth()
@Controller('api/v1/me')
export class MeController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Get()
  @Roles(...API_ROLES)
  me(@CurrentPrincipal() principal: Principal) {
    return { role: principal.role, organizationId: principal.organizationId, reportTimeZone: this.config.reportTimeZone };
  }
}
