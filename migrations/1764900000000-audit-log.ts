import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Who changed what and when: one row per changing API request (POST, PUT, PATCH, DELETE) by a
 * known key, whatever its outcome. No foreign key to api_keys: the trail must outlive the key.
 */
export class AuditLog1764900000000 implements MigrationInterface {
  name = 'AuditLog1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE audit_log (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        api_key_id uuid NOT NULL,
        role text NOT NULL,
        organization_id uuid,
        method text NOT NULL,
        path text NOT NULL,
        status integer NOT NULL,
        target_id text,
        detail jsonb NOT NULL DEFAULT '{}'
      )`);
    await queryRunner.query(`CREATE INDEX audit_log_at_idx ON audit_log (at)`);
    await queryRunner.query(`CREATE INDEX audit_log_key_idx ON audit_log (api_key_id, at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE audit_log`);
  }
}
