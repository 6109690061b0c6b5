import { randomBytes } from 'node:crypto';
import { RunningBroker, freePort, startBroker } from '../../scripts/lib/mosquitto';
import { deleteRedisKeys } from '../../scripts/lib/redis-keys';
import { aChargePoint, aCooperative, anOrganization, aVehicle } from '../support/builders';
import { TestPublisher } from '../support/mqtt-publisher';
import { ServiceProcess, startService, waitFor } from '../support/service-process';
import { Sql } from '../support/sql';
import { TestDatabase, createTestDatabase } from '../support/test-database';

/** Pairs measured; REGISTER_PUBLISH_PAIRS=1000 for the figure of issue 15 (about a minute here). */
const PAIRS = Number(process.env.REGISTER_PUBLISH_PAIRS ?? 200);
/** Pairs under way at once (each one registers, then publishes the moment the API answered). */
const CONCURRENT = 10;

/**
 * Telemetry contract amendment 1.1: a device registered through the API is known to the ingest
 * before the API answers. Two processes, each `api,ingest`, in one shared subscription group:
 * every device is registered through one of them (POST /vehicles, POST /chargepoints or the fleet
 * import, in turn) and its first message published as soon as the 201 / 200 arrives, so the
 * message may land on either ingest, long before any device-list reload. None may be an
 * `unknown_device` dead letter; every message is stored.
 */
describe('register, then publish at once (two ingest processes)', () => {
  let broker: RunningBroker;
  let database: TestDatabase;
  let sql: Sql;
  let publisher: TestPublisher;
  const services: ServiceProcess[] = [];
  const adminKey = `test-admin-${randomBytes(24).toString('hex')}`;
  const redisPrefix = `register-publish-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    broker = await startBroker();
    database = await createTestDatabase();
    sql = await Sql.connect(database.url);
    publisher = await TestPublisher.connect(broker.url);
  });

  afterAll(async () => {
    await Promise.all(services.map((service) => service.stop()));
    await publisher?.close();
    await sql?.close();
    await broker?.stop();
    await database?.drop();
    await deleteRedisKeys('redis://127.0.0.1:6379', redisPrefix).catch(() => undefined);
  });

  it(`stores the first message of each of ${PAIRS} devices, none an unknown_device dead letter`, async () => {
    const ports = [await freePort(), await freePort()];
    for (const [index, port] of ports.entries()) {
      services.push(
        startService({
          APP_ROLES: 'api,ingest',
          PORT: String(port),
          DATABASE_URL: database.url,
          MQTT_URL: broker.url,
          REDIS_KEY_PREFIX: redisPrefix,
          ADMIN_API_KEY: adminKey,
          API_RATE_LIMIT_PER_MINUTE: '0',
          INGEST_INSTANCE_ID: `register-publish-${index}`,
          INGEST_CONNECTIONS: '2',
        }),
      );
    }
    for (const [index, port] of ports.entries()) {
      await waitFor(async () => ((await fetch(`http://127.0.0.1:${port}/health`)).status === 200 ? true : undefined), 30_000, 'health').catch((error: Error) => {
        throw new Error(`${error.message} of service ${index} (port ${port}); its output:\n${services[index].output()}`);
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 500)); // both subscriptions registered with the broker

    const api = async (index: number, path: string, body: unknown) => {
      const response = await fetch(`http://127.0.0.1:${ports[index % 2]}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${adminKey}` },
        body: JSON.stringify(body),
      });
      if (response.status !== 201 && response.status !== 200) throw new Error(`${path}: ${response.status} ${await response.text()}`);
      return (await response.json()) as { id: string; summary: { created: number } };
    };
    const department = anOrganization();
    const cooperative = aCooperative();
    const departmentId = (await api(0, '/api/v1/organizations', department)).id;
    const cooperativeId = (await api(1, '/api/v1/organizations', cooperative)).id;
    const ts = new Date(Date.now() - 60_000).toISOString();

    /** Registers device i through one of three routes and one of the two processes, then publishes its first message. */
    const pair = async (i: number) => {
      const deviceId = `rp-${i}`;
      if (i % 10 === 0) {
        await api(i, '/api/v1/chargepoints', aChargePoint(cooperativeId, { deviceId }));
        await publisher.publish(`fleet/v1/chargepoints/${deviceId}/meter`, { ts, connectorId: 1, energyWh: 1000 + i });
        return;
      }
      if (i % 10 === 1) {
        const { departmentId: _, ...vehicle } = aVehicle(departmentId, { deviceId });
        const answer = await api(i, '/api/v1/imports/fleet', { vehicles: [{ ...vehicle, department: department.orgNumber }] });
        if (answer.summary.created !== 1) throw new Error(`fleet import rejected ${deviceId}: ${JSON.stringify(answer)}`);
      } else {
        await api(i, '/api/v1/vehicles', aVehicle(departmentId, { deviceId }));
      }
      await publisher.publish(`fleet/v1/vehicles/${deviceId}/telemetry`, { ts, odometerKm: i });
    };

    const started = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENT }, async () => {
        while (next < PAIRS) await pair(next++);
      }),
    );
    const expectedCharge = Math.ceil(PAIRS / 10);
    await sql.waitForCount(`SELECT 1 FROM vehicle_samples UNION ALL SELECT 1 FROM charge_point_meter UNION ALL SELECT 1 FROM dead_letters`, PAIRS, [], 60_000);
    const unknown = await sql.count(`SELECT 1 FROM dead_letters WHERE reason = 'unknown_device'`);
    const deadLetters = await sql.count(`SELECT 1 FROM dead_letters`);
    const vehicleSamples = await sql.count(`SELECT 1 FROM vehicle_samples`);
    const meterSamples = await sql.count(`SELECT 1 FROM charge_point_meter`);
    process.stdout.write(
      `register-then-publish: ${PAIRS} pairs (${CONCURRENT} at once, 2 api+ingest processes) in ${((Date.now() - started) / 1000).toFixed(1)} s: ` +
        `stored ${vehicleSamples + meterSamples}, unknown_device ${unknown}, other dead letters ${deadLetters - unknown}\n`,
    );
    expect({ unknown, deadLetters, vehicleSamples, meterSamples }).toEqual({ unknown: 0, deadLetters: 0, vehicleSamples: PAIRS - expectedCharge, meterSamples: expectedCharge });
  }, 600_000);
});
