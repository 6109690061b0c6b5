import { RunningBroker, freePort, startBroker } from '../../scripts/lib/mosquitto';
import { registerVehicles } from '../support/fleet-fixture';
import { TestPublisher } from '../support/mqtt-publisher';
import { ServiceProcess, startService, waitFor } from '../support/service-process';
import { Sql } from '../support/sql';
import { TestDatabase, createTestDatabase } from '../support/test-database';

/** Scaling out: two ingest processes in one shared subscription group split the stream; each message is stored once. */
describe('two ingest processes', () => {
  let broker: RunningBroker;
  let database: TestDatabase;
  let sql: Sql;
  let publisher: TestPublisher;
  const services: ServiceProcess[] = [];

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

  const received = async (port: number) => {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return [...text.matchAll(/^klimaklok_ingest_messages_received_total\{[^}]*\} (\d+)/gm)].reduce((sum, match) => sum + Number(match[1]), 0);
  };

  it('share the subscription and store each message once', async () => {
    const devices = await registerVehicles(sql, 10, 'veh-shared');
    const ports = [await freePort(), await freePort()];
    for (const [index, port] of ports.entries()) {
      services.push(
        startService({
          APP_ROLES: 'api,ingest',
          PORT: String(port),
          DATABASE_URL: database.url,
          MQTT_URL: broker.url,
          REDIS_KEY_PREFIX: `shared-test-${process.pid}`,
          INGEST_INSTANCE_ID: `shared-${index}`,
          INGEST_CONNECTIONS: '4',
        }),
      );
    }
    for (const [index, port] of ports.entries()) {
      await waitFor(async () => ((await fetch(`http://127.0.0.1:${port}/health`)).status === 200 ? true : undefined), 20_000, 'health').catch((error: Error) => {
        throw new Error(`${error.message} of ingest ${index} (port ${port}); its output:\n${services[index].output()}`);
      });
    }
    // Both processes are subscribed once their connections are up; give the broker a moment to register them.
    await new Promise((resolve) => setTimeout(resolve, 500));

    const base = Date.now() - 3_600_000;
    const deviceIds = [...devices.keys()];
    const messages = 2000;
    const sends: Promise<void>[] = [];
    for (let i = 0; i < messages; i++) {
      sends.push(publisher.publish(`fleet/v1/vehicles/${deviceIds[i % deviceIds.length]}/telemetry`, { ts: base + i, speedKmh: 10 }));
      if (sends.length >= 100) await Promise.all(sends.splice(0));
    }
    await Promise.all(sends);
    await sql.waitForCount(`SELECT 1 FROM vehicle_samples`, messages, [], 30_000);

    const counts = await Promise.all(ports.map(received));
    expect(counts[0]).toBeGreaterThan(0);
    expect(counts[1]).toBeGreaterThan(0);
    expect(counts[0] + counts[1]).toBe(messages);
  });
});
