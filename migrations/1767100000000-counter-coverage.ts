import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Coverage and long gaps (reports-v1 amendment 1.1). Per vehicle-day: the seconds lying within
 * odometer intervals no longer than MAX_COUNTER_GAP (`covered_seconds`), and the part of each
 * counter's share that came from longer intervals (`gap_*`, reported as modelled). The long
 * intervals themselves are kept in vehicle_counter_gaps for the reports' flags. All derived by the
 * vehicle derivation from the raw samples; rollups derived before this migration carry 0 until a
 * vehicle is re-derived (rebuild-vehicle), which shows as coverage 0, never as a measured figure.
 */
export class CounterCoverage1767100000000 implements MigrationInterface {
  name = 'CounterCoverage1767100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const dailyColumns = `
      ADD COLUMN covered_seconds double precision NOT NULL DEFAULT 0,
      ADD COLUMN gap_distance_km double precision NOT NULL DEFAULT 0,
      ADD COLUMN gap_fuel_used_l double precision NOT NULL DEFAULT 0,
      ADD COLUMN gap_gas_used_kg double precision NOT NULL DEFAULT 0,
      ADD COLUMN gap_energy_charged_kwh double precision NOT NULL DEFAULT 0`;
    await queryRunner.query(`ALTER TABLE vehicle_daily ${dailyColumns}`);
    await queryRunner.query(`ALTER TABLE emission_locked_daily ${dailyColumns}`);
    await queryRunner.query(`
      ALTER TABLE emission_vehicle_months
        ADD COLUMN covered_seconds double precision NOT NULL DEFAULT 0,
        ADD COLUMN gap_distance_km double precision NOT NULL DEFAULT 0,
        ADD COLUMN gap_fuel_l double precision NOT NULL DEFAULT 0,
        ADD COLUMN gap_gas_kg double precision NOT NULL DEFAULT 0,
        ADD COLUMN gap_charged_kwh double precision NOT NULL DEFAULT 0`);
    await queryRunner.query(`
      CREATE TABLE vehicle_counter_gaps (
        vehicle_id uuid NOT NULL REFERENCES vehicles (id) ON DELETE CASCADE,
        counter text NOT NULL,
        started_at timestamptz NOT NULL,
        ended_at timestamptz NOT NULL,
        counted double precision NOT NULL,
        kind text NOT NULL,
        derived_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (vehicle_id, counter, started_at),
        CHECK (ended_at > started_at)
      )`);
    await queryRunner.query(`CREATE INDEX vehicle_counter_gaps_period_idx ON vehicle_counter_gaps (started_at, ended_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE vehicle_counter_gaps`);
    await queryRunner.query(`
      ALTER TABLE emission_vehicle_months
        DROP COLUMN covered_seconds, DROP COLUMN gap_distance_km, DROP COLUMN gap_fuel_l, DROP COLUMN gap_gas_kg, DROP COLUMN gap_charged_kwh`);
    for (const table of ['emission_locked_daily', 'vehicle_daily']) {
      await queryRunner.query(`
        ALTER TABLE ${table}
          DROP COLUMN covered_seconds, DROP COLUMN gap_distance_km, DROP COLUMN gap_fuel_used_l, DROP COLUMN gap_gas_used_kg, DROP COLUMN gap_energy_charged_kwh`);
    }
  }
}
