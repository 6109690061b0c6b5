import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { ConfigError, loadConfig, redactUrl } from '../platform/config/app-config';
import { dataSourceOptions } from '../platform/database/data-source-options';
import { ensureDatabase } from '../platform/database/ensure-database';

/**
 * `migrate up` applies every pending migration (creating the database if it is missing);
 * `migrate down` reverts the last one, `migrate down --all` all of them.
 */
async function main() {
  const [direction, flag] = process.argv.slice(2);
  if (direction !== 'up' && direction !== 'down') {
    process.stderr.write('usage: migrate up | down [--all]\n');
    process.exit(2);
  }
  const { databaseUrl } = loadConfig();
  if (await ensureDatabase(databaseUrl)) process.stdout.write(`created database ${redactUrl(databaseUrl)}\n`);
  const dataSource = await new DataSource({ ...dataSourceOptions(databaseUrl), logging: ['error', 'migration'] }).initialize();
  try {
    if (direction === 'up') {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      process.stdout.write(applied.length ? `applied ${applied.map((m) => m.name).join(', ')}\n` : 'schema is up to date\n');
    } else {
      do {
        const before = await dataSource.query(`SELECT count(*)::int AS n FROM schema_migrations`).catch(() => [{ n: 0 }]);
        if (before[0].n === 0) {
          process.stdout.write('nothing to revert\n');
          break;
        }
        await dataSource.undoLastMigration({ transaction: 'each' });
      } while (flag === '--all');
    }
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error) => {
  if (error instanceof ConfigError) process.stderr.write(`klimaklok: invalid configuration: ${error.message}\n`);
  else process.stderr.write(`klimaklok: migration failed: ${(error as Error).message}\n`);
  process.exit(1);
});
