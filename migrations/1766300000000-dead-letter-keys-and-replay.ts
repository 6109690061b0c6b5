import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Dead letters get a natural key, so that a broker's re-delivery of an unacknowledged message no
 * longer writes its dead letters twice, and a replay mark (amendment 1.1: replayed dead letters are
 * marked, not deleted).
 *
 * The key is computed by the ingest (deadLetterKey: SHA-256 of topic, the payload as it arrived
 * before truncation, and the sample index). Rows written before this migration hold only a
 * truncated payload, so their key cannot be recomputed; they are keyed by their id instead: none
 * is merged or deleted here, even those that a re-delivery did write twice.
 */
export class DeadLetterKeysAndReplay1766300000000 implements MigrationInterface {
  name = 'DeadLetterKeysAndReplay1766300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE dead_letters ADD COLUMN natural_key bytea`);
    await queryRunner.query(`UPDATE dead_letters SET natural_key = sha256(convert_to('legacy dead letter ' || id, 'UTF8'))`);
    await queryRunner.query(`ALTER TABLE dead_letters ALTER COLUMN natural_key SET NOT NULL`);
    await queryRunner.query(`CREATE UNIQUE INDEX dead_letters_natural_key_idx ON dead_letters (natural_key)`);
    // replay_outcome: 'stored' (every sample stored or already there), 'partly_stored' (the rejected
    // samples became dead letters of their own), or the rejection reason it still meets.
    await queryRunner.query(`ALTER TABLE dead_letters ADD COLUMN replayed_at timestamptz, ADD COLUMN replay_outcome text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE dead_letters DROP COLUMN replay_outcome, DROP COLUMN replayed_at`);
    await queryRunner.query(`DROP INDEX dead_letters_natural_key_idx`);
    await queryRunner.query(`ALTER TABLE dead_letters DROP COLUMN natural_key`);
  }
}
