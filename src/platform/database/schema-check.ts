import { INestApplicationContext } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export class SchemaBehindError extends Error {}

/** Refuses to run against a database whose migrations are not all applied: the code would meet tables it does not know. */
export async function assertSchemaCurrent(app: INestApplicationContext): Promise<void> {
  const dataSource = app.get<DataSource>(getDataSourceToken());
  if (await dataSource.showMigrations()) {
    throw new SchemaBehindError('The database schema is behind this version: run `npm run migration:run` first.');
  }
}
