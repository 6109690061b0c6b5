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
    extra: { max: 10, connectionTimeoutMillis: 5000 },
  };
}
