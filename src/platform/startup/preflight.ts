import Redis from 'ioredis';
import mqtt from 'mqtt';
import { AppConfig, MqttCredentials, redactUrl } from '../config/app-config';
import { ensureDatabase } from '../database/ensure-database';
import { BROKER_ROLES } from '../health/broker-probe.service';

/** A required service that could not be reached at start; its message is one line for the operator. */
export class ServiceUnreachableError extends Error {}

const HOW_TO_START = {
  PostgreSQL: 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
  Redis: 'redis-server --daemonize yes --port 6379 --save "" --appendonly no',
  'MQTT broker': 'mosquitto -d -c config/mosquitto.conf',
} as const;

type Service = keyof typeof HOW_TO_START;

function unreachable(service: Service, url: string, error: unknown): ServiceUnreachableError {
  const reason = error instanceof Error ? error.message || error.name : String(error);
  return new ServiceUnreachableError(`Cannot reach ${service} at ${redactUrl(url)} (${reason.split('\n')[0]}). Start it, e.g.: ${HOW_TO_START[service]}`);
}

export async function checkPostgres(databaseUrl: string): Promise<void> {
  try {
    await ensureDatabase(databaseUrl);
  } catch (error) {
    throw unreachable('PostgreSQL', databaseUrl, error);
  }
}

export async function checkRedis(redisUrl: string): Promise<void> {
  const client = new Redis(redisUrl, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    throw unreachable('Redis', redisUrl, error);
  } finally {
    client.disconnect();
  }
}

/** Connects once with the service's credentials, so that a wrong login stops the start too (as "Not authorized"). */
export async function checkBroker(mqttUrl: string, credentials?: MqttCredentials): Promise<void> {
  try {
    await new Promise<void>((resolve, reject) => {
      const client = mqtt.connect(mqttUrl, {
        connectTimeout: 3000,
        reconnectPeriod: 0,
        clean: true,
        username: credentials?.username,
        password: credentials?.password,
      });
      const timer = setTimeout(() => finish(new Error('timed out after 3 s')), 3500);
      const finish = (error?: Error) => {
        clearTimeout(timer);
        client.end(true);
        if (error) reject(error);
        else resolve();
      };
      client.once('connect', () => finish());
      client.once('error', (error) => finish(error));
      client.once('close', () => finish(new Error('connection closed')));
    });
  } catch (error) {
    throw unreachable('MQTT broker', mqttUrl, error);
  }
}

/** Every role needs PostgreSQL and Redis; the broker is needed for ingest and reported by the api's health. */
export async function preflight(config: AppConfig): Promise<void> {
  await checkPostgres(config.databaseUrl);
  await checkRedis(config.redisUrl);
  if (BROKER_ROLES.some((role) => config.roles.has(role))) await checkBroker(config.mqttUrl, config.mqttCredentials);
}
