import { Body, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiConsumes } from '@nestjs/swagger';
import { Principal } from '../../platform/access/role';
import { CurrentPrincipal, Roles } from '../../platform/access/roles.decorator';
import { SessionImportService } from './session-import.service';
import { ApiController } from '../../platform/http/api-controller';

@ApiController('charging', 'imports')
export class SessionImportController {
  constructor(private readonly sessions: SessionImportService) {}

  /** Sessions from a charge-point operator's export (text/csv). Idempotent; answers per row. */
  @Post('charging-sessions')
  @HttpCode(200)
  @Roles('admin', 'cooperative')
  @ApiConsumes('text/csv')
  @ApiBody({ schema: { type: 'string', description: 'CSV with columns chargePoint (device id or id), connector, start, end, kWh, userToken' } })
  import(@Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    return this.sessions.import(body, principal);
  }
}
