import { MigrationInterface, QueryRunner } from 'typeorm';

const RAW_TABLES = ['vehicle_samples', 'charge_point_status', 'charge_point_meter', 'charge_point_transactions'];

/**
 * Raw telemetry, append-only and partitioned by month of the sample time, with natural primary
 * keys so that a re-delivered sample is a no-op (ON CONFLICT DO NOTHING). Partitions are made by
 * ensure_monthly_partition(): ahead of time by a scheduled job and on demand for backfill.
 * `received_at` is the time of the transaction that stored a row (not of the MQTT delivery), so
 * that "stored since T" is a question the reconciler can answer even after a long outage.
 * No foreign keys on the raw tables: the ingest path checks devices against the registry and a
 * per-row FK check would cost on the hottest path.
 */
export class TelemetryRawStores1764400000000 implements MigrationInterface {
  name = 'TelemetryRawStores1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE vehicle_samples (
        vehicle_id uuid NOT NULL,
        ts timestamptz NOT NULL,
        received_at timestamptz NOT NULL,
        odometer_km double precision,
        speed_kmh double precision,
        lat double precision,
        lon double precision,
        ignition boolean,
        soc_pct double precision,
        energy_consumed_kwh double precision,
        energy_charged_kwh double precision,
        fuel_used_l double precision,
        gas_used_kg double precision,
        fuel_level_pct double precision,
        charging boolean,
        PRIMARY KEY (vehicle_id, ts)
      ) PARTITION BY RANGE (ts)`);
    await queryRunner.query(`
      CREATE TABLE charge_point_status (
        charge_point_id uuid NOT NULL,
        connector_id integer NOT NULL,
        ts timestamptz NOT NULL,
        received_at timestamptz NOT NULL,
        status text NOT NULL,
        error_code text NOT NULL,
        PRIMARY KEY (charge_point_id, connector_id, ts)
      ) PARTITION BY RANGE (ts)`);
    await queryRunner.query(`
      CREATE TABLE charge_point_meter (
        charge_point_id uuid NOT NULL,
        connector_id integer NOT NULL,
        ts timestamptz NOT NULL,
        received_at timestamptz NOT NULL,
        energy_wh double precision,
        power_w double precision,
        transaction_id text,
        PRIMARY KEY (charge_point_id, connector_id, ts)
      ) PARTITION BY RANGE (ts)`);
    await queryRunner.query(`
      CREATE TABLE charge_point_transactions (
        charge_point_id uuid NOT NULL,
        connector_id integer NOT NULL,
        ts timestamptz NOT NULL,
        received_at timestamptz NOT NULL,
        event text NOT NULL CHECK (event IN ('start', 'stop')),
        transaction_id text NOT NULL,
        meter_wh double precision NOT NULL,
        id_tag_hash bytea,
        reason text,
        PRIMARY KEY (charge_point_id, connector_id, ts)
      ) PARTITION BY RANGE (ts)`);
    for (const table of RAW_TABLES) {
      await queryRunner.query(`CREATE INDEX ${table}_ts_brin ON ${table} USING brin (ts)`);
      // The reconciler looks for what was stored since its last run; rows arrive in received_at order.
      await queryRunner.query(`CREATE INDEX ${table}_received_brin ON ${table} USING brin (received_at)`);
    }
    await queryRunner.query(`
      CREATE TABLE device_connection_events (
        device_kind text NOT NULL CHECK (device_kind IN ('vehicle', 'charge_point')),
        device_ref uuid NOT NULL,
        received_at timestamptz NOT NULL,
        state text NOT NULL CHECK (state IN ('online', 'offline')),
        PRIMARY KEY (device_ref, received_at)
      )`);
    await queryRunner.query(`
      CREATE TABLE dead_letters (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        received_at timestamptz NOT NULL,
        topic text NOT NULL,
        device_id text,
        reason text NOT NULL,
        detail text NOT NULL,
        sample_index integer,
        payload bytea NOT NULL,
        payload_bytes integer NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX dead_letters_received_idx ON dead_letters (received_at)`);
    await queryRunner.query(`CREATE INDEX dead_letters_reason_idx ON dead_letters (reason, received_at)`);
    await queryRunner.query(`CREATE INDEX dead_letters_device_idx ON dead_letters (device_id, received_at)`);

    // Month partitions in UTC; safe to call concurrently from several ingest processes.
    await queryRunner.query(`
      CREATE FUNCTION ensure_monthly_partition(parent text, month date) RETURNS void
      LANGUAGE plpgsql AS $$
      DECLARE
        first_day date := date_trunc('month', month)::date;
        partition_name text := parent || '_' || to_char(first_day, 'YYYY_MM');
      BEGIN
        IF to_regclass(partition_name) IS NOT NULL THEN
          RETURN;
        END IF;
        EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
          partition_name, parent, first_day::text || ' 00:00:00+00', (first_day + interval '1 month')::date::text || ' 00:00:00+00');
      EXCEPTION WHEN duplicate_table OR unique_violation THEN
        NULL;
      END $$`);

    // Ingest keeps the device list in memory and reloads it when the registry tells it to.
    await queryRunner.query(`
      CREATE FUNCTION notify_registry_devices_changed() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('registry_devices_changed', TG_TABLE_NAME);
        RETURN NULL;
      END $$`);
    for (const table of ['vehicles', 'charge_points']) {
      await queryRunner.query(`
        CREATE TRIGGER ${table}_devices_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION notify_registry_devices_changed()`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['vehicles', 'charge_points']) await queryRunner.query(`DROP TRIGGER ${table}_devices_changed ON ${table}`);
    await queryRunner.query(`DROP FUNCTION notify_registry_devices_changed()`);
    await queryRunner.query(`DROP FUNCTION ensure_monthly_partition(text, date)`);
    await queryRunner.query(`DROP TABLE dead_letters`);
    await queryRunner.query(`DROP TABLE device_connection_events`);
    for (const table of RAW_TABLES) await queryRunner.query(`DROP TABLE ${table}`);
  }
}
