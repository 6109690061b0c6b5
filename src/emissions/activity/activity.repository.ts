import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Carrier } from '../domain/carriers';
import { MonthActivity, VehicleProfile } from '../domain/energy';
import { VehicleClass } from '../domain/factor-set';

/** Where activity is read from: the live rollups, or the frozen inputs of a locked year's revision. */
export type ActivitySource = { kind: 'live' } | { kind: 'locked'; year: number; revision: number };

export interface ServiceProfile extends VehicleProfile {
  inServiceFrom: string;
  inServiceTo: string | null;
}

export interface VehicleMonth {
  vehicleId: string;
  activity: MonthActivity;
}

/** The three inputs as table expressions; $9/$10 are the locked year and revision (unused when live). */
function tables(source: ActivitySource) {
  if (source.kind === 'live') return { vehicles: 'vehicles', daily: 'vehicle_daily', fuel: 'fuel_transactions' };
  return {
    vehicles: '(SELECT * FROM emission_locked_vehicles WHERE year = $5 AND revision = $6)',
    daily: '(SELECT * FROM emission_locked_daily WHERE year = $5 AND revision = $6)',
    fuel: '(SELECT * FROM emission_locked_fuel WHERE year = $5 AND revision = $6)',
  };
}

const PROFILE_COLUMNS = `v.id AS "vehicleId", v.registration, v.vehicle_class AS "vehicleClass", v.energy_carrier AS "energyCarrier",
  v.department_id AS "departmentId", v.nominal_consumption_per_km::float8 AS "nominalConsumptionPerKm",
  v.charging_efficiency::float8 AS "chargingEfficiency", v.reference_carrier AS "referenceCarrier",
  v.reference_consumption_per_km::float8 AS "referenceConsumptionPerKm",
  to_char(v.in_service_from, 'YYYY-MM-DD') AS "inServiceFrom", to_char(v.in_service_to, 'YYYY-MM-DD') AS "inServiceTo"`;

/**
 * Vehicle activity for the emission figures, summed from the daily rollups (never raw samples) per
 * vehicle and calendar month, set-based. Only days a vehicle was in service count (in_service_to is
 * its last day): vehicles enter and leave groups with their service dates (reports-v1).
 * $1 from (inclusive date), $2 to (exclusive date), $3 vehicle class or null, $4 report time zone.
 */
