import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ClassConsumption, FactorRecord, FactorSet } from '../domain/factor-set';

export interface FactorSetSummary {
  version: number;
  name: string;
  description: string | null;
  publishedAt: string;
  publishedBy: string | null;
  factorCount: number;
  consumptionCount: number;
}

export interface NewFactorSet {
  name: string;
  description: string | null;
  factors: FactorRecord[];
  consumption: ClassConsumption[];
}

@Injectable()
export class FactorSetRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  list(): Promise<FactorSetSummary[]> {
    return this.dataSource.query(
      `SELECT s.version, s.name, s.description, s.published_at AS "publishedAt", s.published_by AS "publishedBy",
              (SELECT count(*)::int FROM emission_factors f WHERE f.factor_set_version = s.version) AS "factorCount",
              (SELECT count(*)::int FROM emission_class_consumption c WHERE c.factor_set_version = s.version) AS "consumptionCount"
         FROM emission_factor_sets s ORDER BY s.version`,
    );
  }

  async latestVersion(): Promise<number | null> {
    const [row] = await this.dataSource.query(`SELECT max(version) AS version FROM emission_factor_sets`);
    return row.version ?? null;
  }

  async find(version: number): Promise<FactorSet | null> {
    const [set] = await this.dataSource.query(`SELECT version, name, published_at AS "publishedAt" FROM emission_factor_sets WHERE version = $1`, [version]);
    if (!set) return null;
    const factors: FactorRecord[] = await this.dataSource.query(
      `SELECT carrier, year, ttw_kg_per_unit AS "ttwKgPerUnit", wtt_kg_per_unit AS "wttKgPerUnit", biogenic_kg_per_unit AS "biogenicKgPerUnit",
              grid_method AS "gridMethod", energy_kwh_per_unit AS "energyKwhPerUnit", source, note
         FROM emission_factors WHERE factor_set_version = $1 ORDER BY carrier, grid_method NULLS FIRST, year`,
      [version],
    );
    const consumption: ClassConsumption[] = await this.dataSource.query(
      `SELECT vehicle_class AS "vehicleClass", carrier, per_km AS "perKm", reference, source, note
         FROM emission_class_consumption WHERE factor_set_version = $1 ORDER BY vehicle_class, reference DESC, carrier`,
      [version],
    );
    return { version: set.version, name: set.name, publishedAt: new Date(set.publishedAt).toISOString(), factors, consumption };
  }

  /** Inserts a set under the next version number; versions are handed out one publisher at a time. */
  async insert(manager: EntityManager, set: NewFactorSet, publishedBy: string | null): Promise<number> {
    await manager.query(`LOCK TABLE emission_factor_sets IN SHARE ROW EXCLUSIVE MODE`);
    const [{ version }] = await manager.query(
      `INSERT INTO emission_factor_sets (version, name, description, published_by)
       SELECT coalesce(max(version), 0) + 1, $1, $2, $3 FROM emission_factor_sets RETURNING version`,
      [set.name, set.description, publishedBy],
    );
    const f = set.factors;
    await manager.query(
      `INSERT INTO emission_factors (factor_set_version, carrier, year, grid_method, ttw_kg_per_unit, wtt_kg_per_unit, biogenic_kg_per_unit, energy_kwh_per_unit, source, note)
       SELECT $1, * FROM unnest($2::text[], $3::int[], $4::text[], $5::float8[], $6::float8[], $7::float8[], $8::float8[], $9::text[], $10::text[])`,
      [
        version,
        f.map((r) => r.carrier),
        f.map((r) => r.year),
        f.map((r) => r.gridMethod),
        f.map((r) => r.ttwKgPerUnit),
        f.map((r) => r.wttKgPerUnit),
        f.map((r) => r.biogenicKgPerUnit),
        f.map((r) => r.energyKwhPerUnit),
        f.map((r) => r.source),
        f.map((r) => r.note),
      ],
    );
    const c = set.consumption;
    await manager.query(
      `INSERT INTO emission_class_consumption (factor_set_version, vehicle_class, carrier, per_km, reference, source, note)
       SELECT $1, * FROM unnest($2::text[], $3::text[], $4::float8[], $5::bool[], $6::text[], $7::text[])`,
      [version, c.map((r) => r.vehicleClass), c.map((r) => r.carrier), c.map((r) => r.perKm), c.map((r) => r.reference), c.map((r) => r.source), c.map((r) => r.note)],
    );
    return version;
  }
}
