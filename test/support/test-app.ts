import { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { createApp } from '../../src/app';
import { AppConfig, loadConfig } from '../../src/platform/config/app-config';
import { PinoLoggerService } from '../../src/platform/logging/pino-logger.service';
import { BrokerAuthFiles, RunningBroker, startBroker } from '../../scripts/lib/mosquitto';
import { TestDatabase, createTestDatabase } from './test-database';
import { deleteRedisKeys } from '../../scripts/lib/redis-keys';

export interface TestApp {
  app: INestApplication;
  config: AppConfig;
  database: TestDatabase;
  broker: RunningBroker;
  adminKey: string;
  http(): ReturnType<typeof request>;
  /** Creates an API key with the role (and organization) through the API and returns its secret. */
  keyFor(role: string, organizationId?: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * The real service wired as in production, against its own database, Redis key prefix and a
 * Mosquitto of its own; everything is torn down by close(), also when start-up fails half way.
 * `options.brokerAuth`: the broker runs with these password and ACL files (no anonymous clients);
 * pass the service's own MQTT_USERNAME / MQTT_PASSWORD in `env`.
 */
export async function startTestApp(env: Record<string, string> = {}, options: { brokerAuth?: BrokerAuthFiles } = {}): Promise<TestApp> {
  const adminKey = `test-admin-${randomBytes(24).toString('hex')}`;
  const database = await createTestDatabase();
  let broker: RunningBroker | undefined;
  let app: INestApplication | undefined;
  try {
    broker = await startBroker({ auth: options.brokerAuth });
    const config = loadConfig({
      DATABASE_URL: database.url,
      MQTT_URL: broker.url,
      REDIS_KEY_PREFIX: `klimaklok-test-${randomBytes(4).toString('hex')}`,
      ADMIN_API_KEY: adminKey,
      LOG_LEVEL: 'silent',
      PORT: '0',
      OCPP_PORT: '0',
      ...env,
    });
    app = await createApp(config, new PinoLoggerService(config.logLevel));
    await app.init();
    const server = app.getHttpServer();
    const running = { app, broker };
    return {
      app,
      config,
      database,
      broker,
      adminKey,
      http: () => request(server),
      async keyFor(role, organizationId) {
        const response = await request(server)
          .post('/api/v1/api-keys')
          .set('Authorization', `Bearer ${adminKey}`)
          .send({ name: `test ${role}`, role, organizationId });
        if (response.status !== 201) throw new Error(`key creation failed: ${response.status} ${JSON.stringify(response.body)}`);
        return response.body.secret;
      },
      async close() {
        await running.app.close();
        await running.broker.stop();
        await database.drop();
        await deleteRedisKeys(config.redisUrl, config.redisKeyPrefix);
      },
    };
  } catch (error) {
    await app?.close().catch(() => undefined);
    await broker?.stop().catch(() => undefined);
    await database.drop().catch(() => undefined);
    throw error;
  }
}

export const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });
