import { TestApp, bearer, startTestApp } from '../support/test-app';
import { aVehicle, anOrganization } from '../support/builders';
import { TestPublisher } from '../support/mqtt-publisher';
import { Sql } from '../support/sql';
import { PositionRetention } from '../../src/fleet/retention/position-retention';

/**
 * Daily rollups through the whole pipeline (MQTT -> ingest -> job -> worker), against figures
 * computed by hand. Europe/Oslo is UTC+1 in January: local midnight is 23:00Z.
 */
describe('fleet: daily rollups', () => {
  let t: TestApp;
  let device: TestPublisher;
  let admin: Record<string, string>;
  let departmentId: string;

  beforeAll(async () => {
    t = await startTestApp({ INGEST_CONNECTIONS: '4' });
    admin = bearer(t.adminKey);
    departmentId = (await t.http().post('/api/v1/organizations').set(admin).send(anOrganization()).expect(201)).body.id;
    device = await TestPublisher.connect(t.broker.url);
  });

  afterAll(async () => {
    await device?.close();
    await t?.close();
  });

  async function register(deviceId: string): Promise<string> {
    const id = (
      await t
        .http()
        .post('/api/v1/vehicles')
        .set(admin)
        .send(aVehicle(departmentId, { deviceId, energyCarrier: 'petrol' }))
        .expect(201)
    ).body.id;
    await new Promise((resolve) => setTimeout(resolve, 500)); // the ingest's device list reloads on the registry's notification
    return id;
  }

  async function daysOf(id: string, from: string, to: string, expectedDays: number) {
    const deadline = Date.now() + 20_000;
    let body: { days: Array<Record<string, number | string | null>> } = { days: [] };
    while (Date.now() < deadline) {
      body = (await t.http().get(`/api/v1/vehicles/${id}/daily?from=${from}&to=${to}`).set(admin).expect(200)).body;
      if (body.days.length >= expectedDays) {
        // Give a possibly queued re-derivation a moment, then read the settled figures.
        await new Promise((resolve) => setTimeout(resolve, 1000));
        return (await t.http().get(`/api/v1/vehicles/${id}/daily?from=${from}&to=${to}`).set(admin).expect(200)).body.days;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`expected ${expectedDays} days, got ${JSON.stringify(body.days)}`);
  }

  const byDay = (days: Array<Record<string, unknown>>): Record<string, Record<string, unknown>> => Object.fromEntries(days.map((day) => [day.day, day]));

  it('splits across local midnight, restarts after a reset and excludes an implausible jump', async () => {
    const id = await register('veh-daily-1');
    await device.publish('fleet/v1/vehicles/veh-daily-1/telemetry', [
      { ts: '2026-01-14T22:30:00Z', odometerKm: 1000, fuelUsedL: 100 },
      // 60 km over one hour across local midnight (23:00Z): 30 km to each day, fuel likewise.
      { ts: '2026-01-14T23:30:00Z', odometerKm: 1060, fuelUsedL: 106 },
      { ts: '2026-01-15T08:00:00Z', odometerKm: 1100 },
      // Reset: the step counts 0 and is flagged.
      { ts: '2026-01-15T08:10:00Z', odometerKm: 5 },
      { ts: '2026-01-15T08:20:00Z', odometerKm: 25 },
      // 100 km in one minute: implausible, excluded and flagged.
      { ts: '2026-01-15T08:21:00Z', odometerKm: 125 },
      { ts: '2026-01-15T09:21:00Z', odometerKm: 135 },
    ]);
    const days = byDay(await daysOf(id, '2026-01-14', '2026-01-16', 2));
    expect(days['2026-01-14']).toMatchObject({ sampleCount: 1, resetCount: 0, implausibleCount: 0, longGapCount: 0 });
    expect(days['2026-01-14'].distanceKm as number).toBeCloseTo(30, 9);
    expect(days['2026-01-14'].fuelUsedL as number).toBeCloseTo(3, 9);
    expect(days['2026-01-15']).toMatchObject({ sampleCount: 6, resetCount: 1, implausibleCount: 1, longGapCount: 0 });
    expect(days['2026-01-15'].distanceKm as number).toBeCloseTo(30 + 40 + 0 + 20 + 0 + 10, 9);
    expect(days['2026-01-15'].fuelUsedL as number).toBeCloseTo(3, 9);
    expect(days['2026-01-15'].gasUsedKg).toBeNull();
  });

  it('gives a vehicle with distance but no energy counter the default estimate, tagged as such', async () => {
    const id = (
      await t
        .http()
        .post('/api/v1/vehicles')
        .set(admin)
        .send(aVehicle(departmentId, { deviceId: 'veh-daily-noenergy', energyCarrier: 'petrol', nominalConsumptionPerKm: 0.08 }))
        .expect(201)
    ).body;
    await new Promise((resolve) => setTimeout(resolve, 500));
    // 40 km on 3 February 2026 and no fuel counter at all.
    await device.publish('fleet/v1/vehicles/veh-daily-noenergy/telemetry', [
      { ts: '2026-02-03T08:00:00Z', odometerKm: 500, speedKmh: 0 },
      { ts: '2026-02-03T09:00:00Z', odometerKm: 540, speedKmh: 0 },
    ]);
    const [day] = await daysOf(id.id, '2026-02-03', '2026-02-04', 1);
    expect(day.distanceKm as number).toBeCloseTo(40, 9);
    expect(day.fuelUsedL).toBeNull(); // no data is not zero
    const report = (await t.http().get('/api/v1/reports/emissions?from=2026-02-01&to=2026-03-01&groupBy=vehicle&factorSet=1').set(admin).expect(200)).body;
    const row = report.rows.find((r: { label: string }) => r.label === id.registration);
    // Never silently zero: distance x the vehicle's nominal consumption, all of it of quality `default`.
    expect(row.energy.petrolL).toBeCloseTo(40 * 0.08, 9);
    expect(row.dataQuality).toEqual({ primary: 0, modelled: 0, default: 1 });
    expect(row.actualKg).toBeGreaterThan(0);
  });

  it('finds a day with two trips by ignition, with distance, duration, positions and driving time', async () => {
    const id = await register('veh-trips');
    const at = (time: string) => `2026-01-21T${time}:00Z`;
    await device.publish('fleet/v1/vehicles/veh-trips/telemetry', [
      { ts: at('06:30'), ignition: false, odometerKm: 100, fuelUsedL: 10, lat: 59.9, lon: 10.5 },
      { ts: at('07:00'), ignition: true, speedKmh: 20, odometerKm: 100, fuelUsedL: 10, lat: 59.9, lon: 10.5 },
      { ts: at('07:10'), ignition: true, speedKmh: 40, odometerKm: 105, fuelUsedL: 10.4 },
      { ts: at('07:20'), ignition: true, speedKmh: 30, odometerKm: 110, fuelUsedL: 10.8, lat: 59.91, lon: 10.55 },
      { ts: at('07:25'), ignition: false, speedKmh: 0, odometerKm: 110, fuelUsedL: 10.8, lat: 59.91, lon: 10.56 },
      { ts: at('12:00'), ignition: false, odometerKm: 110, fuelUsedL: 10.8 },
      { ts: at('15:00'), ignition: true, speedKmh: 10, odometerKm: 110, fuelUsedL: 10.8, lat: 59.91, lon: 10.56 },
      { ts: at('15:30'), ignition: true, speedKmh: 50, odometerKm: 125, fuelUsedL: 12 },
      { ts: at('15:40'), ignition: false, speedKmh: 0, odometerKm: 125, fuelUsedL: 12, lat: 59.9, lon: 10.5 },
    ]);
    const days = byDay(await daysOf(id, '2026-01-21', '2026-01-22', 1));
    expect(days['2026-01-21'].distanceKm as number).toBeCloseTo(25, 9);
    expect(days['2026-01-21'].drivingSeconds as number).toBeCloseTo(25 * 60 + 40 * 60, 9);
    const trips = (await t.http().get(`/api/v1/vehicles/${id}/trips?from=2026-01-21T00:00:00Z&to=2026-01-22T00:00:00Z`).set(admin).expect(200)).body.items;
    expect(trips).toHaveLength(2);
    expect(trips[0]).toMatchObject({
      startedAt: '2026-01-21T07:00:00.000Z',
      endedAt: '2026-01-21T07:25:00.000Z',
      durationSeconds: 1500,
      byIgnition: true,
      start: { lat: 59.9, lon: 10.5 },
      end: { lat: 59.91, lon: 10.56 },
    });
    expect(trips[0].distanceKm).toBeCloseTo(10, 9);
    expect(trips[0].fuelUsedL).toBeCloseTo(0.8, 9);
    expect(trips[1]).toMatchObject({ startedAt: '2026-01-21T15:00:00.000Z', endedAt: '2026-01-21T15:40:00.000Z', durationSeconds: 2400 });
    expect(trips[1].distanceKm).toBeCloseTo(15, 9);
    expect(trips[1].fuelUsedL).toBeCloseTo(1.2, 9);
  });

  it('finds trips from movement where there is no ignition data, split by stops of at least 5 minutes', async () => {
    const id = await register('veh-moves');
    const at = (time: string) => `2026-01-22T${time}Z`;
    await device.publish('fleet/v1/vehicles/veh-moves/telemetry', [
      { ts: at('08:00:00'), speedKmh: 30, odometerKm: 10 },
      { ts: at('08:02:00'), speedKmh: 35, odometerKm: 11 },
      { ts: at('08:04:00'), speedKmh: 0, odometerKm: 12 },
      // Standing from 08:05 to 08:08: a 3-minute stop, the same trip.
      { ts: at('08:05:00'), speedKmh: 0, odometerKm: 12 },
      { ts: at('08:08:00'), speedKmh: 20, odometerKm: 12 },
      { ts: at('08:10:00'), speedKmh: 0, odometerKm: 13 },
      // Standing from 08:11 to 08:30: a new trip.
      { ts: at('08:11:00'), speedKmh: 0, odometerKm: 13 },
      { ts: at('08:30:00'), speedKmh: 40, odometerKm: 13 },
      { ts: at('08:40:00'), speedKmh: 30, odometerKm: 20 },
      { ts: at('08:41:00'), speedKmh: 0, odometerKm: 20.5 },
      { ts: at('08:45:00'), speedKmh: 0, odometerKm: 20.5 },
    ]);
    await daysOf(id, '2026-01-22', '2026-01-23', 1);
    const trips = (await t.http().get(`/api/v1/vehicles/${id}/trips?from=2026-01-22T00:00:00Z&to=2026-01-23T00:00:00Z`).set(admin).expect(200)).body.items;
    expect(trips.map((trip: { startedAt: string; endedAt: string; distanceKm: number; byIgnition: boolean }) => [trip.startedAt, trip.endedAt, trip.distanceKm, trip.byIgnition])).toEqual([
      ['2026-01-22T08:00:00.000Z', '2026-01-22T08:11:00.000Z', 3, false],
      ['2026-01-22T08:30:00.000Z', '2026-01-22T08:45:00.000Z', 7.5, false],
    ]);
  });

  it('spreads a counter gap over every day it spans, counted and flagged', async () => {
    const id = await register('veh-daily-2');
    // 500 km over 50 days (1200 h) from 2025-12-01T12:00Z to 2026-01-20T12:00Z: longer than MAX_COUNTER_GAP (45 d).
    await device.publish('fleet/v1/vehicles/veh-daily-2/telemetry', { ts: '2025-12-01T12:00:00Z', odometerKm: 0 });
    await device.publish('fleet/v1/vehicles/veh-daily-2/telemetry', { ts: '2026-01-20T12:00:00Z', odometerKm: 500 });
    const days = byDay(await daysOf(id, '2025-12-01', '2026-01-21', 51));
    const perHour = 500 / 1200;
    // Local 2025-12-01 runs 2025-11-30T23:00Z..2025-12-01T23:00Z: 11 h of the gap.
    expect(days['2025-12-01'].distanceKm as number).toBeCloseTo(11 * perHour, 9);
    expect(days['2025-12-25'].distanceKm as number).toBeCloseTo(24 * perHour, 9);
    expect(days['2025-12-25'].longGapCount).toBe(1);
    // Local 2026-01-20 from 2026-01-19T23:00Z to the reading at 12:00Z: 13 h.
    expect(days['2026-01-20'].distanceKm as number).toBeCloseTo(13 * perHour, 9);
    const total = Object.values(days).reduce((sum: number, day) => sum + Number(day.distanceKm ?? 0), 0);
    expect(total).toBeCloseTo(500, 9);
  });

  it('after a gap, rewrites only the days whose figures a new sample changed', async () => {
    const id = await register('veh-daily-3');
    await device.publish('fleet/v1/vehicles/veh-daily-3/telemetry', { ts: '2025-12-01T12:00:00Z', odometerKm: 0 });
    await device.publish('fleet/v1/vehicles/veh-daily-3/telemetry', { ts: '2026-01-20T12:00:00Z', odometerKm: 500 });
    await daysOf(id, '2025-12-01', '2026-01-21', 51);
    const sql = await Sql.connect(t.database.url);
    try {
      const derivedAt = async () =>
        Object.fromEntries(
          (await sql.rows<{ day: string; derived_at: Date }>(`SELECT to_char(day, 'YYYY-MM-DD') AS day, derived_at FROM vehicle_daily WHERE vehicle_id = $1`, [id])).map((row) => [
            row.day,
            row.derived_at.getTime(),
          ]),
        );
      const before = await derivedAt();
      // Later the same day: the gap's interval still ends at 12:00, so its days keep their figures.
      await device.publish('fleet/v1/vehicles/veh-daily-3/telemetry', { ts: '2026-01-20T14:00:00Z', odometerKm: 520 });
      await sql.waitForCount(`SELECT 1 FROM vehicle_daily WHERE vehicle_id = $1 AND day = '2026-01-20' AND sample_count = 2`, 1, [id]);
      const after = await derivedAt();
      expect(after['2026-01-20']).toBeGreaterThan(before['2026-01-20']);
      const { '2026-01-20': _today, ...gapDays } = after;
      const { '2026-01-20': _todayBefore, ...gapDaysBefore } = before;
      expect(Object.keys(gapDays)).toHaveLength(50);
      expect(gapDays).toEqual(gapDaysBefore);
    } finally {
      await sql.close();
    }
  });

  it('gives the same figures whatever order the samples arrive in', async () => {
    const samples = Array.from({ length: 40 }, (_, i) => ({
      ts: new Date(Date.parse('2026-02-03T20:00:00Z') + i * 7 * 60_000).toISOString(),
      odometerKm: i === 20 ? 3 : i > 20 ? 3 + (i - 20) * 4 : 5000 + i * 4.5,
      fuelUsedL: 50 + i * 0.3,
      speedKmh: i % 5 === 0 ? 0 : 40,
    }));
    const shuffled = [...samples].sort((a, b) => ((a.odometerKm * 7919) % 13) - ((b.odometerKm * 7919) % 13));
    const inOrder = await register('veh-order-a');
    const outOfOrder = await register('veh-order-b');
    await device.publish('fleet/v1/vehicles/veh-order-a/telemetry', samples);
    for (let i = 0; i < shuffled.length; i += 7) await device.publish('fleet/v1/vehicles/veh-order-b/telemetry', shuffled.slice(i, i + 7));
    const a = await daysOf(inOrder, '2026-02-03', '2026-02-05', 2);
    const b = await daysOf(outOfOrder, '2026-02-03', '2026-02-05', 2);
    expect(b).toEqual(a);
  });

  it('erases positions past POSITION_RETENTION_DAYS and keeps the distances', async () => {
    const id = await register('veh-old');
    const old = Date.now() - 400 * 86_400_000;
    await device.publish('fleet/v1/vehicles/veh-old/telemetry', [
      { ts: old, odometerKm: 100, lat: 59.9, lon: 10.5, ignition: true, speedKmh: 30 },
      { ts: old + 600_000, odometerKm: 110, lat: 59.91, lon: 10.55, ignition: false, speedKmh: 0 },
    ]);
    const day = new Date(old).toISOString().slice(0, 10);
    const next = new Date(old + 2 * 86_400_000).toISOString().slice(0, 10);
    const before = await daysOf(id, day, next, 1);
    const sql = await Sql.connect(t.database.url);
    try {
      expect(await sql.count(`SELECT 1 FROM vehicle_samples WHERE vehicle_id = $1 AND lat IS NOT NULL`, [id])).toBe(2);
      await t.app.get(PositionRetention).erase();
      expect(await sql.count(`SELECT 1 FROM vehicle_samples WHERE vehicle_id = $1 AND lat IS NOT NULL`, [id])).toBe(0);
      expect(await sql.count(`SELECT 1 FROM trips WHERE vehicle_id = $1 AND (start_lat IS NOT NULL OR end_lat IS NOT NULL)`, [id])).toBe(0);
      expect(await sql.count(`SELECT 1 FROM trips WHERE vehicle_id = $1`, [id])).toBe(1);
    } finally {
      await sql.close();
    }
    const after = (await t.http().get(`/api/v1/vehicles/${id}/daily?from=${day}&to=${next}`).set(admin).expect(200)).body.days;
    expect(after).toEqual(before);
  });

  it('shows live state and the fleet summary', async () => {
    const id = await register('veh-live');
    await device.publish('fleet/v1/vehicles/veh-live/telemetry', { ts: Date.now() - 2 * 3_600_000, lat: 59.87654, lon: 10.54321, speedKmh: 42, socPct: 80, ignition: true });
    const deadline = Date.now() + 10_000;
    let vehicle: { status: string; state: Record<string, unknown> | null } = { status: 'unknown', state: null };
    while (Date.now() < deadline && vehicle.status !== 'online') {
      vehicle = (await t.http().get(`/api/v1/vehicles/${id}`).set(admin).expect(200)).body;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(vehicle).toMatchObject({ status: 'online', state: { speedKmh: 42, socPct: 80, ignition: true, position: { lat: 59.87654, lon: 10.54321 } } });
    const climate = await t.keyFor('climate_office');
    const seenByClimateOffice = (await t.http().get(`/api/v1/vehicles/${id}`).set(bearer(climate)).expect(200)).body;
    expect(seenByClimateOffice.state).not.toHaveProperty('position');
    expect(JSON.stringify(seenByClimateOffice)).not.toMatch(/59\.87654|10\.54321/);
    const online = (await t.http().get('/api/v1/vehicles?status=online').set(admin).expect(200)).body;
    expect(online.items.map((v: { id: string }) => v.id)).toContain(id);
    const summary = (await t.http().get('/api/v1/fleet/summary').set(admin).expect(200)).body;
    expect(summary.byStatus.online).toBeGreaterThanOrEqual(1);

    await device.publish('fleet/v1/vehicles/veh-live/connection', 'offline');
    const offlineBy = Date.now() + 10_000;
    while (Date.now() < offlineBy && vehicle.status !== 'offline') {
      vehicle = (await t.http().get(`/api/v1/vehicles/${id}`).set(admin).expect(200)).body;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(vehicle.status).toBe('offline');

    // The latest sample now, but taken before the 'offline' and stored after it (a late batch, a
    // gateway's backfill): it does not bring the vehicle back online.
    const publishedAt = new Date();
    const lateTs = Date.now() - 3_600_000;
    await device.publish('fleet/v1/vehicles/veh-live/telemetry', { ts: lateTs, speedKmh: 0, ignition: false });
    const sql = await Sql.connect(t.database.url);
    try {
      // Its derivation (rollup, then state, in one transaction) has run. Its own day's row: just
      // after midnight in Oslo the sample two hours back lies on the day before, derived as well.
      await sql.waitForCount(`SELECT 1 FROM vehicle_daily WHERE vehicle_id = $1 AND derived_at > $2 AND day = ($3::timestamptz AT TIME ZONE 'Europe/Oslo')::date`, 1, [
        id,
        publishedAt,
        new Date(lateTs),
      ]);
    } finally {
      await sql.close();
    }
    expect((await t.http().get(`/api/v1/vehicles/${id}`).set(admin).expect(200)).body.status).toBe('offline');

    await device.publish('fleet/v1/vehicles/veh-live/telemetry', { ts: Date.now(), speedKmh: 0, ignition: false });
    const onlineBy = Date.now() + 10_000;
    while (Date.now() < onlineBy && vehicle.status !== 'online') {
      vehicle = (await t.http().get(`/api/v1/vehicles/${id}`).set(admin).expect(200)).body;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(vehicle.status).toBe('online');
  });
});
