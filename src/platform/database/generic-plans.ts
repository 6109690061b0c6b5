import { EntityManager } from 'typeorm';

/** Runs one named statement of the connection and answers its rows. */
export type PreparedQuery = <Row>(name: string, text: string, values: unknown[]) => Promise<Row[]>;

/** The node-postgres client behind a TypeORM query runner: what named prepared statements need. */
interface PgClient {
  query(query: string | { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/**
 * Runs `work`'s statements as prepared statements of the transaction's connection with a generic
 * plan: planned once per connection and name, the partitions pruned when each runs. For a
 * statement whose planning costs more than running it, called often (many index probes over
 * many partitions). `SET LOCAL` keeps the generic plans to these statements: the transaction's
 * others keep custom plans. A statement's name must always stand for the same text.
 */
export async function withGenericPlans<T>(manager: EntityManager, work: (query: PreparedQuery) => Promise<T>): Promise<T> {
  const runner = manager.queryRunner;
  if (!runner?.isTransactionActive) throw new Error('withGenericPlans needs a transaction (SET LOCAL)');
  const client = (await runner.connect()) as PgClient;
  await client.query('SET LOCAL plan_cache_mode = force_generic_plan');
  const result = await work(async <Row>(name: string, text: string, values: unknown[]) => (await client.query({ name, text, values })).rows as Row[]);
  await client.query('SET LOCAL plan_cache_mode = auto');
  return result;
}