@Injectable()
export class ActivityRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private params(source: ActivitySource, from: string, to: string, vehicleClass: VehicleClass | null, timeZone: string) {
    return source.kind === 'live' ? [from, to, vehicleClass, timeZone] : [from, to, vehicleClass, timeZone, source.year, source.revision];
  }

  /** Vehicles in service at some time in [from, to). */
  profiles(source: ActivitySource, from: string, to: string, vehicleClass: VehicleClass | null, timeZone: string, manager?: EntityManager): Promise<ServiceProfile[]> {
    const t = tables(source);
    return (manager ?? this.dataSource).query(
      `SELECT ${PROFILE_COLUMNS} FROM ${t.vehicles} v
        WHERE ($3::text IS NULL OR v.vehicle_class = $3) AND v.in_service_from < $2::date AND (v.in_service_to IS NULL OR v.in_service_to >= $1::date)
          AND $4::text IS NOT NULL`,
      this.params(source, from, to, vehicleClass, timeZone),
    );
  }

  async months(source: ActivitySource, from: string, to: string, vehicleClass: VehicleClass | null, timeZone: string, manager?: EntityManager): Promise<VehicleMonth[]> {
    const t = tables(source);
    const params = this.params(source, from, to, vehicleClass, timeZone);
    const runner = manager ?? this.dataSource;
    const [daily, fuel] = await Promise.all([
      runner.query(
        `SELECT d.vehicle_id AS "vehicleId", to_char(d.day, 'YYYY-MM') AS month,
                coalesce(sum(d.distance_km), 0) AS "distanceKm",
                coalesce(sum(d.fuel_used_l), 0) AS "fuelL",
                count(d.fuel_used_l)::int AS "fuelDays",
                coalesce(sum(d.distance_km) FILTER (WHERE d.fuel_used_l IS NULL), 0) AS "distanceWithoutFuelKm",
                coalesce(sum(d.gas_used_kg), 0) AS "gasKg",
                count(d.gas_used_kg)::int AS "gasDays",
                coalesce(sum(d.distance_km) FILTER (WHERE d.gas_used_kg IS NULL), 0) AS "distanceWithoutGasKm",
                coalesce(sum(d.energy_charged_kwh), 0) AS "chargedKwh",
                count(d.energy_charged_kwh)::int AS "chargedDays",
                coalesce(sum(d.energy_consumed_kwh) FILTER (WHERE d.energy_charged_kwh IS NULL), 0) AS "consumedWithoutChargedKwh",
                coalesce(sum(d.distance_km) FILTER (WHERE d.energy_charged_kwh IS NULL AND d.energy_consumed_kwh IS NULL), 0) AS "distanceWithoutElectricKm"
           FROM ${t.daily} d
           JOIN ${t.vehicles} v ON v.id = d.vehicle_id
          WHERE d.day >= $1::date AND d.day < $2::date AND ($3::text IS NULL OR v.vehicle_class = $3) AND $4::text IS NOT NULL
            AND d.day >= v.in_service_from AND (v.in_service_to IS NULL OR d.day <= v.in_service_to)
          GROUP BY 1, 2`,
        params,
      ),
      runner.query(
        `SELECT f.vehicle_id AS "vehicleId", to_char(f.local_day, 'YYYY-MM') AS month, f.carrier, sum(f.quantity) AS quantity
           FROM (SELECT vehicle_id, carrier, quantity, (occurred_at AT TIME ZONE $4)::date AS local_day FROM ${t.fuel} AS src
                  WHERE occurred_at >= ($1::date::timestamp AT TIME ZONE $4) AND occurred_at < ($2::date::timestamp AT TIME ZONE $4)) f
           JOIN ${t.vehicles} v ON v.id = f.vehicle_id
          WHERE ($3::text IS NULL OR v.vehicle_class = $3)
            AND f.local_day >= v.in_service_from AND (v.in_service_to IS NULL OR f.local_day <= v.in_service_to)
          GROUP BY 1, 2, 3`,
        params,
      ),
    ]);
    const byKey = new Map<string, VehicleMonth>();
    for (const row of daily as Array<Record<string, string | number>>) {
      const { vehicleId, month, ...sums } = row;
      const activity = { month: String(month), transactions: {} } as MonthActivity;
      for (const [key, value] of Object.entries(sums)) (activity as unknown as Record<string, number>)[key] = Number(value);
      byKey.set(`${vehicleId}|${month}`, { vehicleId: String(vehicleId), activity });
    }
    for (const row of fuel as Array<{ vehicleId: string; month: string; carrier: Carrier; quantity: number }>) {
      const key = `${row.vehicleId}|${row.month}`;
      let entry = byKey.get(key);
      if (!entry) {
        entry = { vehicleId: row.vehicleId, activity: emptyActivity(row.month) };
        byKey.set(key, entry);
      }
      entry.activity.transactions[row.carrier] = Number(row.quantity);
    }
    return [...byKey.values()];
  }
}

export function emptyActivity(month: string): MonthActivity {
  return {
    month,
    distanceKm: 0,
    fuelL: 0,
    fuelDays: 0,
    distanceWithoutFuelKm: 0,
    gasKg: 0,
    gasDays: 0,
    distanceWithoutGasKm: 0,
    chargedKwh: 0,
    chargedDays: 0,
    consumedWithoutChargedKwh: 0,
    distanceWithoutElectricKm: 0,
    transactions: {},
  };
}

