import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { API_ROLES, Principal } from '../platform/access/role';
import { CurrentPrincipal, Roles } from '../platform/access/roles.decorator';

/** Who the caller is: the dashboard signs in with a key and picks its views from the key's role. */
@ApiTags('api keys')
@ApiBearerAuth()
@Controller('api/v1/me')
export class MeController {
  @Get()
  @Roles(...API_ROLES)
  me(@CurrentPrincipal() principal: Principal) {
    return { role: principal.role, organizationId: principal.organizationId };
  }
}
