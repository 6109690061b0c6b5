import { Get, Inject, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { AppConfig } from '../../platform/config/app-config';
import { APP_CONFIG } from '../../platform/config/config.module';
import { Roles } from '../../platform/access/roles.decorator';
import { VehiclesService } from '../../registry/vehicles/vehicles.service';
import { TripsQuery } from '../api/fleet-vehicles.dto';
import { PositionRepository } from './position.repository';
import { ApiController } from '../../platform/http/api-controller';

/** A day of one-second samples is 86,400 points; more than a few days' worth is cut, and said so. */
const TRACK_LIMIT = 100_000;

/**
 * The dashboard map: its tile source, and a vehicle's stored positions for its track. Positions
 * are personal data when a vehicle is assigned to a person: only fleet managers and admins get
 * them, and never older than POSITION_RETENTION_DAYS (the nightly erasure may not have run yet).
 */
@ApiController('fleet')
export class MapController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly vehicles: VehiclesService,
    private readonly positions: PositionRepository,
  ) {}

  /** The tile source (null: none configured, draw on a plain background) and the position retention. */
  @Get('fleet/map')
  @Roles('admin', 'fleet_manager')
  map() {
    const { tileUrl, attribution, maxZoom } = this.config.map;
    return { tiles: tileUrl ? { url: tileUrl, attribution, maxZoom } : null, positionRetentionDays: this.config.worker.positionRetentionDays };
  }

  /** Stored positions in [from, to) (RFC 3339), oldest first. */
  @Get('vehicles/:id/positions')
  @Roles('admin', 'fleet_manager')
  async track(@Param('id', ParseUUIDPipe) id: string, @Query() query: TripsQuery) {
    await this.vehicles.findOne(id);
    const items = await this.positions.track(id, new Date(query.from), new Date(query.to), this.horizon(), TRACK_LIMIT + 1);
    return { vehicleId: id, from: query.from, to: query.to, truncated: items.length > TRACK_LIMIT, items: items.slice(0, TRACK_LIMIT) };
  }

  horizon(): Date {
    return new Date(Date.now() - this.config.worker.positionRetentionDays * 86_400_000);
  }
}
