import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { whereClause } from '../../platform/database/where-clause';
import { Vehicle, VehicleClass, VehicleEnergyCarrier } from '../../registry/vehicles/vehicle.entity';
import { VehicleStateRow, VehicleStatus } from './vehicle-state.repository';

/** Which vehicles: the list's filters, or one vehicle. */
export interface LiveVehicleFilter {
  id?: string;
  vehicleClass?: VehicleClass;
  energyCarrier?: VehicleEnergyCarrier;
  departmentId?: string;
  status?: VehicleStatus | 'unknown';
}

/** How the vehicles are read: the service date of today, and whether and since when positions may be shown. */
export interface LiveVehicleScope {
  /** Today in the reporting time zone (YYYY-MM-DD): a vehicle past its `inServiceTo` is retired. */
  today: string;
  /** Positions taken at or after this instant; null: none (roles that may not see positions). */
  positionsSince: Date | null;
}

export interface FleetSummary {
  total: number;
  byStatus: Record<string, number>;
  byClass: Record<string, number>;
  byCarrier: Record<string, number>;
}

/** A vehicle of the register as its entity reads, with its status and live state (null before its first message). */
export type LiveVehicle = Vehicle & { status: VehicleStatus | 'unknown'; state: LiveState | null };

export type LiveState = Omit<VehicleStateRow, 'vehicleId' | 'lat' | 'lon' | 'positionAt' | 'status'> & {
  status: VehicleStatus | 'unknown';
  /** Only for fleet managers and admins, and not older than POSITION_RETENTION_DAYS. */
  position?: { lat: number; lon: number; at: Date };
};

/**
 * A vehicle past its last day in service is `retired`, with or without a live state: the state
 * table catches up within a sweep, the registry's date decides at once. A vehicle back in service
 * (an edited date) is `unknown` until the sweep has judged it again.
 */
const STATUS = `CASE WHEN v.in_service_to < $1::date THEN 'retired' WHEN s.status IS NULL OR s.status = 'retired' THEN 'unknown' ELSE s.status END`;

/**
 * The columns of the Vehicle entity as TypeORM reads them (dates as YYYY-MM-DD, numerics as
 * numbers) and of the live state; the position only when it was taken at or after $2 (null: never).
 */
const COLUMNS = `v.id, v.registration, v.vin, v.vehicle_class AS "vehicleClass", v.energy_carrier AS "energyCarrier", v.department_id AS "departmentId",
  v.in_service_from::text AS "inServiceFrom", v.in_service_to::text AS "inServiceTo", v.nominal_consumption_per_km::float8 AS "nominalConsumptionPerKm",
  v.charging_efficiency::float8 AS "chargingEfficiency", v.reference_carrier AS "referenceCarrier", v.reference_consumption_per_km::float8 AS "referenceConsumptionPerKm",
  v.replaces_vehicle_id AS "replacesVehicleId", v.device_id AS "deviceId", v.profile, v.profile_identity AS "profileIdentity", v.profile_topic AS "profileTopic",
  v.created_at AS "createdAt", v.updated_at AS "updatedAt", ${STATUS} AS status,
  s.vehicle_id IS NOT NULL AS "hasState", s.last_sample_at AS "lastSampleAt", s.last_received_at AS "lastReceivedAt",
  s.speed_kmh AS "speedKmh", s.soc_pct AS "socPct", s.odometer_km AS "odometerKm", s.fuel_level_pct AS "fuelLevelPct", s.ignition, s.charging,
  s.connection, s.status_since AS "statusSince",
  CASE WHEN s.position_at >= $2 THEN s.lat END AS lat, CASE WHEN s.position_at >= $2 THEN s.lon END AS lon, s.position_at AS "positionAt"`;

type Row = Vehicle & Omit<VehicleStateRow, 'vehicleId' | 'status'> & { status: VehicleStatus | 'unknown'; hasState: boolean; total: number };

/**
 * The vehicles with their live state for the fleet list and the vehicle page, in one query (the
 * register joined with vehicle_state), filtered, ordered and paged by PostgreSQL: the board reads
 * a fleet of thousands on every visit and every refresh.
 */
@Injectable()
export class LiveVehiclesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** A page of the vehicles matching the filter, by registration, and how many match. */
  async list(filter: LiveVehicleFilter, scope: LiveVehicleScope, limit: number, offset: number): Promise<{ items: LiveVehicle[]; total: number }> {
    // $1 today and $2 positions since (STATUS, COLUMNS), $3 limit, $4 offset; the filter's from $5.
    const scopeAndPage = [scope.today, scope.positionsSince, limit, offset];
    const { clause, params } = whereClause(
      {
        'v.id = $?::uuid': filter.id,
        'v.vehicle_class = $?': filter.vehicleClass,
        'v.energy_carrier = $?': filter.energyCarrier,
        'v.department_id = $?::uuid': filter.departmentId,
        [`${STATUS} = $?`]: filter.status,
      },
      scopeAndPage.length,
    );
    // The count joined to the page on true: one row with the count alone when the page is empty.
    const rows = await this.dataSource.query<Row[]>(
      `WITH matching AS (SELECT ${COLUMNS} FROM vehicles v LEFT JOIN vehicle_state s ON s.vehicle_id = v.id ${clause})
       SELECT page.*, counted.total
         FROM (SELECT * FROM matching ORDER BY registration LIMIT $3 OFFSET $4) page
        RIGHT JOIN (SELECT count(*)::int AS total FROM matching) counted ON true
        ORDER BY page.registration`,
      [...scopeAndPage, ...params],
    );
    return { items: rows.filter((row) => row.id !== null).map(liveVehicle), total: rows[0].total };
  }

  /** How many vehicles there are, by status (as the list judges it, `today` being $1), class and energy carrier. */
  async summary(today: string): Promise<FleetSummary> {
    const groups = await this.dataSource.query<Array<{ status: string; vehicleClass: string; energyCarrier: string; n: number }>>(
      `SELECT ${STATUS} AS status, v.vehicle_class AS "vehicleClass", v.energy_carrier AS "energyCarrier", count(*)::int AS n
         FROM vehicles v LEFT JOIN vehicle_state s ON s.vehicle_id = v.id
        GROUP BY 1, 2, 3`,
      [today],
    );
    const summary: FleetSummary = { total: 0, byStatus: {}, byClass: {}, byCarrier: {} };
    for (const { status, vehicleClass, energyCarrier, n } of groups) {
      summary.total += n;
      summary.byStatus[status] = (summary.byStatus[status] ?? 0) + n;
      summary.byClass[vehicleClass] = (summary.byClass[vehicleClass] ?? 0) + n;
      summary.byCarrier[energyCarrier] = (summary.byCarrier[energyCarrier] ?? 0) + n;
    }
    return summary;
  }
}

function liveVehicle(row: Row): LiveVehicle {
  const {
    hasState,
    total: _total,
    status,
    lastSampleAt,
    lastReceivedAt,
    speedKmh,
    socPct,
    odometerKm,
    fuelLevelPct,
    ignition,
    charging,
    connection,
    statusSince,
    lat,
    lon,
    positionAt,
    ...vehicle
  } = row;
  if (!hasState) return { ...vehicle, status, state: null };
  const position = lat !== null && lon !== null && positionAt !== null ? { position: { lat, lon, at: positionAt } } : {};
  return { ...vehicle, status, state: { lastSampleAt, lastReceivedAt, speedKmh, socPct, odometerKm, fuelLevelPct, ignition, charging, connection, statusSince, status, ...position } };
}
