import { DataSourceOptions } from 'typeorm';
import { migrations } from '../../../migrations';

/**
 * TypeORM options shared by the service and the migration CLI. Schema changes happen only
 * through the migrations in migrations/, never by synchronize.
 */
export function dataSourceOptions(databaseUrl: string): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    synchronize: false,
    migrationsRun: false,
    migrations,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    // JIT compilation of the large derivation queries took seconds, for queries that run in
    // milliseconds without it: the service's queries are many and small, so it is off.
    extra: { max: 10, connectionTimeoutMillis: 5000, options: '-c jit=off' },
  };
}
