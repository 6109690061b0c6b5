import { INestApplication, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import express from 'express';
import { existsSync } from 'node:fs';
import helmet from 'helmet';
import { AppModule } from './app.module';
import { ApiKeyService } from './auth/api-key.service';
import { dashboardAssets, dashboardDir } from './dashboard/dashboard-assets';
import { AppConfig } from './platform/config/app-config';
import { assertSchemaCurrent } from './platform/database/schema-check';
import { DatabaseAvailability } from './platform/database/database-availability';
import { AllExceptionsFilter } from './platform/http/all-exceptions.filter';
import { buildOpenApiDocument } from './platform/http/openapi-document';
import { createValidationPipe } from './platform/http/validation';
import { QUEUE_DASHBOARD_PATH, queueDashboard } from './platform/queue/queue-dashboard';
import { QueueService } from './platform/queue/queue.service';
import { asyncApiFile } from './telemetry/asyncapi/asyncapi-document';
import { ASYNCAPI_PATH, asyncApiPages } from './telemetry/asyncapi/asyncapi-page';

const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'];
// Fuel-card exports (POST /api/v1/imports/fuel-transactions).
const CSV_TYPES = ['text/csv', 'application/csv'];

/** Builds the Nest application for the configured roles, with the HTTP pipeline every api process has. */
export async function createApp(config: AppConfig, logger: LoggerService): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoles(config), {
    logger,
    bodyParser: false,
    abortOnError: false,
  });
  await assertSchemaCurrent(app);
  app.disable('x-powered-by');
  if (config.roles.has('api')) {
    const apiKeys = app.get(ApiKeyService);
    const isAdminKey = async (key: string) => (await apiKeys.authenticate(key))?.role === 'admin';
    // Bull Board's page runs inline scripts: security headers without a content security policy.
    app.use(QUEUE_DASHBOARD_PATH, helmet({ contentSecurityPolicy: false }), queueDashboard(app.get(QueueService), isAdminKey));
  }
  app.use(helmet());
  if (config.roles.has('api')) {
    // After helmet: the dashboard gets the default content security policy (scripts and
    // styles from this origin only; the bundle has no inline script).
    const dir = dashboardDir();
    if (existsSync(dir)) app.use(dashboardAssets(dir, config.map.tileUrl));
    else logger.warn(`Dashboard assets not found in ${dir} (built by npm run build); serving the API without the dashboard`);
    // The MQTT contract beside the REST API's /docs.
    if (existsSync(asyncApiFile())) app.use(asyncApiPages());
    else logger.warn(`${asyncApiFile()} not found; serving the API without ${ASYNCAPI_PATH}`);
  }
  app.use(express.json({ limit: config.httpBodyLimit }));
  app.use(express.text({ type: [...YAML_TYPES, ...CSV_TYPES], limit: config.httpBodyLimit }));
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter(app.get(DatabaseAvailability)));

  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), { jsonDocumentUrl: 'docs-json' });
  return app;
}
