import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Carrier } from '../domain/carriers';
import { MonthActivity, VehicleProfile, emptyActivity } from '../domain/energy';
import { VehicleClass } from '../domain/factor-set';
import { partialServiceMonths, wholeMonths } from './month-windows';

/** Where activity is read from: the live rollups, or the frozen inputs of a locked year's revision. */
export type ActivitySource = { kind: 'live' } | { kind: 'locked'; year: number; revision: number };

export interface ServiceProfile extends VehicleProfile {
  inServiceFrom: string;
  inServiceTo: string | null;
}

/** A counter interval over MAX_COUNTER_GAP; `counted` is what it spread over its days (0 for a reset or an implausible jump). */
export interface CounterGapRow {
  vehicleId: string;
  counter: 'odometer' | 'fuel' | 'gas' | 'charged' | 'consumed';
  from: Date;
  to: Date;
  counted: number;
  kind: string;
}

export interface VehicleMonth {
  vehicleId: string;
  activity: MonthActivity;
}

/** The three inputs as table expressions; $5/$6 are the locked year and revision (unused when live). */
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

/** Sums of daily rollups (alias d) for MonthActivity; NULL days of a counter have no data for it. */
const DAILY_SUMS = `coalesce(sum(d.distance_km), 0) AS "distanceKm",
  coalesce(sum(d.fuel_used_l), 0) AS "fuelL",
  count(d.fuel_used_l)::int AS "fuelDays",
  coalesce(sum(d.distance_km) FILTER (WHERE d.fuel_used_l IS NULL), 0) AS "distanceWithoutFuelKm",
  coalesce(sum(d.gas_used_kg), 0) AS "gasKg",
  count(d.gas_used_kg)::int AS "gasDays",
  coalesce(sum(d.distance_km) FILTER (WHERE d.gas_used_kg IS NULL), 0) AS "distanceWithoutGasKm",
  coalesce(sum(d.energy_charged_kwh), 0) AS "chargedKwh",
  count(d.energy_charged_kwh)::int AS "chargedDays",
  coalesce(sum(d.energy_consumed_kwh) FILTER (WHERE d.energy_charged_kwh IS NULL), 0) AS "consumedWithoutChargedKwh",
  coalesce(sum(d.distance_km) FILTER (WHERE d.energy_charged_kwh IS NULL AND d.energy_consumed_kwh IS NULL), 0) AS "distanceWithoutElectricKm",
  coalesce(sum(d.covered_seconds), 0) AS "coveredSeconds",
  coalesce(sum(d.gap_distance_km), 0) AS "gapDistanceKm",
  coalesce(sum(d.gap_fuel_used_l), 0) AS "gapFuelL",
  coalesce(sum(d.gap_gas_used_kg), 0) AS "gapGasKg",
  coalesce(sum(d.gap_energy_charged_kwh), 0) AS "gapChargedKwh"`;

const MONTH_COLUMNS = `m.distance_km AS "distanceKm", m.fuel_l AS "fuelL", m.fuel_days AS "fuelDays", m.distance_without_fuel_km AS "distanceWithoutFuelKm",
  m.gas_kg AS "gasKg", m.gas_days AS "gasDays", m.distance_without_gas_km AS "distanceWithoutGasKm", m.charged_kwh AS "chargedKwh",
  m.charged_days AS "chargedDays", m.consumed_without_charged_kwh AS "consumedWithoutChargedKwh", m.distance_without_electric_km AS "distanceWithoutElectricKm",
  m.covered_seconds AS "coveredSeconds", m.gap_distance_km AS "gapDistanceKm", m.gap_fuel_l AS "gapFuelL", m.gap_gas_kg AS "gapGasKg", m.gap_charged_kwh AS "gapChargedKwh"`;

/**
 * Re-sums the vehicle-months that vehicle_daily's triggers (owned here: README.md beside this file) marked as changed. One statement, so
 * the dirty marks taken and the rollups read belong to the same snapshot; a derivation committing
 * later marks its months again.
 */
