import { Inject, Injectable } from '@nestjs/common';
import { Observable } from 'rxjs';
import { AppConfig } from '../platform/config/app-config';
import { APP_CONFIG } from '../platform/config/config.module';
import { Principal } from '../platform/access/role';
import { TransactionRunner } from '../platform/database/transaction-runner';
import { Vehicle } from '../registry/vehicles/vehicle.entity';
import { VehiclesService } from '../registry/vehicles/vehicles.service';
import { VehicleDailyRepository } from './daily/vehicle-daily.repository';
import { TripRepository } from './trips/trip.repository';
import { StatusEvents } from './state/status-events';
import { StatusChange, VehicleStateRow, VehicleStateRepository, VehicleStatus } from './state/vehicle-state.repository';
import { ListFleetVehiclesQuery } from './api/fleet-vehicles.dto';

const SEES_POSITIONS = new Set(['admin', 'fleet_manager']);

@Injectable()
export class FleetService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly vehicles: VehiclesService,
    private readonly state: VehicleStateRepository,
    private readonly days: VehicleDailyRepository,
    private readonly trips: TripRepository,
    private readonly transactions: TransactionRunner,
    private readonly events: StatusEvents,
  ) {}

  async listVehicles(query: ListFleetVehiclesQuery, principal: Principal) {
    const { limit, offset, status, ...filter } = query;
    const vehicles = await this.vehicles.listAll(filter);
    const states = await this.state.find(vehicles.map((vehicle) => vehicle.id));
    const today = this.today();
    const rows = vehicles
      .map((vehicle) => withState(vehicle, states.get(vehicle.id), principal, today))
      .filter((row) => !status || row.status === status);
    return { items: rows.slice(offset, offset + limit), total: rows.length, limit, offset };
  }

  async vehicle(id: string, principal: Principal) {
    const vehicle = await this.vehicles.findOne(id);
    const states = await this.state.find([id]);
    return withState(vehicle, states.get(id), principal, this.today());
  }

  async daily(id: string, from: string, to: string) {
    await this.vehicles.findOne(id);
    const days = await this.transactions.run((manager) => this.days.list(manager, id, from, to));
    return { vehicleId: id, timeZone: this.config.reportTimeZone, from, to, days };
  }

  /** Trips starting in [from, to); positions only for roles that may see them. */
  async tripsOf(id: string, from: Date, to: Date, principal: Principal) {
    await this.vehicles.findOne(id);
    const trips = await this.transactions.run((manager) => this.trips.list(manager, id, from, to));
    const items = SEES_POSITIONS.has(principal.role) ? trips : trips.map(({ start: _start, end: _end, ...trip }) => trip);
    return { vehicleId: id, from, to, items };
  }

  async summary() {
    const vehicles = await this.vehicles.listAll({});
    const states = await this.state.find(vehicles.map((vehicle) => vehicle.id));
    const today = this.today();
    const count = (key: (vehicle: Vehicle) => string) =>
      vehicles.reduce<Record<string, number>>((counts, vehicle) => ({ ...counts, [key(vehicle)]: (counts[key(vehicle)] ?? 0) + 1 }), {});
    return {
      total: vehicles.length,
      byStatus: count((vehicle) => statusOf(vehicle, states.get(vehicle.id), today)),
      byClass: count((vehicle) => vehicle.vehicleClass),
      byCarrier: count((vehicle) => vehicle.energyCarrier),
    };
  }

  statusChanges(): Observable<StatusChange> {
    return this.events.stream();
  }

  /** The local date of the service dates (`inServiceTo` is a vehicle's last day in service). */
  private today(): string {
    return new Intl.DateTimeFormat('en-CA', { timeZone: this.config.reportTimeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  }
}

/**
 * A vehicle past its last day in service is `retired`, with or without a live state: the state
 * table catches up within a sweep, the registry's date decides at once.
 */
function statusOf(vehicle: Vehicle, state: VehicleStateRow | undefined, today: string): VehicleStatus | 'unknown' {
  if (vehicle.inServiceTo && vehicle.inServiceTo < today) return 'retired';
  // Back in service (an edited date) before the sweep has judged it again.
  return state?.status === 'retired' ? 'unknown' : (state?.status ?? 'unknown');
}

function withState(vehicle: Vehicle, state: VehicleStateRow | undefined, principal: Principal, today: string) {
  const status = statusOf(vehicle, state, today);
  if (!state) return { ...vehicle, status, state: null };
  const { vehicleId: _id, lat, lon, positionAt, ...rest } = state;
  const position = SEES_POSITIONS.has(principal.role) && lat !== null ? { lat, lon, at: positionAt } : undefined;
  return { ...vehicle, status, state: { ...rest, status, ...(position ? { position } : {}) } };
}
