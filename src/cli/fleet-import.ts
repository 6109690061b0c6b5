import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { readFileSync } from 'node:fs';
import { ConfigModule } from '../platform/config/config.module';
import { loadConfig } from '../platform/config/app-config';
import { DatabaseModule } from '../platform/database/database.module';
import { FleetFileError, parseFleetFile } from '../registry/fleet-import/fleet-file';
import { FleetImportService } from '../registry/fleet-import/fleet-import.service';
import { RegistryModule } from '../registry/registry.module';
import { UsageError, readCommandLine, runCli } from './command-line';

const USAGE = `usage: npm run fleet:import -- FILE.yaml|FILE.json
Imports a fleet file (organizations, vehicles, charge points; see docs) into the registry given by
DATABASE_URL and prints each rejected row and a summary. Exits 1 when a row was rejected.
`;

/** `npm run fleet:import -- FILE`: imports a fleet file (JSON or YAML) and prints what happened per row. */
async function main() {
  const { positionals } = readCommandLine(process.argv.slice(2), {}, USAGE, { positionals: true });
  if (positionals.length !== 1) throw new UsageError(`${positionals.length === 0 ? 'a fleet file is required' : 'one fleet file at a time'}\n${USAGE}`);
  const [file] = positionals;
  const config = loadConfig();
  @Module({ imports: [ConfigModule.forRoot(config), DatabaseModule, RegistryModule] })
  class FleetImportCliModule {}
  const app = await NestFactory.createApplicationContext(FleetImportCliModule, { logger: ['error', 'warn'] });
  try {
    const result = await app.get(FleetImportService).import(parseFleetFile(readFileSync(file, 'utf8')));
    for (const row of result.rows.filter((r) => r.outcome === 'rejected')) {
      const reasons = (row.errors ?? []).map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)).join('; ');
      process.stdout.write(`rejected ${row.section}[${row.index}] ${row.key ?? ''}: ${reasons}\n`);
    }
    const { created, updated, unchanged, rejected } = result.summary;
    process.stdout.write(`fleet import: ${created} created, ${updated} updated, ${unchanged} unchanged, ${rejected} rejected\n`);
    process.exitCode = rejected > 0 ? 1 : 0;
  } finally {
    await app.close();
  }
}

runCli(main, (error) => (error instanceof FleetFileError || (error as NodeJS.ErrnoException).code === 'ENOENT' ? error.message : `fleet import failed: ${error.stack}`));