const REFRESH_MONTHS_SQL = `
WITH taken AS (DELETE FROM emission_month_dirty RETURNING vehicle_id, month),
sums AS (
  SELECT t.vehicle_id, t.month, ${DAILY_SUMS}
    FROM taken t JOIN vehicle_daily d ON d.vehicle_id = t.vehicle_id AND d.day >= t.month AND d.day < (t.month + interval '1 month')
   GROUP BY 1, 2
),
emptied AS (
  DELETE FROM emission_vehicle_months m USING taken t
   WHERE m.vehicle_id = t.vehicle_id AND m.month = t.month AND NOT EXISTS (SELECT 1 FROM sums s WHERE s.vehicle_id = t.vehicle_id AND s.month = t.month)
)
INSERT INTO emission_vehicle_months (vehicle_id, month, distance_km, fuel_l, fuel_days, distance_without_fuel_km, gas_kg, gas_days, distance_without_gas_km,
                                     charged_kwh, charged_days, consumed_without_charged_kwh, distance_without_electric_km,
                                     covered_seconds, gap_distance_km, gap_fuel_l, gap_gas_kg, gap_charged_kwh)
SELECT s.vehicle_id, s.month, s."distanceKm", s."fuelL", s."fuelDays", s."distanceWithoutFuelKm", s."gasKg", s."gasDays", s."distanceWithoutGasKm",
       s."chargedKwh", s."chargedDays", s."consumedWithoutChargedKwh", s."distanceWithoutElectricKm",
       s."coveredSeconds", s."gapDistanceKm", s."gapFuelL", s."gapGasKg", s."gapChargedKwh"
  FROM sums s JOIN vehicles v ON v.id = s.vehicle_id
ON CONFLICT (vehicle_id, month) DO UPDATE SET
  distance_km = EXCLUDED.distance_km, fuel_l = EXCLUDED.fuel_l, fuel_days = EXCLUDED.fuel_days, distance_without_fuel_km = EXCLUDED.distance_without_fuel_km,
  gas_kg = EXCLUDED.gas_kg, gas_days = EXCLUDED.gas_days, distance_without_gas_km = EXCLUDED.distance_without_gas_km, charged_kwh = EXCLUDED.charged_kwh,
  charged_days = EXCLUDED.charged_days, consumed_without_charged_kwh = EXCLUDED.consumed_without_charged_kwh,
  distance_without_electric_km = EXCLUDED.distance_without_electric_km, covered_seconds = EXCLUDED.covered_seconds, gap_distance_km = EXCLUDED.gap_distance_km,
  gap_fuel_l = EXCLUDED.gap_fuel_l, gap_gas_kg = EXCLUDED.gap_gas_kg, gap_charged_kwh = EXCLUDED.gap_charged_kwh`;

type Runner = Pick<EntityManager, 'query'>;

