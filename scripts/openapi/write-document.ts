/**
 * Writes the REST API's OpenAPI document (what /docs-json serves) to a file, without a database,
 * Redis or broker: Nest's preview mode builds the module graph without instantiating providers.
 * Used by the dashboard build (its types are generated from this file) and `npm run lint:openapi`.
 *
 * Usage: node dist/scripts/openapi/write-document.js [--out dist/openapi.json]
 */
import { NestFactory } from '@nestjs/core';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AppModule } from '../../src/app.module';
import { projectRoot } from '../../src/dashboard/dashboard-assets';
import { loadConfig } from '../../src/platform/config/app-config';
import { buildOpenApiDocument } from '../../src/platform/http/openapi-document';

export const OPENAPI_FILE = path.join('dist', 'openapi.json');

export async function writeOpenApiDocument(file: string): Promise<void> {
  // Only the api role serves HTTP routes; nothing connects in preview mode.
  const config = loadConfig({ APP_ROLES: 'api', LOG_LEVEL: 'silent' });
  const app = await NestFactory.create(AppModule.forRoles(config), { preview: true, logger: false, abortOnError: false });
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(buildOpenApiDocument(app), null, 2) + '\n');
  } finally {
    await app.close();
  }
}

if (require.main === module) {
  const { values } = parseArgs({ options: { out: { type: 'string', default: path.join(projectRoot(__dirname), OPENAPI_FILE) } } });
  writeOpenApiDocument(values.out!).then(
    () => process.stdout.write(`wrote ${path.relative(process.cwd(), values.out!)}\n`),
    (error) => {
      process.stderr.write(`OpenAPI document failed: ${(error as Error).stack}\n`);
      process.exit(1);
    },
  );
}
