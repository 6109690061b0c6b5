import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Derived vehicle figures: live state and daily rollups. Everything here can be rebuilt from
 * the raw tables; `derived_at` and the watermark say what was derived from how much raw data.
 */
export class FleetDerived1764500000000 implements MigrationInterface {
  name = 'FleetDerived1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE vehicle_state (
        vehicle_id uuid PRIMARY KEY REFERENCES vehicles (id) ON DELETE CASCADE,
        last_sample_at timestamptz NOT NULL,
        last_received_at timestamptz NOT NULL,
        lat double precision,
        lon double precision,
        position_at timestamptz,
        speed_kmh double precision,
        soc_pct double precision,
        odometer_km double precision,
        fuel_level_pct double precision,
        ignition boolean,
        charging boolean,
        connection text CHECK (connection IN ('online', 'offline')),
        connection_at timestamptz,
        status text NOT NULL CHECK (status IN ('online', 'offline')),
        status_since timestamptz NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE vehicle_daily (
        vehicle_id uuid NOT NULL REFERENCES vehicles (id) ON DELETE CASCADE,
        day date NOT NULL,
        distance_km double precision,
        driving_seconds double precision NOT NULL,
        fuel_used_l double precision,
        gas_used_kg double precision,
        energy_charged_kwh double precision,
        energy_consumed_kwh double precision,
        sample_count integer NOT NULL,
        reset_count integer NOT NULL,
        implausible_count integer NOT NULL,
        long_gap_count integer NOT NULL,
        derived_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (vehicle_id, day)
      )`);
    await queryRunner.query(`CREATE INDEX vehicle_daily_day_idx ON vehicle_daily (day)`);
    await queryRunner.query(`
      CREATE TABLE trips (
        vehicle_id uuid NOT NULL REFERENCES vehicles (id) ON DELETE CASCADE,
        started_at timestamptz NOT NULL,
        ended_at timestamptz NOT NULL,
        start_lat double precision,
        start_lon double precision,
        end_lat double precision,
        end_lon double precision,
        distance_km double precision,
        fuel_used_l double precision,
        gas_used_kg double precision,
        energy_consumed_kwh double precision,
        sample_count integer NOT NULL,
        by_ignition boolean NOT NULL,
        derived_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (vehicle_id, started_at),
        CHECK (ended_at >= started_at)
      )`);
    // How far the reconciler has looked at stored raw data (by received_at), per stream it watches.
    await queryRunner.query(`
      CREATE TABLE reconciler_watermarks (
        name text PRIMARY KEY,
        stored_through timestamptz NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE reconciler_watermarks`);
    await queryRunner.query(`DROP TABLE trips`);
    await queryRunner.query(`DROP TABLE vehicle_daily`);
    await queryRunner.query(`DROP TABLE vehicle_state`);
  }
}
