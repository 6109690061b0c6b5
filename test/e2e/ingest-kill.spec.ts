import { RunningBroker, startBroker } from '../../scripts/lib/mosquitto';
import { registerVehicles } from '../support/fleet-fixture';
import { TestPublisher } from '../support/mqtt-publisher';
import { ServiceProcess, startService } from '../support/service-process';
import { compareWithAcknowledged, sampleKey } from '../support/delivery-check';
import { Sql } from '../support/sql';
import { TestDatabase, createTestDatabase } from '../support/test-database';

/**
 * The durability promise: every message the broker acknowledged to a device is stored exactly
 * once, even when the ingest process is killed with SIGKILL in the middle of a steady stream.
 */
describe('ingest survives SIGKILL', () => {
  let broker: RunningBroker;
  let database: TestDatabase;
  let sql: Sql;
  let publisher: TestPublisher;
  const services: ServiceProcess[] = [];
  const DEVICES = 20;
  const MESSAGES = 4000;

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
  });

  const startIngest = () => {
    const service = startService({
      APP_ROLES: 'ingest',
      DATABASE_URL: database.url,
      MQTT_URL: broker.url,
      REDIS_KEY_PREFIX: `kill-test-${process.pid}`,
      INGEST_INSTANCE_ID: 'kill-test',
      INGEST_CONNECTIONS: '8',
    });
    services.push(service);
    return service;
  };

  async function waitUntilIngesting(deviceId: string, vehicleId: string) {
    const deadline = Date.now() + 20_000;
    for (let probe = 0; Date.now() < deadline; probe++) {
      await publisher.publish(`fleet/v1/vehicles/${deviceId}/telemetry`, { ts: Date.parse('2026-01-01T00:00:00Z') + probe, speedKmh: 0 });
      if ((await sql.count(`SELECT 1 FROM vehicle_samples WHERE vehicle_id = $1 AND ts < '2026-01-02'`, [vehicleId])) > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error('ingest did not start storing');
  }

  it('stores every acknowledged message exactly once across a SIGKILL and restart', async () => {
    const devices = await registerVehicles(sql, DEVICES, 'veh-kill');
    const deviceIds = [...devices.keys()];
    let service = startIngest();
    await waitUntilIngesting(deviceIds[0], devices.get(deviceIds[0])!);

    // Probes are dated 2026-01-01; the messages compared are the last hour's.
    const base = Date.now() - 3_600_000;
    const acknowledged = new Set<string>();
    let killedAt = -1;
    const inFlight = new Set<Promise<void>>();
    for (let i = 0; i < MESSAGES; i++) {
      const deviceId = deviceIds[i % DEVICES];
      const ts = base + i;
      const sent = publisher.publish(`fleet/v1/vehicles/${deviceId}/telemetry`, { ts, odometerKm: i / 10, speedKmh: 30 }).then(() => {
        acknowledged.add(sampleKey(devices.get(deviceId)!, ts));
      });
      inFlight.add(sent);
      void sent.finally(() => inFlight.delete(sent));
      if (inFlight.size >= 50) await Promise.race(inFlight);
      if (i === Math.floor(MESSAGES / 3)) {
        // Kill while messages are being committed and acknowledged.
        service.child.kill('SIGKILL');
        await service.exited;
        killedAt = i;
      }
      if (i === Math.floor((2 * MESSAGES) / 3)) service = startIngest();
    }
    await Promise.all(inFlight);
    expect(killedAt).toBeGreaterThan(0);
    expect(acknowledged.size).toBe(MESSAGES);

    // Everything acknowledged must arrive, once.
    const check = await compareWithAcknowledged(sql, base, acknowledged, 60_000);
    expect(check).toEqual({ stored: MESSAGES, missing: 0, unexpected: 0, duplicates: 0 });
  });
});
