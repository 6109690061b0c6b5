import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `CREATE TABLE ... PARTITION OF` takes an ACCESS EXCLUSIVE lock on the parent: it waits for every
 * running reader of the table (a long derivation) and every query that comes after waits behind it,
 * so creating a month for a backfill stopped the ingest for as long as the longest reader ran.
 * Attaching a table made beforehand takes only SHARE UPDATE EXCLUSIVE on the parent, which readers
 * and writers do not conflict with. The indexes of the parent are created on the new partition by
 * the attach. Meant to be safe to call concurrently: the loser's CREATE TABLE fails with a duplicate
 * once the winner has committed the attached partition (one kind of duplicate error was not caught
 * here: 1766000000000).
 */
/**
 * ensure_monthly_partition() around the statements that make the month (the function of
 * 1764400000000 made it with PARTITION OF), ignoring the given errors of a concurrent caller.
 */
export const ensureFunction = (makeMonth: string, concurrentErrors = 'duplicate_table OR unique_violation') => `
  CREATE OR REPLACE FUNCTION ensure_monthly_partition(parent text, month date) RETURNS void
  LANGUAGE plpgsql AS $$
  DECLARE
    first_day date := date_trunc('month', month)::date;
    partition_name text := parent || '_' || to_char(first_day, 'YYYY_MM');
    lower_bound text := first_day::text || ' 00:00:00+00';
    upper_bound text := (first_day + interval '1 month')::date::text || ' 00:00:00+00';
  BEGIN
    IF to_regclass(partition_name) IS NOT NULL THEN
      RETURN;
    END IF;
    ${makeMonth}
  EXCEPTION WHEN ${concurrentErrors} THEN
    NULL;
  END $$`;

export const MAKE_AND_ATTACH = `
    EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', partition_name, parent);
    EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', parent, partition_name, lower_bound, upper_bound);`;

export class PartitionsWithoutBlocking1765000000000 implements MigrationInterface {
  name = 'PartitionsWithoutBlocking1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(ensureFunction(MAKE_AND_ATTACH));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      ensureFunction(`
    EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)', partition_name, parent, lower_bound, upper_bound);`),
    );
  }
}
