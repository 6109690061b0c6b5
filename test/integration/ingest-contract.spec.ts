import { TestApp, bearer, startTestApp } from '../support/test-app';
import { aChargePoint, aCooperative, aVehicle, anOrganization } from '../support/builders';
import { TestPublisher } from '../support/mqtt-publisher';
import { Sql } from '../support/sql';

/**
 * Telemetry contract v1 through the real broker into the real database: every field rule and
 * every rejection reason. Timestamps are relative to now, inside the accepted window.
 */
describe('ingest: telemetry contract v1', () => {
  let t: TestApp;
  let sql: Sql;
  let device: TestPublisher;
  let vehicleId: string;
  let chargePointId: string;
  const vehicleTopic = (stream = 'telemetry') => `fleet/v1/vehicles/veh-contract/${stream}`;
  const cpTopic = (stream: string) => `fleet/v1/chargepoints/cp-contract/${stream}`;
  const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

  beforeAll(async () => {
    t = await startTestApp({ INGEST_CONNECTIONS: '4', ID_TAG_SECRET: 'test-id-tag-secret' });
    const admin = bearer(t.adminKey);
    const department = (await t.http().post('/api/v1/organizations').set(admin).send(anOrganization()).expect(201)).body.id;
    const cooperative = (await t.http().post('/api/v1/organizations').set(admin).send(aCooperative()).expect(201)).body.id;
    vehicleId = (
      await t
        .http()
        .post('/api/v1/vehicles')
        .set(admin)
        .send(aVehicle(department, { deviceId: 'veh-contract' }))
        .expect(201)
    ).body.id;
    chargePointId = (
      await t
        .http()
        .post('/api/v1/chargepoints')
        .set(admin)
        .send(aChargePoint(cooperative, { deviceId: 'cp-contract' }))
        .expect(201)
    ).body.id;
    sql = await Sql.connect(t.database.url);
    // The registry change reaches the ingest's device list through LISTEN/NOTIFY; wait until it knows the vehicle.
    device = await TestPublisher.connect(t.broker.url);
    await waitUntilKnown();
  });

  afterAll(async () => {
    await device?.close();
    await sql?.close();
    await t?.close();
  });

  async function waitUntilKnown() {
    for (let i = 0; i < 100; i++) {
      await device.publish(vehicleTopic(), { ts: minutesAgo(60 * 24 * 30 + i), speedKmh: 0 });
      const known = await sql.count(`SELECT 1 FROM vehicle_samples WHERE vehicle_id = $1`, [vehicleId]);
      if (known > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('ingest never learned the test vehicle');
  }

  const deadLetters = (reason: string) =>
    sql.rows<{ device_id: string; detail: string; sample_index: number | null; payload: Buffer; topic: string }>(`SELECT * FROM dead_letters WHERE reason = $1 ORDER BY id`, [reason]);

  it('stores a vehicle sample with every field, from numeric and boolean strings and an offset timestamp', async () => {
    const ts = new Date(Date.now() - 3_600_000);
    ts.setUTCMilliseconds(0);
    const local = new Date(ts.getTime() + 3_600_000).toISOString().replace('Z', '+01:00').replace('.000', '');
    await device.publish(vehicleTopic(), {
      ts: local,
      odometerKm: '48211.4',
      speedKmh: 42.5,
      lat: 59.8912,
      lon: '10.5235',
      ignition: 'true',
      socPct: 81.5,
      energyConsumedKwh: 7312.9,
      energyChargedKwh: 8125.4,
      fuelUsedL: 0,
      gasUsedKg: '0.5',
      fuelLevelPct: 50,
      charging: false,
      colour: 'red',
    });
    await sql.waitForCount(`SELECT 1 FROM vehicle_samples WHERE vehicle_id = $1 AND ts = $2`, 1, [vehicleId, ts.toISOString()]);
    const [row] = await sql.rows(`SELECT * FROM vehicle_samples WHERE vehicle_id = $1 AND ts = $2`, [vehicleId, ts.toISOString()]);
    expect(row).toMatchObject({
      odometer_km: 48211.4,
      speed_kmh: 42.5,
      lat: 59.8912,
      lon: 10.5235,
      ignition: true,
      soc_pct: 81.5,
      energy_consumed_kwh: 7312.9,
      energy_charged_kwh: 8125.4,
      fuel_used_l: 0,
      gas_used_kg: 0.5,
      fuel_level_pct: 50,
      charging: false,
    });
  });

  it('stores an epoch-millisecond sample and treats a re-delivered one as a duplicate', async () => {
    const ts = Date.now() - 120_000;
    await device.publish(vehicleTopic(), { ts, odometerKm: 10 });
    await device.publish(vehicleTopic(), { ts, odometerKm: 10 });
    await device.publish(vehicleTopic(), { ts: new Date(ts).toISOString(), odometerKm: 10 });
    await device.publish(vehicleTopic(), { ts: ts + 1, odometerKm: 10.01 });
    await sql.waitForCount(`SELECT 1 FROM vehicle_samples WHERE vehicle_id = $1 AND ts >= $2`, 2, [vehicleId, new Date(ts).toISOString()]);
    const metrics = (await t.http().get('/metrics').expect(200)).text;
    expect(Number(/klimaklok_ingest_samples_duplicate_total (\d+)/.exec(metrics)?.[1])).toBeGreaterThanOrEqual(2);
  });

  it('keeps the good samples of an array and dead-letters each bad one with its index', async () => {
    const base = Date.now() - 600_000;
    await device.publish(vehicleTopic(), [
      { ts: base, speedKmh: 10 },
      { ts: base + 1000, speedKmh: 300 },
      { ts: base + 2000, speedKmh: 20 },
      'not a sample',
      { ts: base + 4000 },
      { ts: base + 5000, speedKmh: '30' },
    ]);
    await sql.waitForCount(`SELECT 1 FROM vehicle_samples WHERE vehicle_id = $1 AND ts >= $2 AND ts < $3`, 3, [vehicleId, new Date(base).toISOString(), new Date(base + 6000).toISOString()]);
    await sql.waitForCount(`SELECT 1 FROM dead_letters WHERE topic = $1 AND sample_index IS NOT NULL`, 3, [vehicleTopic()]);
    const rows = await sql.rows<{ reason: string; sample_index: number; detail: string }>(
      `SELECT reason, sample_index, detail FROM dead_letters WHERE topic = $1 AND sample_index IS NOT NULL ORDER BY sample_index`,
      [vehicleTopic()],
    );
    expect(rows.map((r) => [r.sample_index, r.reason])).toEqual([
      [1, 'schema_violation'],
      [3, 'schema_violation'],
      [4, 'empty_sample'],
    ]);
    expect(rows[0].detail).toMatch(/^speedKmh/);
  });

  it('stores charge-point status, meter and transaction samples, the idTag only as a keyed hash', async () => {
    const ts = minutesAgo(30);
    await device.publish(cpTopic('status'), { ts, connectorId: 1, status: 'Charging' });
    await device.publish(cpTopic('meter'), [{ ts, connectorId: 1, energyWh: '1234567', powerW: 7200, transactionId: '4711' }]);
    await device.publish(cpTopic('transaction'), { ts, event: 'start', connectorId: 1, transactionId: '4711', meterWh: 1234567, idTag: '04A2B3C4D5' });
    await sql.waitForCount(`SELECT 1 FROM charge_point_transactions WHERE charge_point_id = $1`, 1, [chargePointId]);
    await sql.waitForCount(`SELECT 1 FROM charge_point_status WHERE charge_point_id = $1 AND status = 'Charging' AND error_code = 'NoError'`, 1, [chargePointId]);
    await sql.waitForCount(`SELECT 1 FROM charge_point_meter WHERE charge_point_id = $1 AND energy_wh = 1234567 AND power_w = 7200 AND transaction_id = '4711'`, 1, [chargePointId]);
    const [event] = await sql.rows<{ id_tag_hash: Buffer }>(`SELECT id_tag_hash FROM charge_point_transactions WHERE charge_point_id = $1`, [chargePointId]);
    expect(event.id_tag_hash).toHaveLength(32);
    const clear = await sql.count(`SELECT 1 FROM charge_point_transactions t WHERE position(convert_to('04A2B3C4D5', 'UTF8') IN t.id_tag_hash) > 0 OR t::text LIKE '%04A2B3C4D5%'`);
    expect(clear).toBe(0);
  });

  it('stores connection events of vehicles and charge points', async () => {
    await device.publish(vehicleTopic('connection'), 'offline');
    await device.publish(cpTopic('connection'), 'online', { retain: true });
    await sql.waitForCount(`SELECT 1 FROM device_connection_events WHERE device_ref = $1 AND state = 'offline'`, 1, [vehicleId]);
    await sql.waitForCount(`SELECT 1 FROM device_connection_events WHERE device_ref = $1 AND device_kind = 'charge_point' AND state = 'online'`, 1, [chargePointId]);
  });

  it.each([
    ['malformed_json', () => device.publish(vehicleTopic(), '{"ts": '), 'veh-contract'],
    ['malformed_json', () => device.publish(vehicleTopic(), Buffer.from([0x7b, 0xc3, 0x28, 0x7d])), 'veh-contract'],
    ['payload_too_large', () => device.publish(vehicleTopic(), Buffer.alloc(256 * 1024 + 1, 0x20)), 'veh-contract'],
    ['unknown_topic', () => device.publish('fleet/v1/vehicles/veh-contract/position', { ts: Date.now() }), 'veh-contract'],
    ['unknown_topic', () => device.publish('fleet/v1/anything', { ts: Date.now() }), null],
    ['unknown_device', () => device.publish('fleet/v1/vehicles/veh-nobody/telemetry', { ts: Date.now(), speedKmh: 1 }), 'veh-nobody'],
    ['device_kind_mismatch', () => device.publish('fleet/v1/chargepoints/veh-contract/status', { ts: Date.now(), connectorId: 1, status: 'Available' }), 'veh-contract'],
    ['schema_violation', () => device.publish(cpTopic('status'), { ts: Date.now(), connectorId: 1, status: 'Sleeping' }), 'cp-contract'],
    ['timestamp_in_future', () => device.publish(vehicleTopic(), { ts: Date.now() + 10 * 60_000, speedKmh: 1 }), 'veh-contract'],
    ['timestamp_too_old', () => device.publish(vehicleTopic(), { ts: '2001-01-01T00:00:00Z', speedKmh: 1 }), 'veh-contract'],
    ['empty_sample', () => device.publish(cpTopic('meter'), { ts: Date.now(), connectorId: 1 }), 'cp-contract'],
  ])('dead-letters %s with topic, device, detail and payload, and carries on', async (reason, send, deviceId) => {
    const before = (await deadLetters(reason)).length;
    await send();
    await sql.waitForCount(`SELECT 1 FROM dead_letters WHERE reason = $1`, before + 1, [reason]);
    const letter = (await deadLetters(reason)).at(-1)!;
    expect(letter.device_id).toBe(deviceId);
    expect(letter.detail.length).toBeGreaterThan(0);
    expect(letter.payload.length).toBeLessThanOrEqual(4096);
    // The pipeline still works after the rejection.
    const ts = Date.now() - Math.floor(Math.random() * 1e6);
    await device.publish(vehicleTopic(), { ts, speedKmh: 5 });
    await sql.waitForCount(`SELECT 1 FROM vehicle_samples WHERE vehicle_id = $1 AND ts = $2`, 1, [vehicleId, new Date(ts).toISOString()]);
  });

  it('serves dead letters to admins, filtered and paged', async () => {
    const admin = bearer(t.adminKey);
    const page = await t.http().get('/api/v1/dead-letters?reason=unknown_device&limit=1').set(admin).expect(200);
    expect(page.body.total).toBeGreaterThanOrEqual(1);
    expect(page.body.items).toHaveLength(1);
    expect(page.body.items[0]).toMatchObject({ reason: 'unknown_device', deviceId: 'veh-nobody', topic: 'fleet/v1/vehicles/veh-nobody/telemetry', payloadTruncated: false });
    expect(JSON.parse(page.body.items[0].payload)).toMatchObject({ speedKmh: 1 });
    const large = await t.http().get('/api/v1/dead-letters?reason=payload_too_large').set(admin).expect(200);
    expect(large.body.items[0]).toMatchObject({ payloadBytes: 256 * 1024 + 1, payloadTruncated: true });
    await t.http().get('/api/v1/dead-letters?reason=bogus').set(admin).expect(400);
    const fleetManager = await t.keyFor('fleet_manager');
    await t.http().get('/api/v1/dead-letters').set(bearer(fleetManager)).expect(403);
  });

  it('takes a newly registered device without a restart', async () => {
    const admin = bearer(t.adminKey);
    const department = (await t.http().post('/api/v1/organizations').set(admin).send(anOrganization()).expect(201)).body.id;
    const id = (
      await t
        .http()
        .post('/api/v1/vehicles')
        .set(admin)
        .send(aVehicle(department, { deviceId: 'veh-late' }))
        .expect(201)
    ).body.id;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await device.publish('fleet/v1/vehicles/veh-late/telemetry', { ts: Date.now(), speedKmh: 3 });
    await sql.waitForCount(`SELECT 1 FROM vehicle_samples WHERE vehicle_id = $1`, 1, [id]);
  });

  it('enqueues one derivation job per vehicle and range of days, not one per message', async () => {
    const { Queue } = await import('bullmq');
    const queue = new Queue('derive', { prefix: t.config.redisKeyPrefix, connection: { url: t.config.redisUrl } });
    try {
      const day = new Date(Date.now() - 3 * 86_400_000);
      for (let i = 0; i < 20; i++) await device.publish(vehicleTopic(), { ts: day.getTime() + i * 1000, speedKmh: i });
      const wanted = day.toISOString().slice(0, 10);
      const deadline = Date.now() + 10_000;
      let jobs: Array<{ name: string; data: { vehicleId: string; firstDay: string; lastDay: string } }> = [];
      await new Promise((resolve) => setTimeout(resolve, 1500)); // every window of those messages has been enqueued
      while (Date.now() < deadline) {
        jobs = (await queue.getJobs(['waiting', 'delayed', 'active', 'completed'])).filter((job) => job.data.firstDay === wanted && job.data.lastDay === wanted && job.data.vehicleId === vehicleId);
        if (jobs.length > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      // Jobs are coalesced per 500 ms: 20 messages make one job, two if they straddle a window.
      expect(jobs.length).toBeGreaterThanOrEqual(1);
      expect(jobs.length).toBeLessThanOrEqual(2);
      expect(new Set(jobs.map((job) => job.name))).toEqual(new Set(['derive-vehicle-days']));
    } finally {
      await queue.close();
    }
  });
});
