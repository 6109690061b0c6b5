import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

export interface YearLock {
  year: number;
  revision: number;
  factorSetVersion: number;
  lockedAt: string;
  lockedBy: string | null;
  reason: string | null;
  supersededAt: string | null;
  published: Record<string, unknown>;
}

const COLUMNS = `year, revision, factor_set_version AS "factorSetVersion", locked_at AS "lockedAt", locked_by AS "lockedBy", reason,
  superseded_at AS "supersededAt", published`;

@Injectable()
export class YearLockRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  list(): Promise<YearLock[]> {
    return this.dataSource.query(`SELECT ${COLUMNS} FROM emission_year_locks ORDER BY year, revision`);
  }

  /** The current (not superseded) revision of each locked year among `years`. */
  current(years: number[], manager?: EntityManager): Promise<YearLock[]> {
    return (manager ?? this.dataSource).query(`SELECT ${COLUMNS} FROM emission_year_locks WHERE year = ANY($1::int[]) AND superseded_at IS NULL`, [years]);
  }

  /** Serialises lock changes of one year. */
  async lockYearRow(manager: EntityManager, year: number): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('emission_year_lock'), $1)`, [year]);
  }

  async nextRevision(manager: EntityManager, year: number): Promise<number> {
    const [row] = await manager.query(`SELECT coalesce(max(revision), 0) + 1 AS revision FROM emission_year_locks WHERE year = $1`, [year]);
    return Number(row.revision);
  }

  async supersede(manager: EntityManager, year: number): Promise<void> {
    await manager.query(`UPDATE emission_year_locks SET superseded_at = now() WHERE year = $1 AND superseded_at IS NULL`, [year]);
  }

  /**
   * Creates the revision and copies the year's inputs into it: the vehicles in service at some time
   * in the year, their daily rollups of the year and the fuel imported for the year (local days).
   */
  async create(manager: EntityManager, lock: { year: number; revision: number; factorSetVersion: number; lockedBy: string | null; reason: string | null }, timeZone: string): Promise<void> {
    const { year, revision } = lock;
    await manager.query(`INSERT INTO emission_year_locks (year, revision, factor_set_version, locked_by, reason, published) VALUES ($1, $2, $3, $4, $5, '{}'::jsonb)`, [
      year,
      revision,
      lock.factorSetVersion,
      lock.lockedBy,
      lock.reason,
    ]);
    const from = `${year}-01-01`;
    const to = `${year + 1}-01-01`;
    await manager.query(
      `INSERT INTO emission_locked_vehicles (year, revision, id, registration, vehicle_class, energy_carrier, department_id, in_service_from, in_service_to,
                                             nominal_consumption_per_km, charging_efficiency, reference_carrier, reference_consumption_per_km)
       SELECT $1, $2, id, registration, vehicle_class, energy_carrier, department_id, in_service_from, in_service_to,
              nominal_consumption_per_km, charging_efficiency, reference_carrier, reference_consumption_per_km
         FROM vehicles WHERE in_service_from < $4::date AND (in_service_to IS NULL OR in_service_to >= $3::date)`,
      [year, revision, from, to],
    );
    await manager.query(
      `INSERT INTO emission_locked_daily (year, revision, vehicle_id, day, distance_km, fuel_used_l, gas_used_kg, energy_charged_kwh, energy_consumed_kwh,
                                          covered_seconds, gap_distance_km, gap_fuel_used_l, gap_gas_used_kg, gap_energy_charged_kwh)
       SELECT $1, $2, d.vehicle_id, d.day, d.distance_km, d.fuel_used_l, d.gas_used_kg, d.energy_charged_kwh, d.energy_consumed_kwh,
              d.covered_seconds, d.gap_distance_km, d.gap_fuel_used_l, d.gap_gas_used_kg, d.gap_energy_charged_kwh
         FROM vehicle_daily d JOIN emission_locked_vehicles v ON v.year = $1 AND v.revision = $2 AND v.id = d.vehicle_id
        WHERE d.day >= $3::date AND d.day < $4::date`,
      [year, revision, from, to],
    );
    await manager.query(
      `INSERT INTO emission_locked_fuel (year, revision, transaction_id, vehicle_id, occurred_at, carrier, quantity)
       SELECT $1, $2, f.transaction_id, f.vehicle_id, f.occurred_at, f.carrier, f.quantity
         FROM fuel_transactions f JOIN emission_locked_vehicles v ON v.year = $1 AND v.revision = $2 AND v.id = f.vehicle_id
        WHERE f.occurred_at >= ($3::date::timestamp AT TIME ZONE $5) AND f.occurred_at < ($4::date::timestamp AT TIME ZONE $5)`,
      [year, revision, from, to, timeZone],
    );
  }

  async setPublished(manager: EntityManager, year: number, revision: number, published: object): Promise<void> {
    await manager.query(`UPDATE emission_year_locks SET published = $3 WHERE year = $1 AND revision = $2`, [year, revision, JSON.stringify(published)]);
  }
}
