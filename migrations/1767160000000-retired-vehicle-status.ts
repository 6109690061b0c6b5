import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A vehicle past its `in_service_to` is `retired` in the live state, never `offline`: a retired
 * vehicle's silence is not a fault to look into.
 */
export class RetiredVehicleStatus1767160000000 implements MigrationInterface {
  name = 'RetiredVehicleStatus1767160000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE vehicle_state DROP CONSTRAINT vehicle_state_status_check`);
    await queryRunner.query(`ALTER TABLE vehicle_state ADD CONSTRAINT vehicle_state_status_check CHECK (status IN ('online', 'offline', 'retired'))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`UPDATE vehicle_state SET status = 'offline' WHERE status = 'retired'`);
    await queryRunner.query(`ALTER TABLE vehicle_state DROP CONSTRAINT vehicle_state_status_check`);
    await queryRunner.query(`ALTER TABLE vehicle_state ADD CONSTRAINT vehicle_state_status_check CHECK (status IN ('online', 'offline'))`);
  }
}
