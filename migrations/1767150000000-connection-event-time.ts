import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Connection events may state their time (telemetry-v1 amendment 1.1), so that a gateway can
 * backfill history. `ts` is the time the event happened: the stated one, else the receipt, which
 * every event stored so far was. The natural key becomes (device, ts), as for samples, so that a
 * re-delivered backfilled event is a duplicate; `received_at` stays for the reconcilers, which
 * look for what was stored since their watermark.
 */
export class ConnectionEventTime1767150000000 implements MigrationInterface {
  name = 'ConnectionEventTime1767150000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE device_connection_events ADD COLUMN ts timestamptz`);
    await queryRunner.query(`UPDATE device_connection_events SET ts = received_at`);
    await queryRunner.query(`ALTER TABLE device_connection_events ALTER COLUMN ts SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE device_connection_events DROP CONSTRAINT device_connection_events_pkey`);
    await queryRunner.query(`ALTER TABLE device_connection_events ADD PRIMARY KEY (device_ref, ts)`);
    await queryRunner.query(`CREATE INDEX device_connection_events_received_idx ON device_connection_events (received_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // The old table dates every event by its receipt: events with a stated time of their own cannot be kept.
    await queryRunner.query(`DELETE FROM device_connection_events WHERE ts <> received_at`);
    await queryRunner.query(`DROP INDEX device_connection_events_received_idx`);
    await queryRunner.query(`ALTER TABLE device_connection_events DROP CONSTRAINT device_connection_events_pkey`);
    await queryRunner.query(`ALTER TABLE device_connection_events ADD PRIMARY KEY (device_ref, received_at)`);
    await queryRunner.query(`ALTER TABLE device_connection_events DROP COLUMN ts`);
  }
}
