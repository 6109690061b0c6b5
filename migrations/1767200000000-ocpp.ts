import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * OCPP 1.6J charge points (shared/spec/ocpp-1.6j.md). A charge point says which protocol it
 * speaks; its OCPP password is kept as a salted scrypt hash only. What its BootNotification told
 * and when it was last heard over OCPP live in a table of their own: writing them on every
 * message to `charge_points` would fire the registry-changed trigger, and every ingest would
 * reload its device list.
 *
 * `ocpp_transactions` issues the transactionIds: a re-sent StartTransaction (same charge point,
 * connector, timestamp and meterStart) finds the id it got the first time, whichever process
 * answers it. `ocpp_unmatched_stops` keeps the StopTransactions whose id the service never
 * issued (the charge point was offline, or another central system answered its start).
 * The raw streams take what OCPP says beyond the MQTT contract: a status's vendorErrorCode, a
 * meter sample's state of charge and its other sampled values (nullable columns: no rewrite).
 */
export class Ocpp1767200000000 implements MigrationInterface {
  name = 'Ocpp1767200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE charge_points ADD COLUMN protocol text NOT NULL DEFAULT 'mqtt' CONSTRAINT charge_points_protocol_check CHECK (protocol IN ('mqtt', 'ocpp'))`);
    await queryRunner.query(`ALTER TABLE charge_points ADD COLUMN ocpp_password_hash text`);
    await queryRunner.query(`ALTER TABLE charge_point_status ADD COLUMN vendor_error_code text`);
    await queryRunner.query(`ALTER TABLE charge_point_meter ADD COLUMN soc_pct double precision, ADD COLUMN extra jsonb`);
    await queryRunner.query(`
      CREATE TABLE charge_point_ocpp (
        charge_point_id uuid PRIMARY KEY REFERENCES charge_points (id) ON DELETE CASCADE,
        vendor text,
        model text,
        serial text,
        firmware text,
        booted_at timestamptz,
        last_message_at timestamptz
      )`);
    await queryRunner.query(`
      CREATE TABLE ocpp_transactions (
        id integer GENERATED ALWAYS AS IDENTITY (MAXVALUE 2147483647) PRIMARY KEY,
        charge_point_id uuid NOT NULL REFERENCES charge_points (id) ON DELETE CASCADE,
        connector_id integer NOT NULL,
        started_at timestamptz NOT NULL,
        meter_start bigint NOT NULL,
        issued_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ocpp_transactions_start_key UNIQUE (charge_point_id, connector_id, started_at, meter_start)
      )`);
    await queryRunner.query(`
      CREATE TABLE ocpp_unmatched_stops (
        charge_point_id uuid NOT NULL REFERENCES charge_points (id) ON DELETE CASCADE,
        transaction_id bigint NOT NULL,
        ts timestamptz NOT NULL,
        connector_id integer NOT NULL,
        matched_transaction_id text,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (charge_point_id, transaction_id, ts)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE ocpp_unmatched_stops`);
    await queryRunner.query(`DROP TABLE ocpp_transactions`);
    await queryRunner.query(`DROP TABLE charge_point_ocpp`);
    await queryRunner.query(`ALTER TABLE charge_point_meter DROP COLUMN extra, DROP COLUMN soc_pct`);
    await queryRunner.query(`ALTER TABLE charge_point_status DROP COLUMN vendor_error_code`);
    await queryRunner.query(`ALTER TABLE charge_points DROP COLUMN ocpp_password_hash`);
    await queryRunner.query(`ALTER TABLE charge_points DROP COLUMN protocol`);
  }
}
