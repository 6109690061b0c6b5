import { MigrationInterface, QueryRunner } from 'typeorm';

const SPARSE_COUNTERS = ['fuel_used_l', 'gas_used_kg', 'energy_charged_kwh', 'energy_consumed_kwh'];

/**
 * A derivation looks for each counter's nearest reading before and after the days it derives.
 * An electric car never reports fuel: without these indexes that search walks back through the
 * vehicle's whole history every time. Partial indexes make it one index probe per counter, and
 * cost an index entry only for the samples that carry the counter.
 */
export class VehicleCounterIndexes1764800000000 implements MigrationInterface {
  name = 'VehicleCounterIndexes1764800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const counter of SPARSE_COUNTERS) {
      await queryRunner.query(`CREATE INDEX vehicle_samples_${counter}_idx ON vehicle_samples (vehicle_id, ts) WHERE ${counter} IS NOT NULL`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const counter of SPARSE_COUNTERS) await queryRunner.query(`DROP INDEX vehicle_samples_${counter}_idx`);
  }
}
