import { DataSource } from 'typeorm';
import { migrations } from '../../migrations';
import { TestDataSource, openTestDataSource } from '../support/test-database';

describe('migrations', () => {
  let database: TestDataSource;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await openTestDataSource({ migrate: false });
    dataSource = database.dataSource;
  });

  afterAll(async () => {
    await database?.close();
  });

  const tables = async (): Promise<string[]> =>
    (await dataSource.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations' ORDER BY 1`)).map((row: { tablename: string }) => row.tablename);

  it('run from an empty database to the latest and back to empty', async () => {
    expect(await tables()).toEqual([]);

    const applied = await dataSource.runMigrations({ transaction: 'each' });
    expect(applied).toHaveLength(migrations.length);
    expect(await tables()).toEqual(expect.arrayContaining(['organizations', 'vehicles', 'charge_points', 'subsidy_grants', 'api_keys']));
    expect(await dataSource.showMigrations()).toBe(false);

    for (let i = 0; i < migrations.length; i++) await dataSource.undoLastMigration({ transaction: 'each' });
    expect(await tables()).toEqual([]);
    expect(await dataSource.query(`SELECT count(*)::int AS n FROM schema_migrations`)).toEqual([{ n: 0 }]);

    // And up again: down() must leave nothing that would stop a second up().
    await dataSource.runMigrations({ transaction: 'each' });
    expect(await dataSource.showMigrations()).toBe(false);
  });
});
