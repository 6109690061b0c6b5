import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Derived charge-point figures (sessions, live connector state, availability intervals, daily
 * rollups) and the cooperatives' frozen report submissions. Derived tables are rebuilt from the
 * raw charge-point tables by the charging derivation jobs; imported sessions (source `import`)
 * are input, kept by the derivation, and idempotent on (charge point, connector, start).
 */
export class Charging1764700000000 implements MigrationInterface {
  name = 'Charging1764700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE charging_sessions (
        charge_point_id uuid NOT NULL REFERENCES charge_points (id) ON DELETE CASCADE,
        connector_id integer NOT NULL,
        started_at timestamptz NOT NULL,
        ended_at timestamptz NOT NULL,
        source text NOT NULL CHECK (source IN ('transaction', 'status', 'import')),
        transaction_id text,
        energy_kwh double precision,
        id_tag_hash bytea,
        open boolean NOT NULL DEFAULT false,
        no_start boolean NOT NULL DEFAULT false,
        no_stop boolean NOT NULL DEFAULT false,
        meter_reset boolean NOT NULL DEFAULT false,
        duplicate_events integer NOT NULL DEFAULT 0,
        derived_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (charge_point_id, connector_id, started_at, source),
        CHECK (ended_at >= started_at)
      )`);
    await queryRunner.query(`CREATE INDEX charging_sessions_start_idx ON charging_sessions (charge_point_id, started_at)`);
    // The reconciler closes sessions that outlived SESSION_TIMEOUT without a stop.
    await queryRunner.query(`CREATE INDEX charging_sessions_open_idx ON charging_sessions (started_at) WHERE open`);
    await queryRunner.query(`
      CREATE TABLE charge_point_connector_state (
        charge_point_id uuid NOT NULL REFERENCES charge_points (id) ON DELETE CASCADE,
        connector_id integer NOT NULL,
        status text,
        error_code text,
        status_at timestamptz,
        energy_wh double precision,
        power_w double precision,
        meter_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (charge_point_id, connector_id)
      )`);
    await queryRunner.query(`
      CREATE TABLE charge_point_state (
        charge_point_id uuid PRIMARY KEY REFERENCES charge_points (id) ON DELETE CASCADE,
        last_message_at timestamptz,
        connection text CHECK (connection IN ('online', 'offline')),
        connection_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Intervals in which the charge point was available (online, no connector Faulted/Unavailable), cut at local midnight.
    await queryRunner.query(`
      CREATE TABLE charge_point_availability (
        charge_point_id uuid NOT NULL REFERENCES charge_points (id) ON DELETE CASCADE,
        day date NOT NULL,
        started_at timestamptz NOT NULL,
        ended_at timestamptz NOT NULL,
        PRIMARY KEY (charge_point_id, day, started_at),
        CHECK (ended_at > started_at)
      )`);
    await queryRunner.query(`
      CREATE TABLE charge_point_daily (
        charge_point_id uuid NOT NULL REFERENCES charge_points (id) ON DELETE CASCADE,
        day date NOT NULL,
        available_seconds double precision NOT NULL,
        online_seconds double precision NOT NULL,
        message_count integer NOT NULL,
        first_message_at timestamptz,
        last_message_at timestamptz,
        derived_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (charge_point_id, day)
      )`);
    await queryRunner.query(`
      CREATE TABLE charge_point_connector_daily (
        charge_point_id uuid NOT NULL REFERENCES charge_points (id) ON DELETE CASCADE,
        connector_id integer NOT NULL,
        day date NOT NULL,
        sessions integer NOT NULL,
        imported_sessions integer NOT NULL,
        energy_kwh double precision NOT NULL,
        occupied_seconds double precision NOT NULL,
        charging_seconds double precision NOT NULL,
        derived_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (charge_point_id, connector_id, day)
      )`);
    await queryRunner.query(`
      CREATE TABLE charging_report_submissions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE RESTRICT,
        period_from date NOT NULL,
        period_to date NOT NULL,
        submitted_at timestamptz NOT NULL DEFAULT now(),
        submitted_by_key_id uuid NOT NULL,
        submitted_by_key_name text NOT NULL,
        report jsonb NOT NULL,
        CONSTRAINT charging_report_submissions_period_key UNIQUE (organization_id, period_from, period_to),
        CHECK (period_to > period_from)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'charging_report_submissions',
      'charge_point_connector_daily',
      'charge_point_daily',
      'charge_point_availability',
      'charge_point_state',
      'charge_point_connector_state',
      'charging_sessions',
    ]) {
      await queryRunner.query(`DROP TABLE ${table}`);
    }
  }
}
