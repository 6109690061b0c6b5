import { Controller, Get, MessageEvent, Param, ParseUUIDPipe, Query, Sse } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Observable, map } from 'rxjs';
import { Principal } from '../../platform/access/role';
import { CurrentPrincipal, Roles } from '../../platform/access/roles.decorator';
import { reportFile } from '../../reports/export/report-file';
import { FleetService, dailyTable } from '../fleet.service';
import { DailyQuery, ListFleetVehiclesQuery, TripsQuery } from './fleet-vehicles.dto';

@ApiTags('fleet')
@ApiBearerAuth()
@Controller('api/v1')
export class FleetVehiclesController {
  constructor(private readonly fleet: FleetService) {}

  /** Vehicles with their live state. Positions are personal data: only fleet managers and admins see them. */
  @Get('vehicles')
  @Roles('admin', 'fleet_manager', 'climate_office')
  list(@Query() query: ListFleetVehiclesQuery, @CurrentPrincipal() principal: Principal) {
    return this.fleet.listVehicles(query, principal);
  }

  @Get('vehicles/:id')
  @Roles('admin', 'fleet_manager', 'climate_office')
  get(@Param('id', ParseUUIDPipe) id: string, @CurrentPrincipal() principal: Principal) {
    return this.fleet.vehicle(id, principal);
  }

  /** Daily figures: distance, driving time, counter deltas per carrier, sample count, coverage and flags. */
  @Get('vehicles/:id/daily')
  @Roles('admin', 'fleet_manager')
  async daily(@Param('id', ParseUUIDPipe) id: string, @Query() query: DailyQuery) {
    const report = await this.fleet.daily(id, query.from, query.to);
    return query.format && query.format !== 'json' ? reportFile(dailyTable(report), query.format) : report;
  }

  /** Trips with start and end, distance, duration and energy per carrier. */
  @Get('vehicles/:id/trips')
  @Roles('admin', 'fleet_manager')
  trips(@Param('id', ParseUUIDPipe) id: string, @Query() query: TripsQuery, @CurrentPrincipal() principal: Principal) {
    return this.fleet.tripsOf(id, new Date(query.from), new Date(query.to), principal);
  }

  /** Vehicles counted by status, class and carrier. */
  @Get('fleet/summary')
  @Roles('admin', 'fleet_manager')
  summary() {
    return this.fleet.summary();
  }

  /** Server-sent events: one `status` event per vehicle status change. */
  @Sse('fleet/stream')
  @Roles('admin', 'fleet_manager')
  stream(): Observable<MessageEvent> {
    return this.fleet.statusChanges().pipe(map((change) => ({ type: 'status', data: change })));
  }
}
