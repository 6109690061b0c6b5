import { MigrationInterface, QueryRunner } from 'typeorm';
import { MAKE_AND_ATTACH, ensureFunction } from './1765000000000-partitions-without-blocking';

/**
 * Two callers making the same month at once (two ingest processes starting together, both making
 * next month's partitions): the loser's CREATE TABLE waits for the winner's commit and then fails
 * on the table's row type with duplicate_object ("type ... already exists"), which 1765000000000
 * did not catch, so that ingest process failed to start. The month exists by then (the winner made
 * and attached it in one transaction): the loser has nothing left to do.
 */
export class ConcurrentPartitionCreation1766000000000 implements MigrationInterface {
  name = 'ConcurrentPartitionCreation1766000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(ensureFunction(MAKE_AND_ATTACH, 'duplicate_table OR duplicate_object OR unique_violation'));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(ensureFunction(MAKE_AND_ATTACH));
  }
}
