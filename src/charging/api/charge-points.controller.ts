import { Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { Principal } from '../../platform/access/role';
import { CurrentPrincipal, Roles } from '../../platform/access/roles.decorator';
import { ListChargePointsQuery } from '../../registry/charge-points/charge-point.dto';
import { SessionsQuery } from './charge-points.dto';
import { ChargePointsReadService } from './charge-points.service';
import { ApiController } from '../../platform/http/api-controller';

/**
 * Reading charge points, with their live connector states, and their sessions. Writes stay with
 * the registry (POST/PATCH/DELETE /api/v1/chargepoints). Fleet managers run the municipal fleet,
 * not the cooperatives' charge points: they are not among the roles here.
 */
@ApiController('charging', 'chargepoints')
export class ChargePointsReadController {
  constructor(private readonly chargePoints: ChargePointsReadService) {}

  @Get()
  @Roles('admin', 'climate_office', 'cooperative')
  list(@Query() query: ListChargePointsQuery, @CurrentPrincipal() principal: Principal) {
    return this.chargePoints.list(query, principal);
  }

  @Get(':id')
  @Roles('admin', 'climate_office', 'cooperative')
  get(@Param('id', ParseUUIDPipe) id: string, @CurrentPrincipal() principal: Principal) {
    return this.chargePoints.get(id, principal);
  }

  /** Sessions starting in [from, to): source (transaction, status, import), energy, duration and flags. */
  @Get(':id/sessions')
  @Roles('admin', 'climate_office', 'cooperative')
  sessions(@Param('id', ParseUUIDPipe) id: string, @Query() query: SessionsQuery, @CurrentPrincipal() principal: Principal) {
    return this.chargePoints.sessions(id, new Date(query.from), new Date(query.to), principal);
  }
}
