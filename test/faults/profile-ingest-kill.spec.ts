import { RunningBroker, startBroker } from '../../scripts/lib/mosquitto';
import { anOrgNumber } from '../support/builders';
import { TestPublisher } from '../support/mqtt-publisher';
import { ServiceProcess, startService } from '../support/service-process';
import { Sql } from '../support/sql';
import { TestDatabase, createTestDatabase } from '../support/test-database';

const CARS = 1500;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * device-profiles.md: QoS 1 deliveries are acknowledged after the assembled sample that holds them
 * has committed. A TeslaMate burst (QoS 1, one value per topic, held in 2 s assembly windows) with
 * the ingest killed by SIGKILL in the middle and started again: every value the broker
 * acknowledged to the publisher is in a stored sample, and nothing else is, as sets of
 * (car, key, value). A value committed whose PUBACK the kill prevented comes again and forms a
 * second sample with the same value at a later receive time: TeslaMate sends no time of its own,
 * so such re-deliveries are not duplicates by (vehicle, ts); their count is printed.
 */
describe('teslamate ingest survives SIGKILL', () => {
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

  const startIngest = () => {
    const service = startService({
      APP_ROLES: 'ingest',
      DATABASE_URL: database.url,
      MQTT_URL: broker.url,
      REDIS_KEY_PREFIX: `profile-kill-${process.pid}`,
      INGEST_INSTANCE_ID: 'profile-kill',
      INGEST_CONNECTIONS: '4',
    });
    services.push(service);
    return service;
  };

  it('stores exactly the acknowledged values, as sets, across a SIGKILL and restart', async () => {
    const [department] = await sql.rows<{ id: string }>(`INSERT INTO organizations (org_number, name, kind) VALUES ($1, 'TeslaMate kill test', 'municipal_department') RETURNING id`, [anOrgNumber()]);
    const cars = await sql.rows<{ id: string; car: string }>(
      `INSERT INTO vehicles (registration, vehicle_class, energy_carrier, department_id, in_service_from, profile, profile_identity)
       SELECT 'TM' || lpad(n::text, 6, '0'), 'passenger_car', 'electricity', $1, '2018-01-01', 'teslamate', n::text
         FROM generate_series(1, $2) AS n
       RETURNING id, profile_identity AS car`,
      [department.id, CARS],
    );
    const vehicleOf = new Map(cars.map((row) => [row.car, row.id]));

    let service = startIngest();
    const probeCar = vehicleOf.get('1')!;
    for (let i = 0; (await sql.count(`SELECT 1 FROM vehicle_samples WHERE vehicle_id = $1`, [probeCar])) === 0; i++) {
      if (i > 100) throw new Error(`the ingest never stored the probe\n${service.output()}`);
      await publisher.publish('teslamate/cars/1/speed', '0');
      await sleep(250);
    }
    await sleep(2500); // the probe's windows are closed
    const since = new Date();

    const acknowledged = new Set<string>();
    const messages: Array<[string, string, string]> = [];
    for (let n = 1; n <= CARS; n++) {
      messages.push([String(n), 'odometer', String(10_000 + n + 0.5)]);
      messages.push([String(n), 'battery_level', String(n % 100)]);
    }
    const inFlight = new Set<Promise<void>>();
    let killed = false;
    for (const [index, [car, key, value]] of messages.entries()) {
      const sent = publisher.publish(`teslamate/cars/${car}/${key}`, value).then(() => {
        acknowledged.add(`${vehicleOf.get(car)}|${key}|${Number(value)}`);
      });
      inFlight.add(sent);
      void sent.finally(() => inFlight.delete(sent));
      if (inFlight.size >= 50) await Promise.race(inFlight);
      if (index === Math.floor(messages.length / 3)) {
        service.child.kill('SIGKILL'); // windows open, deliveries held in them unacknowledged
        await service.exited;
        killed = true;
      }
      if (index === Math.floor((2 * messages.length) / 3)) service = startIngest();
    }
    await Promise.all(inFlight);
    expect(killed).toBe(true);
    expect(acknowledged.size).toBe(messages.length);

    const storedValues = async () => {
      const rows = await sql.rows<{ vehicle_id: string; odometer_km: number | null; soc_pct: number | null }>(`SELECT vehicle_id, odometer_km, soc_pct FROM vehicle_samples WHERE ts >= $1`, [since]);
      const values: string[] = [];
      for (const row of rows) {
        if (row.odometer_km !== null) values.push(`${row.vehicle_id}|odometer|${row.odometer_km}`);
        if (row.soc_pct !== null) values.push(`${row.vehicle_id}|battery_level|${row.soc_pct}`);
      }
      return values;
    };
    let stored: string[] = [];
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(500)) {
      stored = await storedValues();
      if (new Set(stored).size >= acknowledged.size) break;
    }
    await sleep(3000); // anything re-delivered late is in too
    stored = await storedValues();
    const storedSet = new Set(stored);
    const missing = [...acknowledged].filter((key) => !storedSet.has(key)).length;
    const unexpected = [...storedSet].filter((key) => !acknowledged.has(key)).length;
    process.stdout.write(`[profile-kill] acknowledged ${acknowledged.size}, stored values ${stored.length} (${storedSet.size} distinct), missing ${missing}, unexpected ${unexpected}\n`);
    expect({ missing, unexpected, distinct: storedSet.size }).toEqual({ missing: 0, unexpected: 0, distinct: acknowledged.size });
  });
});
