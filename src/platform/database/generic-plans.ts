import { EntityManager } from 'typeorm';

/** Runs one named statement of the connection and answers its rows. */
export type PreparedQuery = <Row>(name: string, text: string, values: unknown[]) => Promise<Row[]>;

/** Statements run by PreparedQuery inside a transaction: withGenericPlans or withCustomPlans. */
export type PlannedWork = <T>(manager: EntityManager, work: (query: PreparedQuery) => Promise<T>) => Promise<T>;

/** The node-postgres client behind a TypeORM query runner: what named prepared statements need. */
interface PgClient {
  query(query: { name?: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

async function transactionClient(manager: EntityManager, caller: string): Promise<PgClient> {
  const runner = manager.queryRunner;
  if (!runner?.isTransactionActive) throw new Error(`${caller} needs a transaction: it runs on the transaction's connection`);
  return (await runner.connect()) as PgClient;
}

/**
 * Runs `work`'s statements as prepared statements of the transaction's connection with a generic
 * plan: planned once per connection and name, the partitions pruned when each runs. For a
 * statement whose planning costs more than running it, called often (many index probes over
 * many partitions). `SET LOCAL` keeps the generic plans to these statements: the transaction's
 * others keep custom plans. A statement's name must always stand for the same text.
 */
export const withGenericPlans: PlannedWork = async (manager, work) => {
  const client = await transactionClient(manager, 'withGenericPlans');
  await client.query({ text: 'SET LOCAL plan_cache_mode = force_generic_plan', values: [] });
  const result = await work(async <Row>(name: string, text: string, values: unknown[]) => (await client.query({ name, text, values })).rows as Row[]);
  await client.query({ text: 'SET LOCAL plan_cache_mode = auto', values: [] });
  return result;
};

/**
 * The same statements planned for their values each time (PostgreSQL's default; the names are
 * not used): for a caller that chooses per call, where a generic plan loses on large inputs.
 */
export const withCustomPlans: PlannedWork = async (manager, work) => {
  const client = await transactionClient(manager, 'withCustomPlans');
  return work(async <Row>(_name: string, text: string, values: unknown[]) => (await client.query({ text, values })).rows as Row[]);
};
