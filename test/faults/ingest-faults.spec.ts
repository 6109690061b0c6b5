import { execSync } from 'node:child_process';
import { RunningBroker, freePort, startBroker } from '../../scripts/lib/mosquitto';
import { registerVehicles } from '../support/fleet-fixture';
import { TestPublisher } from '../support/mqtt-publisher';
import { ServiceProcess, startService, waitFor } from '../support/service-process';
import { compareWithAcknowledged, sampleKey } from '../support/delivery-check';
import { Sql } from '../support/sql';
import { TestDatabase, createTestDatabase } from '../support/test-database';

/**
 * `npm run test:faults`: stops the machine's shared PostgreSQL for 30 s and restarts its Redis
 * during a steady load, so it is not part of `npm test`. Nothing acknowledged may be lost or
 * duplicated, and the service must ride it out without exiting.
 */
const PG_STOP = 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main stop -m fast';
const PG_START = 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start';
const REDIS_STOP = 'redis-cli -h 127.0.0.1 -p 6379 shutdown nosave || true';
const REDIS_START = 'redis-server --daemonize yes --port 6379 --save "" --appendonly no';

const log = (line: string) => process.stdout.write(`[faults ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const shell = (command: string) => execSync(command, { stdio: 'ignore', shell: '/bin/bash' });

describe('ingest under faults', () => {
  let broker: RunningBroker;
  let database: TestDatabase;
  let publisher: TestPublisher;
  let service: ServiceProcess | undefined;

  beforeAll(async () => {
    broker = await startBroker();
    database = await createTestDatabase();
    publisher = await TestPublisher.connect(broker.url);
  });

  afterAll(async () => {
    // Whatever happened, leave the machine's services running.
    shell(`pg_isready -h 127.0.0.1 -q || ${PG_START}`);
    shell(`redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || ${REDIS_START}`);
    await service?.stop();
    await publisher?.close();
    await broker?.stop();
    await database?.drop().catch(() => undefined);
  });

  it('loses and duplicates nothing through a 30 s PostgreSQL outage and a Redis restart', async () => {
    let sql = await Sql.connect(database.url);
    const devices = await registerVehicles(sql, 50, 'veh-fault');
    await sql.close();
    const port = await freePort();
    service = startService({
      APP_ROLES: 'api,ingest',
      PORT: String(port),
      DATABASE_URL: database.url,
      MQTT_URL: broker.url,
      REDIS_KEY_PREFIX: `faults-${process.pid}`,
      INGEST_INSTANCE_ID: 'faults',
      INGEST_CONNECTIONS: '16',
      LOG_LEVEL: 'warn',
    });
    await waitFor(async () => ((await fetch(`http://127.0.0.1:${port}/health`)).status === 200 ? true : undefined), 20_000, 'health');
    await sleep(500);

    const deviceIds = [...devices.keys()];
    const base = Date.now() - 3_600_000;
    const acknowledged = new Set<string>();
    const RATE = 400;
    const SECONDS = 60;
    let sent = 0;
    const publishing = (async () => {
      const started = Date.now();
      const pending = new Set<Promise<void>>();
      while (sent < RATE * SECONDS) {
        const due = Math.floor(((Date.now() - started) / 1000) * RATE);
        while (sent < Math.min(due, RATE * SECONDS)) {
          const i = sent++;
          const deviceId = deviceIds[i % deviceIds.length];
          const p = publisher.publish(`fleet/v1/vehicles/${deviceId}/telemetry`, { ts: base + i, speedKmh: 20, odometerKm: i }).then(() => {
            acknowledged.add(sampleKey(devices.get(deviceId)!, base + i));
          });
          pending.add(p);
          void p.finally(() => pending.delete(p));
        }
        await sleep(10);
      }
      await Promise.all(pending);
    })();

    await sleep(5000);
    log(`stopping PostgreSQL (sent so far: ${sent})`);
    shell(PG_STOP);
    await sleep(30_000);
    expect(service.child.exitCode).toBeNull();
    log(`starting PostgreSQL (sent so far: ${sent}, acknowledged by broker: ${acknowledged.size})`);
    shell(PG_START);
    await sleep(8000);
    log('restarting Redis');
    shell(REDIS_STOP);
    await sleep(2000);
    shell(REDIS_START);
    await publishing;
    log(`published ${sent}, acknowledged by broker ${acknowledged.size}`);

    sql = await Sql.connect(database.url);
    const { stored, missing, unexpected, duplicates } = await compareWithAcknowledged(sql, base, acknowledged, 120_000);
    await sql.close();
    const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { status: string };
    log(`stored ${stored}, missing ${missing}, unexpected ${unexpected}, duplicates ${duplicates}; service pid ${service.child.pid} alive: ${service.child.exitCode === null}; health ${JSON.stringify(health)}`);
    expect(service.child.exitCode).toBeNull();
    expect({ missing, unexpected, duplicates }).toEqual({ missing: 0, unexpected: 0, duplicates: 0 });
    expect(acknowledged.size).toBe(RATE * SECONDS);
    expect(health.status).toBe('ok');
  });
});
