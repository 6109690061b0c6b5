import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig, redactUrl } from '../platform/config/app-config';
import { dataSourceOptions } from '../platform/database/data-source-options';
import { ensureDatabase } from '../platform/database/ensure-database';
import { UsageError, readCommandLine, runCli } from './command-line';

/**
 * `migrate up` applies every pending migration (creating the database if it is missing);
 * `migrate down` reverts the last one, `migrate down --all` all of them.
 */
const USAGE = `usage: migrate up | down [--all]
up: applies every pending migration, creating the database if it is missing.
down: reverts the last migration; with --all every one.
`;

async function main() {
  const { values, positionals } = readCommandLine(process.argv.slice(2), { all: { type: 'boolean' } }, USAGE, { positionals: true });
  const [direction, ...rest] = positionals;
  if ((direction !== 'up' && direction !== 'down') || rest.length > 0) throw new UsageError(`expected up or down, got "${positionals.join(' ')}"\n${USAGE}`);
  if (values.all && direction === 'up') throw new UsageError(`--all goes with down\n${USAGE}`);
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
      } while (values.all);
    }
  } finally {
    await dataSource.destroy();
  }
}

runCli(main, (error) => `migration failed: ${error.message}`);
