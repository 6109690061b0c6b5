import { TestApp, bearer, startTestApp } from '../support/test-app';
import { aChargePoint, aCooperative, aVehicle, anOrganization } from '../support/builders';
import { TestPublisher } from '../support/mqtt-publisher';
import { Sql } from '../support/sql';

const WINDOW_MS = 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface SampleRow {
  ts: Date;
  odometer_km: number | null;
  speed_kmh: number | null;
  lat: number | null;
  lon: number | null;
  ignition: boolean | null;
  soc_pct: number | null;
  energy_charged_kwh: number | null;
  energy_consumed_kwh: number | null;
  charging: boolean | null;
}

/**
 * shared/spec/device-profiles.md, rule by rule, through a real Mosquitto into the real database:
 * registration of profiles and identities, window assembly and stamping, split positions, text
 * values, empty payloads, retained snapshots, unit conversions, charge totals, unknown identities.
 * PROFILE_ASSEMBLY_WINDOW is 1 s here (2 s by default) to keep the file quick.
 */
describe('device profiles', () => {
  let t: TestApp;
  let sql: Sql;
  let device: TestPublisher;
  let admin: Record<string, string>;
  let department: string;
  let cooperative: string;

  beforeAll(async () => {
    t = await startTestApp({ INGEST_CONNECTIONS: '2', PROFILE_ASSEMBLY_WINDOW: `${WINDOW_MS}ms` });
    admin = bearer(t.adminKey);
    department = (await t.http().post('/api/v1/organizations').set(admin).send(anOrganization()).expect(201)).body.id;
    cooperative = (await t.http().post('/api/v1/organizations').set(admin).send(aCooperative()).expect(201)).body.id;
    sql = await Sql.connect(t.database.url);
    device = await TestPublisher.connect(t.broker.url);
  });

  afterAll(async () => {
    await device?.close();
    await sql?.close();
    await t?.close();
  });

  const vehicle = async (profile: string, profileIdentity: string, extra: Record<string, unknown> = {}) =>
    (
      await t
        .http()
        .post('/api/v1/vehicles')
        .set(admin)
        .send(aVehicle(department, { deviceId: null, profile, profileIdentity, ...extra }))
        .expect(201)
    ).body.id as string;

  const samples = (vehicleId: string) => sql.rows<SampleRow>(`SELECT * FROM vehicle_samples WHERE vehicle_id = $1 ORDER BY ts`, [vehicleId]);

  /** Publishes `probe` until the vehicle has a sample: the ingest has subscribed to the profile's topics and knows the device. */
  async function untilHeard(vehicleId: string, probe: () => Promise<void>) {
    for (let i = 0; i < 60; i++) {
      await probe();
      if ((await sql.count(`SELECT 1 FROM vehicle_samples WHERE vehicle_id = $1`, [vehicleId])) > 0) return;
      await sleep(250);
    }
    throw new Error('the ingest never stored a sample of the probe');
  }

  /** Waits until the vehicle has `count` samples after the probe's, and for one window more (nothing else may come). */
  async function newSamples(vehicleId: string, since: Date, count: number): Promise<SampleRow[]> {
    await sql.waitForCount(`SELECT 1 FROM vehicle_samples WHERE vehicle_id = $1 AND ts > $2`, count, [vehicleId, since]);
    await sleep(WINDOW_MS + 300);
    const rows = (await samples(vehicleId)).filter((row) => row.ts > since);
    expect(rows).toHaveLength(count);
    return rows;
  }

  async function lastTs(vehicleId: string): Promise<Date> {
    await sleep(WINDOW_MS + 300); // the probe's own windows are closed
    const rows = await samples(vehicleId);
    return rows[rows.length - 1].ts;
  }

  describe('registry', () => {
    it('takes a profile and its identity, and names the expected form when the identity is wrong', async () => {
      const id = await vehicle('ovms-v3', 'muni/EV01');
      const stored = (await t.http().get(`/api/v1/vehicles/${id}`).set(admin).expect(200)).body;
      expect(stored).toMatchObject({ profile: 'ovms-v3', profileIdentity: 'muni/EV01', profileTopic: null });
      const bad = await t
        .http()
        .post('/api/v1/vehicles')
        .set(admin)
        .send(aVehicle(department, { profile: 'ovms-v3', profileIdentity: 'EV01' }))
        .expect(400);
      expect(bad.body.errors).toEqual([{ field: 'profileIdentity', message: 'identity for ovms-v3 must be <user>/<vehicleId>' }]);
      const imei = await t
        .http()
        .post('/api/v1/vehicles')
        .set(admin)
        .send(aVehicle(department, { profile: 'teltonika-json', profileIdentity: '12345' }))
        .expect(400);
      expect(imei.body.errors[0].message).toBe('identity for teltonika-json must be the 15-digit IMEI');
      const missing = await t
        .http()
        .post('/api/v1/vehicles')
        .set(admin)
        .send(aVehicle(department, { profile: 'teslamate' }))
        .expect(400);
      expect(missing.body.errors[0]).toEqual({ field: 'profileIdentity', message: 'identity for teslamate must be [<namespace>/]<carId> (carId a number)' });
      const unknown = await t
        .http()
        .post('/api/v1/vehicles')
        .set(admin)
        .send(aVehicle(department, { profile: 'traccar', profileIdentity: 'x' }))
        .expect(400);
      expect(unknown.body.errors.map((error: { field: string }) => error.field)).toContain('profile');
    });

    it('keeps one identity per profile, and the same identity under another profile apart', async () => {
      await vehicle('owntracks', 'anna/golf');
      const twice = await t
        .http()
        .post('/api/v1/vehicles')
        .set(admin)
        .send(aVehicle(department, { deviceId: null, profile: 'owntracks', profileIdentity: 'anna/golf' }))
        .expect(409);
      expect(twice.body.errors[0].field).toBe('profileIdentity');
      await vehicle('ovms-v3', 'anna/golf');
    });

    it('registers evcc loadpoints as charge points with one connector, and other profiles only as vehicles', async () => {
      const cp = await t
        .http()
        .post('/api/v1/chargepoints')
        .set(admin)
        .send(aChargePoint(cooperative, { connectors: 1, profile: 'evcc', profileIdentity: 'evcc/9' }))
        .expect(201);
      expect(cp.body).toMatchObject({ profile: 'evcc', profileIdentity: 'evcc/9' });
      const two = await t
        .http()
        .post('/api/v1/chargepoints')
        .set(admin)
        .send(aChargePoint(cooperative, { connectors: 2, profile: 'evcc', profileIdentity: 'evcc/8' }))
        .expect(400);
      expect(two.body.errors[0]).toEqual({ field: 'connectors', message: 'an evcc loadpoint is a charge point with one connector' });
      const asVehicle = await t
        .http()
        .post('/api/v1/vehicles')
        .set(admin)
        .send(aVehicle(department, { profile: 'evcc', profileIdentity: 'evcc/7' }))
        .expect(400);
      expect(asVehicle.body.errors[0].field).toBe('profile');
      const topicUnused = await t
        .http()
        .post('/api/v1/vehicles')
        .set(admin)
        .send(aVehicle(department, { profile: 'teslamate', profileIdentity: '3', profileTopic: 'x/' }))
        .expect(400);
      expect(topicUnused.body.errors[0]).toEqual({ field: 'profileTopic', message: 'profileTopic is not used by teslamate' });
    });

    it('takes profiles from the fleet import file, and rejects a row with a wrong identity', async () => {
      const orgNumber = (await t.http().get(`/api/v1/organizations/${department}`).set(admin).expect(200)).body.orgNumber;
      const { departmentId, ...row } = aVehicle(department, { deviceId: null, profile: 'teslamate', profileIdentity: 'depot/41' });
      void departmentId;
      const { departmentId: unused, ...bad } = aVehicle(department, { deviceId: null, profile: 'ovms-v3', profileIdentity: 'no-slash' });
      void unused;
      const result = await t
        .http()
        .post('/api/v1/imports/fleet')
        .set(admin)
        .send({
          vehicles: [
            { ...row, department: orgNumber },
            { ...bad, department: orgNumber },
          ],
        })
        .expect(200);
      expect(result.body.rows.map((r: { outcome: string }) => r.outcome)).toEqual(['created', 'rejected']);
      expect(JSON.stringify(result.body.rows[1])).toContain('identity for ovms-v3 must be <user>/<vehicleId>');
      expect(await sql.count(`SELECT 1 FROM vehicles WHERE profile = 'teslamate' AND profile_identity = 'depot/41'`)).toBe(1);
    });
  });

  describe('teslamate', () => {
    let car: string;
    let since: Date;
    const topic = (key: string) => `teslamate/cars/7/${key}`;

    beforeAll(async () => {
      car = await vehicle('teslamate', '7');
      await untilHeard(car, () => device.publish(topic('odometer'), '1000.0'));
      since = await lastTs(car);
    });

    it('assembles the values of one window into one sample stamped at the first value, text and empty payloads as the spec says', async () => {
      const before = Date.now();
      await device.publish(topic('odometer'), '1000.5');
      await device.publish(topic('speed'), ''); // parked: unknown, never 0
      await device.publish(topic('location'), '{"latitude":59.91,"longitude":10.75}');
      await device.publish(topic('battery_level'), '81');
      await device.publish(topic('state'), 'online');
      await device.publish(topic('charging_state'), 'Charging');
      await device.publish(topic('outside_temp'), '4.5'); // not taken
      const after = Date.now();
      const [sample] = await newSamples(car, since, 1);
      expect(sample.ts.getTime()).toBeGreaterThanOrEqual(before);
      expect(sample.ts.getTime()).toBeLessThanOrEqual(after);
      expect(sample).toMatchObject({ odometer_km: 1000.5, speed_kmh: null, lat: 59.91, lon: 10.75, soc_pct: 81, ignition: false, charging: true });
      since = sample.ts;
    });

    it('starts a new sample for a value after the window, and drops a position whose other half is missing', async () => {
      await device.publish(topic('state'), 'driving');
      await device.publish(topic('latitude'), '59.92'); // deprecated topic, without its longitude in this window
      await sleep(WINDOW_MS + 200);
      await device.publish(topic('speed'), '1.0e2'); // Elixir's float notation
      const rows = await newSamples(car, since, 2);
      expect(rows[0]).toMatchObject({ ignition: true, lat: null, lon: null });
      expect(rows[1]).toMatchObject({ speed_kmh: 100, ignition: null });
      expect(rows[1].ts.getTime() - rows[0].ts.getTime()).toBeGreaterThanOrEqual(WINDOW_MS);
      since = rows[1].ts;
    });

    it('keeps a cumulative energyChargedKwh across sessions, stored with the samples', async () => {
      for (const value of ['5.0', '12.25']) {
        await device.publish(topic('charge_energy_added'), value);
        await sleep(WINDOW_MS + 200);
      }
      await device.publish(topic('charge_energy_added'), '0.5'); // a new session
      const rows = await newSamples(car, since, 3);
      expect(rows.map((row) => row.energy_charged_kwh)).toEqual([5, 12.25, 12.75]);
      expect(await sql.rows(`SELECT closed_sessions_kwh, session_kwh FROM profile_charge_totals WHERE vehicle_id = $1`, [car])).toEqual([{ closed_sessions_kwh: 12.25, session_kwh: 0.5 }]);
      since = rows[2].ts;
    });

    it('knows a car registered through the API before the API answered (amendment 1.1)', async () => {
      const cars = ['21', '22', '23'];
      const ids: string[] = [];
      for (const carId of cars) {
        ids.push(await vehicle('teslamate', carId));
        await device.publish(`teslamate/cars/${carId}/odometer`, '5.5'); // at once: the device reload comes later
      }
      for (const id of ids) await sql.waitForCount(`SELECT 1 FROM vehicle_samples WHERE vehicle_id = $1 AND odometer_km = 5.5`, 1, [id]);
      expect(await sql.count(`SELECT 1 FROM dead_letters WHERE reason = 'unknown_device' AND device_id = ANY($1)`, [cars])).toBe(0);
    });

    it('records healthy as the connection event', async () => {
      await device.publish(topic('healthy'), 'false');
      await sql.waitForCount(`SELECT 1 FROM device_connection_events WHERE device_ref = $1 AND state = 'offline'`, 1, [car]);
    });

    it('dead-letters a value outside the contract with the profile named, and an unknown car as unknown_device', async () => {
      await device.publish(topic('battery_level'), '150');
      await device.publish('teslamate/cars/999/odometer', '12.0');
      await sql.waitForCount(`SELECT 1 FROM dead_letters WHERE reason = 'schema_violation' AND detail LIKE 'teslamate: socPct%'`, 1);
      await sql.waitForCount(`SELECT 1 FROM dead_letters WHERE reason = 'unknown_device' AND device_id = '999' AND topic = 'teslamate/cars/999/odometer'`, 1);
    });
  });

  describe('ovms-v3', () => {
    let ev: string;
    const prefix = 'ovms/muni/EV02/';

    beforeAll(async () => {
      ev = await vehicle('ovms-v3', 'muni/EV02');
      await untilHeard(ev, () => device.publish(`${prefix}metric/v/p/odometer`, '500', { qos: 0 }));
    });

    it('stamps a window with v.p.gpstime, reads yes/no and 1e+06, and maps the metrics', async () => {
      const gpstime = Math.floor(Date.now() / 1000) - 30;
      const metrics: Array<[string, string]> = [
        ['v/p/gpstime', String(gpstime)],
        ['v/p/odometer', '1e+06'],
        ['v/p/speed', '42.5'],
        ['v/p/latitude', '59.9'],
        ['v/p/longitude', '10.7'],
        ['v/b/soc', '77.5'],
        ['v/e/on', 'yes'],
        ['v/c/charging', 'no'],
        ['v/c/kwh/grid/total', '812.4'],
        ['v/b/energy/used/total', '731.2'],
        ['v/b/12v/voltage', '12.6'],
      ];
      for (const [metric, value] of metrics) await device.publish(`${prefix}metric/${metric}`, value, { qos: 0, retain: true });
      const at = new Date(gpstime * 1000);
      await sql.waitForCount(`SELECT 1 FROM vehicle_samples WHERE vehicle_id = $1 AND ts = $2`, 1, [ev, at]);
      const [sample] = (await samples(ev)).filter((row) => row.ts.getTime() === at.getTime());
      expect(sample).toMatchObject({
        odometer_km: 1_000_000,
        speed_kmh: 42.5,
        lat: 59.9,
        lon: 10.7,
        soc_pct: 77.5,
        ignition: true,
        charging: false,
        energy_charged_kwh: 812.4,
        energy_consumed_kwh: 731.2,
      });
    });

    it('takes no sample from retained values present when it subscribes to a new prefix', async () => {
      const custom = 'muni/ovms/EV03/';
      await device.publish(`${custom}metric/v/p/odometer`, '4321', { qos: 0, retain: true });
      await device.publish(`${custom}metric/v/b/soc`, '64', { qos: 0, retain: true });
      const other = await vehicle('ovms-v3', 'muni/EV03', { profileTopic: custom });
      await untilHeard(other, () => device.publish(`${custom}metric/v/p/speed`, '12', { qos: 0 }));
      await sleep(WINDOW_MS + 300);
      const rows = await samples(other);
      expect(rows.every((row) => row.odometer_km === null && row.soc_pct === null)).toBe(true);
      expect(rows.some((row) => row.speed_kmh === 12)).toBe(true);
    });

    it('records s.v3.connected as the connection event', async () => {
      await device.publish(`${prefix}metric/s/v3/connected`, 'no', { qos: 0 });
      await sql.waitForCount(`SELECT 1 FROM device_connection_events WHERE device_ref = $1 AND state = 'offline'`, 1, [ev]);
    });

    it('an empty payload leaves the value unknown', async () => {
      const start = await lastTs(ev);
      await device.publish(`${prefix}metric/v/p/speed`, '', { qos: 0 });
      await device.publish(`${prefix}metric/v/b/soc`, '55', { qos: 0 });
      const [sample] = await newSamples(ev, start, 1);
      expect(sample).toMatchObject({ speed_kmh: null, soc_pct: 55 });
    });
  });

  describe('owntracks and teltonika-json', () => {
    it('owntracks: tst in epoch seconds is the ts, vel the speed, batt never socPct, lwt offline', async () => {
      const phone = await vehicle('owntracks', 'kari/van3');
      const tst = Math.floor(Date.now() / 1000) - 90;
      const location = { _type: 'location', tst, lat: 59.91, lon: 10.75, vel: 36, batt: 55, odometer: 2345.6, ign: true };
      await untilHeard(phone, () => device.publish('owntracks/kari/van3', location));
      const [sample] = (await samples(phone)).filter((row) => row.ts.getTime() === tst * 1000);
      expect(sample).toMatchObject({ speed_kmh: 36, lat: 59.91, lon: 10.75, odometer_km: 2345.6, ignition: true, soc_pct: null });
      await device.publish('owntracks/kari/van3', { _type: 'lwt', tst: 1 });
      await sql.waitForCount(`SELECT 1 FROM device_connection_events WHERE device_ref = $1 AND state = 'offline'`, 1, [phone]);
    });

    it('teltonika-json: ts in epoch milliseconds, odometer in metres, 0,0 is no position', async () => {
      const tracker = await vehicle('teltonika-json', '352093089612345');
      const ts = Date.now() - 45_000;
      const record = { state: { reported: { ts: String(ts), latlng: '0,0', sp: 0, 239: 1, 16: 104322871, 66: 12850 } } };
      await untilHeard(tracker, () => device.publish('352093089612345/data', record));
      const [sample] = (await samples(tracker)).filter((row) => row.ts.getTime() === ts);
      expect(sample).toMatchObject({ lat: null, lon: null, odometer_km: 104322.871, ignition: true, speed_kmh: 0 });
    });

    it("replays an unregistered phone's dead letters once it is registered; a one-value-per-topic value stays not_replayable", async () => {
      const tst = Math.floor(Date.now() / 1000) - 120;
      await device.publish('owntracks/ola/car9', { _type: 'location', tst, lat: 59.9, lon: 10.6, vel: 20 });
      await device.publish('teslamate/cars/998/odometer', '12.0'); // the teslamate tests above put teslamate/# in use
      await sql.waitForCount(`SELECT 1 FROM dead_letters WHERE reason = 'unknown_device' AND topic IN ('owntracks/ola/car9', 'teslamate/cars/998/odometer')`, 2);
      const phone = await vehicle('owntracks', 'ola/car9');
      await t.http().post('/api/v1/dead-letters/replay?reason=unknown_device').set(admin).expect(200);
      expect(await samples(phone)).toEqual([expect.objectContaining({ ts: new Date(tst * 1000), speed_kmh: 20, lat: 59.9, lon: 10.6 })]);
      const marks = await sql.rows(`SELECT topic, replay_outcome FROM dead_letters WHERE topic IN ('owntracks/ola/car9', 'teslamate/cars/998/odometer') ORDER BY topic`);
      expect(marks).toEqual([
        { topic: 'owntracks/ola/car9', replay_outcome: 'stored' },
        { topic: 'teslamate/cars/998/odometer', replay_outcome: 'not_replayable' },
      ]);
    });
  });

  describe('evcc', () => {
    let cp: string;

    beforeAll(async () => {
      cp = (
        await t
          .http()
          .post('/api/v1/chargepoints')
          .set(admin)
          .send(aChargePoint(cooperative, { connectors: 1, profile: 'evcc', profileIdentity: 'depot/evcc/1' }))
          .expect(201)
      ).body.id;
      for (let i = 0; i < 60 && (await sql.count(`SELECT 1 FROM charge_point_meter WHERE charge_point_id = $1`, [cp])) === 0; i++) {
        await device.publish('depot/evcc/loadpoints/1/chargePower', '0');
        await sleep(250);
      }
    });

    it('turns kWh registers into Wh, keeps W, derives the status, and stamps with <root>/updated', async () => {
      const updated = Math.floor(Date.now() / 1000) - 20;
      await sleep(WINDOW_MS + 300);
      await device.publish('depot/evcc/updated', String(updated));
      await device.publish('depot/evcc/loadpoints/1/connected', 'true');
      await device.publish('depot/evcc/loadpoints/1/charging', 'true');
      await device.publish('depot/evcc/loadpoints/1/chargePower', '7400');
      await device.publish('depot/evcc/loadpoints/1/chargeTotalImport', '1234.567');
      const at = new Date(updated * 1000);
      await sql.waitForCount(`SELECT 1 FROM charge_point_meter WHERE charge_point_id = $1 AND ts = $2`, 1, [cp, at]);
      const [meter] = await sql.rows(`SELECT connector_id, energy_wh, power_w FROM charge_point_meter WHERE charge_point_id = $1 AND ts = $2`, [cp, at]);
      expect(meter).toEqual({ connector_id: 1, energy_wh: 1234567, power_w: 7400 });
      const [status] = await sql.rows(`SELECT connector_id, status FROM charge_point_status WHERE charge_point_id = $1 AND ts = $2`, [cp, at]);
      expect(status).toEqual({ connector_id: 1, status: 'Charging' });
    });

    it('records <root>/status as the connection event of its loadpoints', async () => {
      await device.publish('depot/evcc/status', 'offline');
      await sql.waitForCount(`SELECT 1 FROM device_connection_events WHERE device_ref = $1 AND state = 'offline'`, 1, [cp]);
    });
  });
});
