import { parse } from 'csv-parse/sync';
import { TestApp, bearer, startTestApp } from '../support/test-app';
import { aCooperative } from '../support/builders';
import { registerChargePoint, settled } from '../support/charging-fixture';
import { TestPublisher } from '../support/mqtt-publisher';
import { Sql } from '../support/sql';

/**
 * Charge-point time through MQTT: availability backfilled with connection events that state their
 * time (telemetry-v1 amendment 1.1), and the charging-usage report of a period that has not ended
 * (its time-based figures over the elapsed part). The backfill's dates are fixed; the horizon is
 * wide so that they stay accepted.
 */
describe('charging: stated connection times and periods in progress', () => {
  let t: TestApp;
  let device: TestPublisher;
  let sql: Sql;
  let admin: Record<string, string>;
  let cooperativeId: string;

  beforeAll(async () => {
    t = await startTestApp({ BACKFILL_HORIZON_DAYS: '3650' });
    admin = bearer(t.adminKey);
    sql = await Sql.connect(t.database.url);
    cooperativeId = (await t.http().post('/api/v1/organizations').set(admin).send(aCooperative()).expect(201)).body.id;
    device = await TestPublisher.connect(t.broker.url);
  });

  afterAll(async () => {
    await device?.close();
    await sql?.close();
    await t?.close();
  });

  const publish = (deviceId: string, stream: string, payload: unknown) => device.publish(`fleet/v1/chargepoints/${deviceId}/${stream}`, payload);
  const report = async (from: string, to: string, format = 'json') =>
    t.http().get(`/api/v1/reports/charging-usage?organizationId=${cooperativeId}&from=${from}&to=${to}&format=${format}`).set(admin).expect(200);
  const rowOf = (body: { chargePoints: Array<{ chargePointId: string }> }, id: string) => body.chargePoints.find((row) => row.chargePointId === id) as Record<string, number | string | boolean | null>;

  it('backfilled availability from timestamped connection events equals the hand-computed value', async () => {
    const id = await registerChargePoint(t, cooperativeId, 'cp-backfill');
    // Published out of order, in the contract's time forms (offsets, Z, epoch ms), one re-sent.
    await publish('cp-backfill', 'connection', { state: 'offline', ts: '2026-11-03T21:00:00+01:00' });
    await publish('cp-backfill', 'connection', { state: 'online', ts: '2026-11-01T13:00:00+01:00' });
    await publish('cp-backfill', 'connection', { state: 'offline', ts: '2026-11-02T05:00:00Z' });
    await publish('cp-backfill', 'status', [
      { ts: '2026-11-03T10:00:00Z', connectorId: 1, status: 'Faulted', errorCode: 'GroundFailure' },
      { ts: '2026-11-03T12:00:00Z', connectorId: 1, status: 'Available' },
    ]);
    await publish('cp-backfill', 'connection', { state: 'online', ts: Date.parse('2026-11-02T09:30:00Z') });
    await publish('cp-backfill', 'connection', { state: 'offline', ts: '2026-11-02T05:00:00Z' }); // re-sent: a duplicate
    // Refused like samples: a stated time beyond the server clock's tolerance.
    await publish('cp-backfill', 'connection', { state: 'online', ts: '2099-01-01T00:00:00Z' });

    /*
     * By hand. The period 2026-11-02 .. 2026-11-04 (exclusive) in Europe/Oslo (UTC+1 in November) is
     * 2026-11-01T23:00Z .. 2026-11-03T23:00Z: 48 h.
     * Online by connection (each event holds until the next, by stated time):
     *   online  2026-11-01T12:00Z .. offline 2026-11-02T05:00Z  -> in the period 23:00Z .. 05:00Z:   6.0 h
     *   online  2026-11-02T09:30Z .. offline 2026-11-03T20:00Z  -> wholly in the period:            34.5 h
     *   offline 2026-11-03T20:00Z .. (nothing later)            -> 0 h
     * Online by heartbeat (15 min either side of a status message): 09:45..10:15Z and 11:45..12:15Z on
     * 2026-11-03, inside the connection's online span already: + 0 h. Online 40.5 h.
     * Unavailable: connector 1 Faulted 2026-11-03T10:00Z .. 12:00Z (its next status), while online: - 2 h.
     * Available 38.5 h of 48 h = 80.2083 %: below 90 %, flagged.
     */
    const expectedPct = (100 * 38.5) / 48;
    const body = await settled(
      async () => (await report('2026-11-02', '2026-11-04')).body,
      (b) => Math.abs((rowOf(b, id).availabilityPct as number) - expectedPct) < 1e-9,
      30_000,
    );
    const row = rowOf(body, id);
    expect(row.availabilityPct).toBeCloseTo(expectedPct, 9);
    expect(row.availabilityBelow90Pct).toBe(true);
    expect(body).toMatchObject({ periodHours: 48, elapsedHours: 48, periodEndsAt: '2026-11-03T23:00:00.000Z' });

    // Stored at the stated times, the re-sent one once, each with its receive time kept; the future one a dead letter.
    const events = await sql.rows<{ state: string; ts: string; received_recently: boolean }>(
      `SELECT state, to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"') AS ts, received_at > now() - interval '10 minutes' AS received_recently
         FROM device_connection_events WHERE device_ref = $1 ORDER BY ts`,
      [id],
    );
    expect(events).toEqual([
      { state: 'online', ts: '2026-11-01T12:00Z', received_recently: true },
      { state: 'offline', ts: '2026-11-02T05:00Z', received_recently: true },
      { state: 'online', ts: '2026-11-02T09:30Z', received_recently: true },
      { state: 'offline', ts: '2026-11-03T20:00Z', received_recently: true },
    ]);
    const letters = (await t.http().get('/api/v1/dead-letters?deviceId=cp-backfill').set(admin).expect(200)).body.items as Array<{ reason: string }>;
    expect(letters.map((letter) => letter.reason)).toEqual(['timestamp_in_future']);
  });

  it('a backfilled connection event never overrides a newer live state', async () => {
    const id = await registerChargePoint(t, cooperativeId, 'cp-live');
    const stateOf = async () => (await t.http().get(`/api/v1/chargepoints/${id}`).set(admin).expect(200)).body as { status: string; state: { connection: string } | null };
    await publish('cp-live', 'connection', 'online'); // live, plain: it happened now
    await settled(stateOf, (point) => point.state?.connection === 'online');
    // History arriving afterwards, stated before the live event: last month's and an hour ago's `offline`.
    await publish('cp-live', 'connection', { state: 'offline', ts: '2026-11-05T08:00:00Z' });
    await publish('cp-live', 'connection', { state: 'offline', ts: new Date(Date.now() - 3_600_000).toISOString() });
    await sql.waitForCount(`SELECT 1 FROM device_connection_events WHERE device_ref = $1`, 3, [id]);
    await new Promise((resolve) => setTimeout(resolve, 2000)); // their derivations ran
    expect(await stateOf()).toMatchObject({ status: 'online', state: { connection: 'online' } });
    // A stated time after the live event is newer: it does change the state.
    await publish('cp-live', 'connection', { state: 'offline', ts: new Date(Date.now() + 1000).toISOString() });
    expect(await settled(stateOf, (point) => point.state?.connection === 'offline')).toMatchObject({ status: 'offline' });
  });

  it('a period that has not ended is measured over its elapsed part, and says so', async () => {
    const id = await registerChargePoint(t, cooperativeId, 'cp-month');
    const [{ monthStart, monthEnd, from, to, nextTo }] = await sql.rows<{ monthStart: Date; monthEnd: Date; from: string; to: string; nextTo: string }>(
      `SELECT date_trunc('month', now() AT TIME ZONE 'Europe/Oslo') AT TIME ZONE 'Europe/Oslo' AS "monthStart",
              (date_trunc('month', now() AT TIME ZONE 'Europe/Oslo') + interval '1 month') AT TIME ZONE 'Europe/Oslo' AS "monthEnd",
              to_char(date_trunc('month', now() AT TIME ZONE 'Europe/Oslo'), 'YYYY-MM-DD') AS from,
              to_char(date_trunc('month', now() AT TIME ZONE 'Europe/Oslo') + interval '1 month', 'YYYY-MM-DD') AS to,
              to_char(date_trunc('month', now() AT TIME ZONE 'Europe/Oslo') + interval '2 months', 'YYYY-MM-DD') AS "nextTo"`,
    );
    const p0 = monthStart.getTime();
    // Online since the day before the month began (a stated time), and one session in the month so far.
    const publishedAt = Date.now();
    await publish('cp-month', 'connection', { state: 'online', ts: new Date(p0 - 86_400_000).toISOString() });
    const elapsedMs = publishedAt - p0;
    const start = new Date(publishedAt - Math.min(2 * 3_600_000, elapsedMs / 2));
    const stop = new Date(publishedAt - Math.min(3_600_000, elapsedMs / 4));
    await publish('cp-month', 'transaction', [
      { ts: start.toISOString(), event: 'start', connectorId: 1, transactionId: 'M1', meterWh: 1000 },
      { ts: stop.toISOString(), event: 'stop', connectorId: 1, transactionId: 'M1', meterWh: 8000 },
    ]);
    const body = await settled(
      async () => (await report(from, to)).body,
      (b) => rowOf(b, id)?.sessions === 1 && (rowOf(b, id).availabilityPct as number) > 0,
      30_000,
    );
    const readAt = Date.now();
    const row = rowOf(body, id);

    // The answer states the period's end and the elapsed part it measured.
    expect(body.periodEndsAt).toBe(monthEnd.toISOString());
    expect(body.elapsedHours).toBeGreaterThan(0);
    expect(body.elapsedHours * 3_600_000).toBeGreaterThanOrEqual(elapsedMs);
    expect(body.elapsedHours * 3_600_000).toBeLessThanOrEqual(readAt - p0);
    expect(body.elapsedHours).toBeLessThan(body.periodHours);
    // Online all along: availability over the elapsed part, not 0.x % of the whole month, and no flag.
    // (The derivation ran after the publish: at least that much of the elapsed time is available.)
    expect(row.availabilityPct).toBeLessThanOrEqual(100 + 1e-9);
    expect(row.availabilityPct).toBeGreaterThanOrEqual((100 * elapsedMs) / (body.elapsedHours * 3_600_000) - 1e-9);
    expect(row.availabilityBelow90Pct).toBe((row.availabilityPct as number) < 90);
    if (elapsedMs > 3_600_000) expect(row.availabilityBelow90Pct).toBe(false);
    // Utilization: occupied time over connectors x elapsed time.
    const occupiedHours = (stop.getTime() - start.getTime()) / 3_600_000;
    expect(row.occupiedHours).toBeCloseTo(occupiedHours, 6);
    expect(row.utilizationPct).toBeCloseTo((100 * occupiedHours) / ((row.connectors as number) * (body.elapsedHours as number)), 9);

    // A period wholly to come has nothing elapsed: no shares, no flags.
    const future = (await report(to, nextTo)).body;
    expect(future.elapsedHours).toBe(0);
    expect(rowOf(future, id)).toMatchObject({ availabilityPct: null, utilizationPct: null, availabilityBelow90Pct: false });
    expect(future.total).toMatchObject({ availabilityPct: null, availabilityBelow90Pct: 0 });

    // The file says the same in every row.
    const rows = parse((await report(from, to, 'csv')).text, { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => r.chargePointId).at(-1)).toBe('total');
    for (const r of rows) {
      expect(r.periodEndsAt).toBe(body.periodEndsAt);
      expect(Number(r.elapsedHours)).toBeGreaterThanOrEqual(body.elapsedHours);
      expect(Number(r.elapsedHours)).toBeLessThan(body.periodHours);
    }
  });
});
