import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ClassConsumption, FactorRecord, FactorSet } from '../domain/factor-set';
import { PublishedSetRepository } from '../published-sets';
import { columnArrays } from '../../platform/database/unnest';

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
export class FactorSetRepository extends PublishedSetRepository<FactorSet> {
  constructor(@InjectDataSource() dataSource: DataSource) {
    super(dataSource, 'emission_factor_sets');
  }

  list(): Promise<FactorSetSummary[]> {
    return this.listHeaders('factor_set_version', { factorCount: 'emission_factors', consumptionCount: 'emission_class_consumption' });
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

  /** Inserts a set under the next version number. */
  async insert(manager: EntityManager, set: NewFactorSet, publishedBy: string | null): Promise<number> {
    const version = await this.insertHeader(manager, set, publishedBy);
    await manager.query(
      `INSERT INTO emission_factors (factor_set_version, carrier, year, grid_method, ttw_kg_per_unit, wtt_kg_per_unit, biogenic_kg_per_unit, energy_kwh_per_unit, source, note)
       SELECT $1, * FROM unnest($2::text[], $3::int[], $4::text[], $5::float8[], $6::float8[], $7::float8[], $8::float8[], $9::text[], $10::text[])`,
      [version, ...columnArrays(set.factors, ['carrier', 'year', 'gridMethod', 'ttwKgPerUnit', 'wttKgPerUnit', 'biogenicKgPerUnit', 'energyKwhPerUnit', 'source', 'note'])],
    );
    await manager.query(
      `INSERT INTO emission_class_consumption (factor_set_version, vehicle_class, carrier, per_km, reference, source, note)
       SELECT $1, * FROM unnest($2::text[], $3::text[], $4::float8[], $5::bool[], $6::text[], $7::text[])`,
      [version, ...columnArrays(set.consumption, ['vehicleClass', 'carrier', 'perKm', 'reference', 'source', 'note'])],
    );
    return version;
  }
}
