import { MigrationInterface, QueryRunner } from 'typeorm';

const PROFILES = `'klimaklok-v1', 'ovms-v3', 'teslamate', 'owntracks', 'evcc', 'teltonika-json'`;

/**
 * Device profiles (device-profiles.md): a vehicle or charge point publishes in the telemetry
 * contract or in a publisher's own dialect, under the identity that publisher uses. One identity
 * per profile and table. TeslaMate reports only the energy of the running charging session; the
 * car's cumulative total is kept here, written in the same transaction as the samples it stamps
 * (so a crash re-delivers exactly what the total has not counted yet).
 */
export class DeviceProfiles1767300000000 implements MigrationInterface {
  name = 'DeviceProfiles1767300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE vehicles
        ADD COLUMN profile text NOT NULL DEFAULT 'klimaklok-v1' CHECK (profile IN (${PROFILES})),
        ADD COLUMN profile_identity text,
        ADD COLUMN profile_topic text,
        ADD CONSTRAINT vehicles_profile_identity_check CHECK ((profile = 'klimaklok-v1') = (profile_identity IS NULL)),
        ADD CONSTRAINT vehicles_profile_identity_key UNIQUE (profile, profile_identity)`);
    await queryRunner.query(`
      ALTER TABLE charge_points
        ADD COLUMN profile text NOT NULL DEFAULT 'klimaklok-v1' CHECK (profile IN ('klimaklok-v1', 'evcc')),
        ADD COLUMN profile_identity text,
        ADD CONSTRAINT charge_points_profile_identity_check CHECK ((profile = 'klimaklok-v1') = (profile_identity IS NULL)),
        ADD CONSTRAINT charge_points_profile_identity_key UNIQUE (profile, profile_identity)`);
    await queryRunner.query(`
      CREATE TABLE profile_charge_totals (
        vehicle_id uuid PRIMARY KEY REFERENCES vehicles (id) ON DELETE CASCADE,
        closed_sessions_kwh double precision NOT NULL,
        session_kwh double precision NOT NULL,
        version bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE profile_charge_totals`);
    await queryRunner.query(`ALTER TABLE charge_points DROP COLUMN profile_identity, DROP COLUMN profile`);
    await queryRunner.query(`ALTER TABLE vehicles DROP COLUMN profile_topic, DROP COLUMN profile_identity, DROP COLUMN profile`);
  }
}