/**
 * Vehicle activity for the emission figures, from the rollups (never raw samples), per vehicle
 * and calendar month, set-based. Only days a vehicle was in service count (in_service_to is its
 * last day): vehicles enter and leave groups with their service dates (reports-v1).
 *
 * Live: whole months of full service come from emission_vehicle_months (monthly sums of
 * vehicle_daily, re-summed where changed); the period's partial months at either end and the
 * months a vehicle enters or leaves service mid-month come from vehicle_daily itself.
 * Locked: whole months from the lock's monthly copy, partial periods from its daily copy.
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

  /**
   * Brings the monthly sums up to date with vehicle_daily. One refresh at a time: two statements
   * taking dirty marks in different orders could deadlock (reports run in parallel, the change
   * report runs two years at once); a refresh that waited finds little or nothing left to do.
   */
  async refreshMonths(manager?: EntityManager): Promise<void> {
    // Usually nothing changed since the last report: one cheap look before a transaction.
    const [{ dirty }] = await (manager ?? this.dataSource).query(`SELECT EXISTS (SELECT 1 FROM emission_month_dirty) AS dirty`);
    if (!dirty) return;
    const refresh = async (m: EntityManager) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('emission_vehicle_months'))`);
      await m.query(REFRESH_MONTHS_SQL);
    };
    await (manager ? refresh(manager) : this.dataSource.transaction(refresh));
  }

  /**
   * `profiles` (the vehicles in service in the period) is awaited only where it is needed, so its
   * query runs beside the sums. `refreshed`: the caller has just brought the monthly sums up to date.
   * `byMonth` false: whole months without fuel cards may come summed per year (`month` = YYYY).
   */
  async months(
    source: ActivitySource,
    from: string,
    to: string,
    vehicleClass: VehicleClass | null,
    timeZone: string,
    profiles: Promise<ServiceProfile[]>,
    manager?: EntityManager,
    refreshed = false,
    byMonth = true,
  ): Promise<VehicleMonth[]> {
    const runner: Runner = manager ?? this.dataSource;
    const whole = wholeMonths(from, to);
    if (source.kind === 'locked' && whole && whole.from === from && whole.to === to) return this.lockedMonths(runner, source, from, to, vehicleClass);
    const params = this.params(source, from, to, vehicleClass, timeZone);
    const queries: Array<Promise<Array<Record<string, unknown>>>> = [];
    if (source.kind === 'live' && whole) {
      const fresh = refreshed ? Promise.resolve() : this.refreshMonths(manager);
      queries.push(fresh.then(() => this.monthlySums(runner, whole, vehicleClass, timeZone, byMonth)));
      if (from < whole.from) queries.push(this.dailySums(runner, source, params, `d.day >= $1::date AND d.day < $7::date`, [whole.from]));
      if (whole.to < to) queries.push(this.dailySums(runner, source, params, `d.day >= $7::date AND d.day < $2::date`, [whole.to]));
      queries.push(
        profiles.then((vehicles) => {
          const ranges = vehicles.flatMap((p) => partialServiceMonths(p.inServiceFrom, p.inServiceTo, whole).map((range) => ({ vehicleId: p.vehicleId, ...range })));
          if (ranges.length === 0) return [];
          // Driven by the ranges through vehicle_daily's primary key (vehicle_id, day).
          const fromRanges = `unnest($7::uuid[], $8::date[], $9::date[]) AS r(vehicle_id, lo, hi) JOIN vehicle_daily d ON d.vehicle_id = r.vehicle_id AND d.day >= r.lo AND d.day < r.hi`;
          return this.dailySums(runner, source, params, 'true', [ranges.map((r) => r.vehicleId), ranges.map((r) => r.from), ranges.map((r) => r.to)], fromRanges);
        }),
      );
    } else {
      queries.push(this.dailySums(runner, source, params, 'true', []));
    }
    const [fuel, ...sums] = await Promise.all([this.fuelSums(runner, source, params), ...queries]);
    return merge(sums.flat(), fuel as Array<{ vehicleId: string; month: string; carrier: Carrier; quantity: number }>);
  }

  /** Every month of [from, to) summed from daily rollups (a lock's own monthly copy is made from these). */
  async dailyMonths(source: ActivitySource, from: string, to: string, timeZone: string, manager?: EntityManager): Promise<VehicleMonth[]> {
    const runner: Runner = manager ?? this.dataSource;
    const params = this.params(source, from, to, null, timeZone);
    const [fuel, sums] = await Promise.all([this.fuelSums(runner, source, params), this.dailySums(runner, source, params, 'true', [])]);
    return merge(sums, fuel as Array<{ vehicleId: string; month: string; carrier: Carrier; quantity: number }>);
  }

  /** Whole months of full service from the monthly sums. */
  private monthlySums(runner: Runner, whole: { from: string; to: string }, vehicleClass: VehicleClass | null, timeZone: string, byMonth: boolean) {
    if (byMonth) {
      return runner.query(
        `SELECT m.vehicle_id AS "vehicleId", to_char(m.month, 'YYYY-MM') AS month, ${MONTH_COLUMNS}
           FROM emission_vehicle_months m JOIN vehicles v ON v.id = m.vehicle_id
          WHERE m.month >= $1::date AND m.month < $2::date AND ($3::text IS NULL OR v.vehicle_class = $3)
            AND v.in_service_from <= m.month AND (v.in_service_to IS NULL OR v.in_service_to >= (m.month + interval '1 month' - interval '1 day')::date)`,
        [whole.from, whole.to, vehicleClass],
      );
    }
    // Summed per vehicle and year (see collapseToYears), except months with imported fuel, whose
    // precedence is decided month by month: those stay months.
    return runner.query(
      `WITH carded AS (
         SELECT DISTINCT vehicle_id, date_trunc('month', occurred_at AT TIME ZONE $4)::date AS month FROM fuel_transactions
          WHERE occurred_at >= ($1::date::timestamp AT TIME ZONE $4) AND occurred_at < ($2::date::timestamp AT TIME ZONE $4)
       )
       SELECT m.vehicle_id AS "vehicleId", CASE WHEN c.vehicle_id IS NULL THEN to_char(m.month, 'YYYY') ELSE to_char(m.month, 'YYYY-MM') END AS month,
              sum(m.distance_km) AS "distanceKm", sum(m.fuel_l) AS "fuelL", sum(m.fuel_days)::int AS "fuelDays", sum(m.distance_without_fuel_km) AS "distanceWithoutFuelKm",
              sum(m.gas_kg) AS "gasKg", sum(m.gas_days)::int AS "gasDays", sum(m.distance_without_gas_km) AS "distanceWithoutGasKm", sum(m.charged_kwh) AS "chargedKwh",
              sum(m.charged_days)::int AS "chargedDays", sum(m.consumed_without_charged_kwh) AS "consumedWithoutChargedKwh",
              sum(m.distance_without_electric_km) AS "distanceWithoutElectricKm", sum(m.covered_seconds) AS "coveredSeconds",
              sum(m.gap_distance_km) AS "gapDistanceKm", sum(m.gap_fuel_l) AS "gapFuelL", sum(m.gap_gas_kg) AS "gapGasKg", sum(m.gap_charged_kwh) AS "gapChargedKwh"
         FROM emission_vehicle_months m JOIN vehicles v ON v.id = m.vehicle_id
         LEFT JOIN carded c ON c.vehicle_id = m.vehicle_id AND c.month = m.month
        WHERE m.month >= $1::date AND m.month < $2::date AND ($3::text IS NULL OR v.vehicle_class = $3)
          AND v.in_service_from <= m.month AND (v.in_service_to IS NULL OR v.in_service_to >= (m.month + interval '1 month' - interval '1 day')::date)
        GROUP BY 1, 2`,
      [whole.from, whole.to, vehicleClass, timeZone],
    );
  }

  /** Daily rollups summed per vehicle and month, for the days `where` selects (in service only). */
  private dailySums(runner: Runner, source: ActivitySource, params: unknown[], where: string, extra: unknown[], fromClause?: string) {
    const t = tables(source);
    // Extra parameters are numbered after the source's ($7.. live and locked alike): pad the live list.
    const all = [...params, ...(params.length === 4 ? [null, null] : []), ...extra];
    return runner.query(
      `SELECT d.vehicle_id AS "vehicleId", to_char(d.day, 'YYYY-MM') AS month, ${DAILY_SUMS}
         FROM ${fromClause ?? `${t.daily} d`}
         JOIN ${t.vehicles} v ON v.id = d.vehicle_id
        WHERE ${where} AND d.day >= $1::date AND d.day < $2::date AND ($3::text IS NULL OR v.vehicle_class = $3) AND $4::text IS NOT NULL
          -- gives a type to the parameters the live tables leave unused
          AND (($5::int IS NULL AND $6::int IS NULL) IS NOT NULL)
          AND d.day >= v.in_service_from AND (v.in_service_to IS NULL OR d.day <= v.in_service_to)
        GROUP BY 1, 2`,
      all,
    );
  }

  private fuelSums(runner: Runner, source: ActivitySource, params: unknown[]) {
    const t = tables(source);
    return runner.query(
      `SELECT f.vehicle_id AS "vehicleId", to_char(f.local_day, 'YYYY-MM') AS month, f.carrier, sum(f.quantity) AS quantity
         FROM (SELECT vehicle_id, carrier, quantity, (occurred_at AT TIME ZONE $4)::date AS local_day FROM ${t.fuel} AS src
                WHERE occurred_at >= ($1::date::timestamp AT TIME ZONE $4) AND occurred_at < ($2::date::timestamp AT TIME ZONE $4)) f
         JOIN ${t.vehicles} v ON v.id = f.vehicle_id
        WHERE ($3::text IS NULL OR v.vehicle_class = $3)
          AND f.local_day >= v.in_service_from AND (v.in_service_to IS NULL OR f.local_day <= v.in_service_to)
        GROUP BY 1, 2, 3`,
      params,
    );
  }

  private async lockedMonths(runner: Runner, source: { year: number; revision: number }, from: string, to: string, vehicleClass: VehicleClass | null): Promise<VehicleMonth[]> {
    const rows: Array<{ vehicleId: string; activity: MonthActivity }> = await runner.query(
      `SELECT m.vehicle_id AS "vehicleId", m.activity
         FROM emission_locked_months m
         JOIN emission_locked_vehicles v ON v.year = m.year AND v.revision = m.revision AND v.id = m.vehicle_id
        WHERE m.year = $1 AND m.revision = $2 AND m.month >= $3::date AND m.month < $4::date AND ($5::text IS NULL OR v.vehicle_class = $5)`,
      [source.year, source.revision, from, to, vehicleClass],
    );
    // Revisions locked before coverage existed lack its fields: 0, i.e. nothing counts as covered.
    return rows.map(({ vehicleId, activity }) => ({ vehicleId, activity: { ...emptyActivity(activity.month), ...activity } }));
  }

  /**
   * The counter intervals longer than MAX_COUNTER_GAP that reach into [from, to) (local days) of
   * the given vehicles, for the reports' flags. Read from the live derivation also for locked years.
   */
  gaps(vehicleIds: string[], from: string, to: string, timeZone: string, manager?: EntityManager): Promise<CounterGapRow[]> {
    if (vehicleIds.length === 0) return Promise.resolve([]);
    return (manager ?? this.dataSource).query(
      `SELECT vehicle_id AS "vehicleId", counter, started_at AS "from", ended_at AS "to", counted, kind
         FROM vehicle_counter_gaps
        WHERE vehicle_id = ANY($1::uuid[]) AND started_at < ($3::date::timestamp AT TIME ZONE $4) AND ended_at > ($2::date::timestamp AT TIME ZONE $4)
        ORDER BY started_at, vehicle_id, counter <> 'odometer', counter`,
      [vehicleIds, from, to, timeZone],
    );
  }

  /** Stores a locked year's monthly activity (computed from its daily copy). */
  async storeLockedMonths(manager: EntityManager, year: number, revision: number, months: VehicleMonth[]): Promise<void> {
    if (months.length === 0) return;
    await manager.query(
      `INSERT INTO emission_locked_months (year, revision, vehicle_id, month, activity)
       SELECT $1, $2, vehicle_id, (month || '-01')::date, activity FROM unnest($3::uuid[], $4::text[], $5::jsonb[]) AS m(vehicle_id, month, activity)`,
      [year, revision, months.map((m) => m.vehicleId), months.map((m) => m.activity.month), months.map((m) => JSON.stringify(m.activity))],
    );
  }
}

function merge(sums: Array<Record<string, unknown>>, fuel: Array<{ vehicleId: string; month: string; carrier: Carrier; quantity: number }>): VehicleMonth[] {
  const byKey = new Map<string, VehicleMonth>();
  const entry = (vehicleId: string, month: string) => {
    const key = `${vehicleId}|${month}`;
    let found = byKey.get(key);
    if (!found) byKey.set(key, (found = { vehicleId, activity: emptyActivity(month) }));
    return found;
  };
  for (const row of sums) {
    const a = entry(String(row.vehicleId), String(row.month)).activity;
    a.distanceKm += Number(row.distanceKm);
    a.fuelL += Number(row.fuelL);
    a.fuelDays += Number(row.fuelDays);
    a.distanceWithoutFuelKm += Number(row.distanceWithoutFuelKm);
    a.gasKg += Number(row.gasKg);
    a.gasDays += Number(row.gasDays);
    a.distanceWithoutGasKm += Number(row.distanceWithoutGasKm);
    a.chargedKwh += Number(row.chargedKwh);
    a.chargedDays += Number(row.chargedDays);
    a.consumedWithoutChargedKwh += Number(row.consumedWithoutChargedKwh);
    a.distanceWithoutElectricKm += Number(row.distanceWithoutElectricKm);
    a.coveredSeconds += Number(row.coveredSeconds);
    a.gapDistanceKm += Number(row.gapDistanceKm);
    a.gapFuelL += Number(row.gapFuelL);
    a.gapGasKg += Number(row.gapGasKg);
    a.gapChargedKwh += Number(row.gapChargedKwh);
  }
  for (const row of fuel) entry(row.vehicleId, row.month).activity.transactions[row.carrier] = Number(row.quantity);
  return [...byKey.values()];
}
