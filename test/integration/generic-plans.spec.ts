import { DataSource } from 'typeorm';
import { withCustomPlans, withGenericPlans } from '../../src/platform/database/generic-plans';
import { TestDataSource, openTestDataSource } from '../support/test-database';

/** withGenericPlans on the real PostgreSQL: named statements, generic plans for them only, within a transaction. */
describe('withGenericPlans', () => {
  let database: TestDataSource;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await openTestDataSource({ migrate: false });
    dataSource = database.dataSource;
  });

  afterAll(async () => {
    await database?.close();
  });

  it('runs named statements of the connection with a generic plan, and leaves the mode as it was for the rest of the transaction', async () => {
    const answers = await dataSource.transaction(async (manager) => {
      const within = await withGenericPlans(manager, async (query) => {
        const rows = [];
        for (const n of [1, 2, 3]) rows.push(...(await query<{ n: number }>('plans-test', 'SELECT $1::int + 1 AS n', [n])));
        const [mode] = await query<{ plan_cache_mode: string }>('plans-test-mode', 'SHOW plan_cache_mode', []);
        return { rows, mode: mode.plan_cache_mode };
      });
      const [after] = await manager.query<Array<{ plan_cache_mode: string }>>('SHOW plan_cache_mode');
      const [prepared] = await manager.query<Array<{ generic_plans: string; custom_plans: string }>>(`SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = 'plans-test'`);
      return { ...within, after: after.plan_cache_mode, prepared };
    });
    expect(answers).toEqual({
      rows: [{ n: 2 }, { n: 3 }, { n: 4 }],
      mode: 'force_generic_plan',
      after: 'auto',
      prepared: { generic_plans: '3', custom_plans: '0' },
    });
  });

  it('refuses to run outside a transaction, where SET LOCAL would do nothing', async () => {
    await expect(withGenericPlans(dataSource.manager, async () => 1)).rejects.toThrow(/needs a transaction/);
  });

  it('withCustomPlans runs the same statements unnamed, each planned for its values', async () => {
    const answers = await dataSource.transaction(async (manager) => {
      const rows = await withCustomPlans(manager, (query) => query<{ n: number }>('custom-plans-test', 'SELECT $1::int + 1 AS n', [41]));
      const prepared = await manager.query(`SELECT name FROM pg_prepared_statements WHERE name = 'custom-plans-test'`);
      return { rows, prepared };
    });
    expect(answers).toEqual({ rows: [{ n: 42 }], prepared: [] });
    await expect(withCustomPlans(dataSource.manager, async () => 1)).rejects.toThrow(/needs a transaction/);
  });
});
