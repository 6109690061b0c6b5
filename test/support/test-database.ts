import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/platform/database/data-source-options';
import { dropDatabase, ensureDatabase } from '../../src/platform/database/ensure-database';

const SERVER = process.env.TEST_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * A database of its own for one test file, migrated to the latest schema unless `migrate` is
 * false; on the machine's PostgreSQL unless `server` names another (e.g. a PrivatePostgres).
 */
export async function createTestDatabase({ migrate = true, server = SERVER } = {}): Promise<TestDatabase> {
  const url = `${server}/klimaklok_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await ensureDatabase(url);
  if (migrate) {
    const dataSource = await new DataSource(dataSourceOptions(url)).initialize();
    try {
      await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      await dataSource.destroy();
    }
  }
  return { url, drop: () => dropDatabase(url) };
}

/** A database of its own (createTestDatabase) with a TypeORM data source open on it. */
export interface TestDataSource {
  dataSource: DataSource;
  /** Closes the data source and drops the database. */
  close(): Promise<void>;
}

export async function openTestDataSource(options: { migrate?: boolean } = {}): Promise<TestDataSource> {
  const database = await createTestDatabase(options);
  try {
    const dataSource = await new DataSource(dataSourceOptions(database.url)).initialize();
    return {
      dataSource,
      close: async () => {
        await dataSource.destroy();
        await database.drop();
      },
    };
  } catch (error) {
    await database.drop();
    throw error;
  }
}
