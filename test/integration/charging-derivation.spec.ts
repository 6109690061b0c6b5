import { Workbook } from 'exceljs';
import { TestApp, bearer, startTestApp } from '../support/test-app';
import { aCooperative, aSubsidyGrant } from '../support/builders';
import { binaryBody } from '../support/binary-body';
import { registerChargePoint, settled } from '../support/charging-fixture';
import { TestPublisher } from '../support/mqtt-publisher';
import { Sql } from '../support/sql';

/**
 * Charge-point figures through the whole pipeline (MQTT -> ingest -> job -> worker -> report),
 * each robustness case on a charge point of its own, against figures computed by hand.
 * Europe/Oslo is UTC+2 until 2026-10-25 03:00 local, UTC+1 after: October 2026 is
 * 2026-09-30T22:00Z .. 2026-10-31T23:00Z, 745 hours.
 */
const OCTOBER_HOURS = 745;
/** enabledAvoidedKg per kWh in 2026 with the default factor set (version 1): 0.076 / 0.18 L/kWh x 2.32 x (1 - 0.08) kg/L (petrol of 2020) - 0.019 (grid of 2022). */
const AVOIDED_PER_KWH_2026 = (0.076 / 0.18) * 2.32 * 0.92 - 0.019;
const CLEAR_TAGS = ['TAG-ALICE-0001', 'TAG-BOB-0002'];

describe('charging: sessions, rollups and reports from MQTT', () => {
  let t: TestApp;
  let device: TestPublisher;
  let sql: Sql;
  let admin: Record<string, string>;
  let cooperativeId: string;
  let grantId: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestApp();
    admin = bearer(t.adminKey);
    sql = await Sql.connect(t.database.url);
    cooperativeId = (await t.http().post('/api/v1/organizations').set(admin).send(aCooperative()).expect(201)).body.id;
    grantId = (
      await t
        .http()
        .post('/api/v1/subsidy-grants')
        .set(admin)
        .send(aSubsidyGrant(cooperativeId, { reference: 'BK-2026-017', amountNok: 25000, followUpEndsOn: '2029-06-30' }))
        .expect(201)
    ).body.id;
    device = await TestPublisher.connect(t.broker.url);
  });

  afterAll(async () => {
    await device?.close();
    await sql?.close();
    await t?.close();
  });

  const publish = (deviceId: string, stream: string, payload: unknown) => device.publish(`fleet/v1/chargepoints/${deviceId}/${stream}`, payload);
  const sessionsOf = async (id: string, from = '2026-09-01T00:00:00Z', to = '2026-12-01T00:00:00Z') =>
    (await t.http().get(`/api/v1/chargepoints/${id}/sessions?from=${from}&to=${to}`).set(admin).expect(200)).body.items;
  const report = async (from: string, to: string, format = 'json') =>
    t.http().get(`/api/v1/reports/charging-usage?organizationId=${cooperativeId}&from=${from}&to=${to}&format=${format}`).set(admin).expect(200);
  const rowOf = (body: { chargePoints: Array<{ chargePointId: string }> }, id: string) => body.chargePoints.find((row) => row.chargePointId === id) as Record<string, number | string | boolean>;

  it('duplicate start and stop after a reconnect make one session; the first start and stop count', async () => {
    ids.dup = await registerChargePoint(t, cooperativeId, 'cp-dup', { subsidyGrantId: grantId });
    await publish('cp-dup', 'transaction', [
      { ts: '2026-10-06T16:00:00Z', event: 'start', connectorId: 1, transactionId: 'D1', meterWh: 100000, idTag: CLEAR_TAGS[0] },
      // The same start again with the same time: a duplicate sample, stored once.
      { ts: '2026-10-06T16:00:00Z', event: 'start', connectorId: 1, transactionId: 'D1', meterWh: 100000, idTag: CLEAR_TAGS[0] },
    ]);
    await publish('cp-dup', 'meter', { ts: '2026-10-06T17:00:00Z', connectorId: 1, energyWh: 105000 });
    // After a reconnect the gateway re-sends start and stop stamped with the time of re-sending.
    await publish('cp-dup', 'transaction', [
      { ts: '2026-10-06T16:20:00Z', event: 'start', connectorId: 1, transactionId: 'D1', meterWh: 100000, idTag: CLEAR_TAGS[0] },
      { ts: '2026-10-06T18:00:00Z', event: 'stop', connectorId: 1, transactionId: 'D1', meterWh: 110000, idTag: CLEAR_TAGS[0] },
      { ts: '2026-10-06T18:05:00Z', event: 'stop', connectorId: 1, transactionId: 'D1', meterWh: 110000 },
    ]);
    const sessions = await settled(
      () => sessionsOf(ids.dup),
      (items) => items.length === 1 && items[0].endedAt === '2026-10-06T18:00:00.000Z',
    );
    expect(sessions).toEqual([
      expect.objectContaining({
        connectorId: 1,
        startedAt: '2026-10-06T16:00:00.000Z',
        endedAt: '2026-10-06T18:00:00.000Z',
        source: 'transaction',
        transactionId: 'D1',
        energyKwh: 10,
        durationHours: 2,
        open: false,
        flags: { noStart: false, noStop: false, meterReset: false, duplicateEvents: 2 },
      }),
    ]);
  });

  it('a stop without a start starts at the status run it ends, with energy from the meter register', async () => {
    ids.nostart = await registerChargePoint(t, cooperativeId, 'cp-nostart');
    await publish('cp-nostart', 'status', [
      { ts: '2026-10-08T10:00:00Z', connectorId: 1, status: 'Preparing' },
      { ts: '2026-10-08T10:01:00Z', connectorId: 1, status: 'Charging' },
      { ts: '2026-10-08T12:00:30Z', connectorId: 1, status: 'Finishing' },
      { ts: '2026-10-08T12:01:00Z', connectorId: 1, status: 'Available' },
    ]);
    await publish('cp-nostart', 'meter', [
      { ts: '2026-10-08T10:00:00Z', connectorId: 1, energyWh: 50000 },
      { ts: '2026-10-08T11:00:00Z', connectorId: 1, energyWh: 57000 },
    ]);
    await publish('cp-nostart', 'transaction', { ts: '2026-10-08T12:00:00Z', event: 'stop', connectorId: 1, transactionId: 'N1', meterWh: 64000, idTag: CLEAR_TAGS[1] });
    const sessions = await settled(
      () => sessionsOf(ids.nostart),
      (items) => items.length === 1 && items[0].source === 'transaction',
    );
    // 10:00 (status run start; register 50000) .. 12:00 stop (64000): 14 kWh; the status run is explained by it.
    expect(sessions).toEqual([
      expect.objectContaining({
        startedAt: '2026-10-08T10:00:00.000Z',
        endedAt: '2026-10-08T12:00:00.000Z',
        source: 'transaction',
        energyKwh: 14,
        flags: { noStart: true, noStop: false, meterReset: false, duplicateEvents: 0 },
      }),
    ]);
  });

  it('a start without a stop is closed at its last meter sample after the session timeout, and flagged', async () => {
    ids.nostop = await registerChargePoint(t, cooperativeId, 'cp-nostop');
    await publish('cp-nostop', 'transaction', { ts: '2026-10-07T08:00:00Z', event: 'start', connectorId: 2, transactionId: 'S1', meterWh: 200000, idTag: CLEAR_TAGS[0] });
    await publish('cp-nostop', 'meter', [
      { ts: '2026-10-07T09:00:00Z', connectorId: 2, energyWh: 203000 },
      { ts: '2026-10-07T10:00:00Z', connectorId: 2, energyWh: 206000 },
    ]);
    await publish('cp-nostop', 'status', { ts: '2026-10-09T10:00:00Z', connectorId: 2, status: 'Available' });
    const sessions = await settled(
      () => sessionsOf(ids.nostop),
      (items) => items.length === 1 && items[0].endedAt === '2026-10-07T10:00:00.000Z',
    );
    expect(sessions).toEqual([
      expect.objectContaining({
        connectorId: 2,
        startedAt: '2026-10-07T08:00:00.000Z',
        endedAt: '2026-10-07T10:00:00.000Z',
        energyKwh: 6,
        open: false,
        flags: { noStart: false, noStop: true, meterReset: false, duplicateEvents: 0 },
      }),
    ]);
  });

  it('a meter register reset inside a session counts its step as 0 and flags the session', async () => {
    ids.reset = await registerChargePoint(t, cooperativeId, 'cp-reset');
    await publish('cp-reset', 'transaction', [
      { ts: '2026-10-12T10:00:00Z', event: 'start', connectorId: 1, transactionId: 'R1', meterWh: 1000000 },
      { ts: '2026-10-12T12:30:00Z', event: 'stop', connectorId: 1, transactionId: 'R1', meterWh: 2700 },
    ]);
    await publish('cp-reset', 'meter', [
      { ts: '2026-10-12T11:00:00Z', connectorId: 1, energyWh: 1003000 },
      { ts: '2026-10-12T11:30:00Z', connectorId: 1, energyWh: 200 },
      { ts: '2026-10-12T12:00:00Z', connectorId: 1, energyWh: 2200 },
    ]);
    const sessions = await settled(
      () => sessionsOf(ids.reset),
      (items) => items.length === 1 && items[0].flags.meterReset,
    );
    // 3000 + 0 (reset) + 2000 + 500 Wh
    expect(sessions[0]).toMatchObject({ energyKwh: 5.5, durationHours: 2.5, flags: { meterReset: true, noStart: false, noStop: false } });
  });

  it('statuses that arrive before the transaction explaining them: a status session first, the transaction session after', async () => {
    ids.order = await registerChargePoint(t, cooperativeId, 'cp-order');
    await publish('cp-order', 'status', [
      { ts: '2026-10-14T14:00:00Z', connectorId: 1, status: 'Preparing' },
      { ts: '2026-10-14T14:02:00Z', connectorId: 1, status: 'Charging' },
      { ts: '2026-10-14T16:00:30Z', connectorId: 1, status: 'Finishing' },
      { ts: '2026-10-14T16:05:00Z', connectorId: 1, status: 'Available' },
    ]);
    await publish('cp-order', 'meter', [
      { ts: '2026-10-14T14:00:00Z', connectorId: 1, energyWh: 300000 },
      { ts: '2026-10-14T15:00:00Z', connectorId: 1, energyWh: 302000 },
      { ts: '2026-10-14T16:00:00Z', connectorId: 1, energyWh: 304000 },
    ]);
    const before = await settled(
      () => sessionsOf(ids.order),
      (items) => items.length === 1,
    );
    expect(before).toEqual([expect.objectContaining({ source: 'status', startedAt: '2026-10-14T14:00:00.000Z', endedAt: '2026-10-14T16:05:00.000Z', energyKwh: 4 })]);

    await publish('cp-order', 'transaction', [
      { ts: '2026-10-14T14:01:00Z', event: 'start', connectorId: 1, transactionId: 'O1', meterWh: 300000, idTag: CLEAR_TAGS[1] },
      { ts: '2026-10-14T16:00:00Z', event: 'stop', connectorId: 1, transactionId: 'O1', meterWh: 304000 },
    ]);
    const after = await settled(
      () => sessionsOf(ids.order),
      (items) => items.length === 1 && items[0].source === 'transaction',
    );
    expect(after).toEqual([expect.objectContaining({ source: 'transaction', startedAt: '2026-10-14T14:01:00.000Z', endedAt: '2026-10-14T16:00:00.000Z', energyKwh: 4 })]);
  });

  it('a stop that arrives before its start, three days earlier, leaves one session once the start arrives', async () => {
    ids.long = await registerChargePoint(t, cooperativeId, 'cp-long');
    await publish('cp-long', 'transaction', { ts: '2026-10-19T10:00:00Z', event: 'stop', connectorId: 1, transactionId: 'L1', meterWh: 530000 });
    await settled(
      () => sessionsOf(ids.long),
      (items) => items.length === 1 && items[0].flags.noStart,
    );
    await publish('cp-long', 'transaction', { ts: '2026-10-16T10:00:00Z', event: 'start', connectorId: 1, transactionId: 'L1', meterWh: 500000 });
    const sessions = await settled(
      () => sessionsOf(ids.long),
      (items) => items.length === 1 && !items[0].flags.noStart,
    );
    expect(sessions).toEqual([
      expect.objectContaining({
        startedAt: '2026-10-16T10:00:00.000Z',
        endedAt: '2026-10-19T10:00:00.000Z',
        energyKwh: 30,
        durationHours: 72,
        flags: { noStart: false, noStop: false, meterReset: false, duplicateEvents: 0 },
      }),
    ]);
  });

  it('a session crossing the month boundary counts in October; its time is split between October and November', async () => {
    ids.month = await registerChargePoint(t, cooperativeId, 'cp-month', { subsidyGrantId: grantId });
    // Oslo: 2026-10-31T22:00Z is 23:00 on 31 October; November starts at 23:00Z.
    await publish('cp-month', 'status', [
      { ts: '2026-10-31T22:00:00Z', connectorId: 1, status: 'Charging' },
      { ts: '2026-11-01T01:00:00Z', connectorId: 1, status: 'Finishing' },
      { ts: '2026-11-01T01:01:00Z', connectorId: 1, status: 'Available' },
    ]);
    await publish('cp-month', 'meter', [
      { ts: '2026-10-31T23:00:00Z', connectorId: 1, energyWh: 506000 },
      { ts: '2026-11-01T00:00:00Z', connectorId: 1, energyWh: 512000 },
    ]);
    await publish('cp-month', 'transaction', [
      { ts: '2026-10-31T22:00:00Z', event: 'start', connectorId: 1, transactionId: 'M1', meterWh: 500000, idTag: CLEAR_TAGS[0] },
      { ts: '2026-11-01T01:00:00Z', event: 'stop', connectorId: 1, transactionId: 'M1', meterWh: 518000 },
    ]);
    await settled(
      () => sessionsOf(ids.month),
      (items) => items.length === 1 && items[0].energyKwh === 18,
    );
    const october = (await settled(
      () => report('2026-10-01', '2026-11-01').then((r) => r.body),
      (body) => rowOf(body, ids.month).chargingHours === 1,
    )) as Record<string, unknown>;
    const november = (await report('2026-11-01', '2026-12-01')).body;

    const oct = rowOf(october as never, ids.month);
    expect(oct).toMatchObject({ sessions: 1, energyKwh: 18, uniqueUsers: 1, connectors: 2, subsidyGrantReference: 'BK-2026-017', subsidyAmountNok: 25000, followUpEndsOn: '2029-06-30' });
    expect(oct.occupiedHours).toBeCloseTo(1, 9); // 22:00Z..23:00Z
    expect(oct.chargingHours).toBeCloseTo(1, 9);
    expect(oct.utilizationPct).toBeCloseTo((100 * 1) / (2 * OCTOBER_HOURS), 9);
    // Online within 15 min of a message (22:00, 23:00, 00:00, 01:00, 01:01): in October 21:45..22:15 and 22:45..23:00Z.
    expect(oct.availabilityPct).toBeCloseTo((100 * 0.75) / OCTOBER_HOURS, 9);
    expect(oct.enabledAvoidedKg).toBeCloseTo(18 * AVOIDED_PER_KWH_2026, 9);
    // Silent from 1 October (commissioned in September) until 31 October 22:00Z, and far below 90 % availability.
    expect(oct).toMatchObject({ silentOver7Days: true, availabilityBelow90Pct: true });
    expect(oct.longestSilenceDays).toBeCloseTo(31, 9); // 2026-09-30T22:00Z .. 2026-10-31T22:00Z

    const nov = rowOf(november, ids.month);
    expect(nov).toMatchObject({ sessions: 0, energyKwh: 0, uniqueUsers: 0, enabledAvoidedKg: 0 });
    expect(nov.occupiedHours).toBeCloseTo(2, 9); // 23:00Z..01:00Z
    expect(nov.chargingHours).toBeCloseTo(2, 9);
    // 23:00..23:15, 23:45..00:15, 00:45..01:16Z: 76 minutes
    expect(nov.availabilityPct).toBeCloseTo((100 * 76) / 60 / (30 * 24), 9);
  });

  it('reports the robustness cases in the October figures; total counts users once and the grant once', async () => {
    const { body } = await report('2026-10-01', '2026-11-01');
    expect(rowOf(body, ids.dup)).toMatchObject({ sessions: 1, energyKwh: 10, occupiedHours: 2, uniqueUsers: 1 });
    expect(rowOf(body, ids.nostart)).toMatchObject({ sessions: 1, energyKwh: 14, occupiedHours: 2, flaggedSessions: 1, uniqueUsers: 1 });
    expect(rowOf(body, ids.nostop)).toMatchObject({ sessions: 1, energyKwh: 6, occupiedHours: 2, flaggedSessions: 1 });
    expect(rowOf(body, ids.reset)).toMatchObject({ sessions: 1, energyKwh: 5.5, occupiedHours: 2.5, flaggedSessions: 1, uniqueUsers: 0 });
    expect(rowOf(body, ids.order)).toMatchObject({ sessions: 1, energyKwh: 4, uniqueUsers: 1 });
    expect(rowOf(body, ids.order).occupiedHours).toBeCloseTo(119 / 60, 9);
    // Charging status 14:02 .. Finishing 16:00:30
    expect(rowOf(body, ids.order).chargingHours).toBeCloseTo((118 * 60 + 30) / 3600, 9);
    expect(body.total).toMatchObject({ chargePoints: 7, connectors: 14, sessions: 7, uniqueUsers: 2, subsidyAmountNok: 25000, flaggedSessions: 3 });
    expect(body.total.energyKwh).toBeCloseTo(10 + 14 + 6 + 5.5 + 4 + 30 + 18, 9);
    expect(body.total.enabledAvoidedKg).toBeCloseTo((10 + 14 + 6 + 5.5 + 4 + 30 + 18) * AVOIDED_PER_KWH_2026, 9);
    expect(body.factors).toEqual([expect.objectContaining({ year: 2026, substituted: true })]);
  });

  it('exports XLSX that exceljs reads back with the same figures as the JSON, and CSV likewise', async () => {
    const json = (await report('2026-10-01', '2026-11-01')).body;
    const xlsx = await t
      .http()
      .get(`/api/v1/reports/charging-usage?organizationId=${cooperativeId}&from=2026-10-01&to=2026-11-01&format=xlsx`)
      .set(admin)
      .buffer(true)
      .parse(binaryBody as never)
      .expect(200);
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
    const workbook = new Workbook();
    await workbook.xlsx.load(xlsx.body);
    const sheet = workbook.getWorksheet('report')!;
    const header = (sheet.getRow(1).values as unknown[]).slice(1) as string[];
    const rows = [];
    for (let r = 2; r <= sheet.rowCount; r++) {
      const values = (sheet.getRow(r).values as unknown[]).slice(1);
      rows.push(Object.fromEntries(header.map((key, i) => [key, values[i] ?? null])));
    }
    expect(rows).toHaveLength(json.chargePoints.length + 1);
    for (const row of json.chargePoints) {
      const read = rows.find((x) => x.chargePointId === row.chargePointId)!;
      // periodEndsAt and elapsedHours are the report's, carried in every row of a file.
      for (const key of header) expect({ key, value: read[key] }).toEqual({ key, value: (key in row ? row[key] : json[key]) ?? null });
    }
    const total = rows.find((x) => x.chargePointId === 'total')!;
    for (const key of ['sessions', 'energyKwh', 'occupiedHours', 'chargingHours', 'utilizationPct', 'availabilityPct', 'uniqueUsers', 'enabledAvoidedKg']) {
      expect({ key, value: total[key] }).toEqual({ key, value: json.total[key] });
    }
    const csv = (await report('2026-10-01', '2026-11-01', 'csv')).text;
    const monthLine = csv.split('\r\n').find((line) => line.startsWith(ids.month))!;
    expect(monthLine.split(',')[header.indexOf('enabledAvoidedKg')]).toBe(String(rowOf(json, ids.month).enabledAvoidedKg));
  });

  it('shows live connector states and an open session on GET /chargepoints', async () => {
    ids.live = await registerChargePoint(t, cooperativeId, 'cp-live');
    const started = new Date(Date.now() - 30 * 60_000);
    await publish('cp-live', 'status', [
      { ts: started.toISOString(), connectorId: 1, status: 'Charging' },
      { ts: new Date(Date.now() - 60_000).toISOString(), connectorId: 2, status: 'Faulted', errorCode: 'GroundFailure' },
    ]);
    await publish('cp-live', 'transaction', { ts: started.toISOString(), event: 'start', connectorId: 1, transactionId: 'L1', meterWh: 1000 });
    await publish('cp-live', 'meter', { ts: new Date(Date.now() - 60_000).toISOString(), connectorId: 1, energyWh: 4000, powerW: 7200 });
    const point = await settled(
      async () => (await t.http().get(`/api/v1/chargepoints/${ids.live}`).set(admin).expect(200)).body,
      (body) => body.state?.connectors?.length === 2 && body.state.connectors[0].openSession !== null && body.state.connectors[0].energyWh === 4000,
    );
    expect(point.status).toBe('online');
    expect(point.state.connectors).toEqual([
      expect.objectContaining({ connectorId: 1, status: 'Charging', energyWh: 4000, powerW: 7200, openSession: expect.objectContaining({ transactionId: 'L1', energyKwh: 3 }) }),
      expect.objectContaining({ connectorId: 2, status: 'Faulted', errorCode: 'GroundFailure', openSession: null }),
    ]);
    const list = (await t.http().get(`/api/v1/chargepoints?organizationId=${cooperativeId}`).set(admin).expect(200)).body;
    expect(list.items.find((item: { id: string }) => item.id === ids.live).state.connectors).toHaveLength(2);
    expect(list.items.find((item: { id: string }) => item.id === ids.dup).status).toBe('offline');
  });

  it('derives the same sessions, rollups and availability whatever the order and grouping of the samples', async () => {
    // Every robustness case on one charge point: all at once in time order, or one sample per message in a shuffled order.
    const samples: Array<[string, Record<string, unknown>]> = [
      ['status', { ts: '2026-10-08T10:00:00Z', connectorId: 1, status: 'Preparing' }],
      ['status', { ts: '2026-10-08T10:01:00Z', connectorId: 1, status: 'Charging' }],
      ['meter', { ts: '2026-10-08T10:00:00Z', connectorId: 1, energyWh: 50000 }],
      ['meter', { ts: '2026-10-08T11:00:00Z', connectorId: 1, energyWh: 57000 }],
      ['transaction', { ts: '2026-10-08T12:00:00Z', event: 'stop', connectorId: 1, transactionId: 'N1', meterWh: 64000, idTag: CLEAR_TAGS[1] }],
      ['status', { ts: '2026-10-08T12:00:30Z', connectorId: 1, status: 'Finishing' }],
      ['status', { ts: '2026-10-08T12:01:00Z', connectorId: 1, status: 'Available' }],
      ['transaction', { ts: '2026-10-07T08:00:00Z', event: 'start', connectorId: 2, transactionId: 'S1', meterWh: 200000, idTag: CLEAR_TAGS[0] }],
      ['meter', { ts: '2026-10-07T09:00:00Z', connectorId: 2, energyWh: 203000 }],
      ['meter', { ts: '2026-10-07T10:00:00Z', connectorId: 2, energyWh: 206000 }],
      ['status', { ts: '2026-10-09T10:00:00Z', connectorId: 2, status: 'Available' }],
      ['transaction', { ts: '2026-10-12T10:00:00Z', event: 'start', connectorId: 1, transactionId: 'R1', meterWh: 1000000 }],
      ['meter', { ts: '2026-10-12T11:00:00Z', connectorId: 1, energyWh: 1003000 }],
      ['meter', { ts: '2026-10-12T11:30:00Z', connectorId: 1, energyWh: 200 }],
      ['transaction', { ts: '2026-10-12T12:30:00Z', event: 'stop', connectorId: 1, transactionId: 'R1', meterWh: 2700 }],
      ['transaction', { ts: '2026-10-12T12:40:00Z', event: 'stop', connectorId: 1, transactionId: 'R1', meterWh: 2700 }],
      ['status', { ts: '2026-10-14T14:00:00Z', connectorId: 1, status: 'Preparing' }],
      ['status', { ts: '2026-10-14T14:02:00Z', connectorId: 1, status: 'Charging' }],
      ['status', { ts: '2026-10-14T16:00:30Z', connectorId: 1, status: 'Finishing' }],
      ['status', { ts: '2026-10-14T16:05:00Z', connectorId: 1, status: 'Faulted' }],
      ['status', { ts: '2026-10-15T09:00:00Z', connectorId: 1, status: 'Available' }],
      ['meter', { ts: '2026-10-14T14:00:00Z', connectorId: 1, energyWh: 300000 }],
      ['meter', { ts: '2026-10-14T15:00:00Z', connectorId: 1, energyWh: 302000 }],
      ['transaction', { ts: '2026-10-14T14:01:00Z', event: 'start', connectorId: 1, transactionId: 'O1', meterWh: 300000, idTag: CLEAR_TAGS[1] }],
      ['transaction', { ts: '2026-10-14T16:00:00Z', event: 'stop', connectorId: 1, transactionId: 'O1', meterWh: 304000 }],
      ['status', { ts: '2026-10-31T22:00:00Z', connectorId: 1, status: 'Charging' }],
      ['meter', { ts: '2026-10-31T23:00:00Z', connectorId: 1, energyWh: 506000 }],
      ['transaction', { ts: '2026-10-31T22:00:00Z', event: 'start', connectorId: 1, transactionId: 'M1', meterWh: 500000 }],
      ['transaction', { ts: '2026-11-01T01:00:00Z', event: 'stop', connectorId: 1, transactionId: 'M1', meterWh: 518000 }],
      ['status', { ts: '2026-11-01T01:01:00Z', connectorId: 1, status: 'Available' }],
    ];
    const inOrder = await registerChargePoint(t, cooperativeId, 'cp-in-order');
    const shuffled = await registerChargePoint(t, cooperativeId, 'cp-shuffled');
    const byTime = [...samples].sort((a, b) => Date.parse(a[1].ts as string) - Date.parse(b[1].ts as string));
    for (const stream of ['status', 'meter', 'transaction']) {
      await publish(
        'cp-in-order',
        stream,
        byTime.filter(([s]) => s === stream).map(([, sample]) => sample),
      );
    }
    // A fixed permutation (every 7th, wrapping), so that a failure can be replayed.
    const permuted = samples.map((_, i) => samples[(i * 7) % samples.length]);
    expect(new Set(permuted).size).toBe(samples.length);
    for (const [stream, sample] of permuted) await publish('cp-shuffled', stream, sample);

    const snapshot = async (id: string) => ({
      sessions: await sql.rows(
        `SELECT connector_id, started_at, ended_at, source, transaction_id, energy_kwh, id_tag_hash, open, no_start, no_stop, meter_reset, duplicate_events
                                  FROM charging_sessions WHERE charge_point_id = $1 ORDER BY started_at, connector_id`,
        [id],
      ),
      connectorDays: await sql.rows(
        `SELECT connector_id, to_char(day, 'YYYY-MM-DD') AS day, sessions, energy_kwh, occupied_seconds, charging_seconds FROM charge_point_connector_daily WHERE charge_point_id = $1 ORDER BY day, connector_id`,
        [id],
      ),
      days: await sql.rows(
        `SELECT to_char(day, 'YYYY-MM-DD') AS day, available_seconds, online_seconds, message_count, first_message_at, last_message_at FROM charge_point_daily WHERE charge_point_id = $1 ORDER BY day`,
        [id],
      ),
      availability: await sql.rows(`SELECT to_char(day, 'YYYY-MM-DD') AS day, started_at, ended_at FROM charge_point_availability WHERE charge_point_id = $1 ORDER BY started_at`, [id]),
      connectors: await sql.rows(`SELECT connector_id, status, status_at, energy_wh, meter_at FROM charge_point_connector_state WHERE charge_point_id = $1 ORDER BY connector_id`, [id]),
    });
    const expected = await settled(
      () => snapshot(inOrder),
      (s) => s.sessions.length === 5 && s.days.length >= 6,
    );
    expect(expected.sessions.map((x) => x.energy_kwh)).toEqual([6, 14, 5.5, 4, 18]);
    // The Faulted connector (16:05 on 14 October until 09:00 the next day) is unavailable although the charge point was online at 16:05.
    const fault = expected.days.find((d) => d.day === '2026-10-14')!;
    expect(fault.available_seconds).toBeLessThan(fault.online_seconds as number);
    await settled(
      () => snapshot(shuffled),
      (s) => JSON.stringify(s) === JSON.stringify(expected),
      30_000,
    );
    expect(await snapshot(shuffled)).toEqual(expected);
  });

  it('keeps no clear idTag anywhere in the database, dead letters of rejected transactions included', async () => {
    const future = new Date(Date.now() + 3_600_000).toISOString();
    await publish('cp-dup', 'transaction', { ts: future, event: 'start', connectorId: 1, transactionId: 'F1', meterWh: 1, idTag: CLEAR_TAGS[1] });
    await publish('cp-dup', 'transaction', `{"ts":"2026-10-06T16:00:00Z","event":"start","idTag":"${CLEAR_TAGS[0]}",`);
    await sql.waitForCount(`SELECT 1 FROM dead_letters WHERE topic LIKE '%/cp-dup/transaction'`, 2);
    const columns = await sql.rows<{ table_name: string; column_name: string; data_type: string }>(
      `SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c
         JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
        WHERE c.table_schema = 'public' AND c.data_type IN ('text', 'character varying', 'bytea', 'jsonb', 'json')`,
    );
    expect(columns.length).toBeGreaterThan(20);
    expect(await sql.count(`SELECT 1 FROM charge_point_transactions WHERE id_tag_hash IS NOT NULL`)).toBeGreaterThan(0);
    for (const tag of CLEAR_TAGS) {
      for (const { table_name, column_name, data_type } of columns) {
        const match = data_type === 'bytea' ? `position(convert_to($1, 'UTF8') IN "${column_name}") > 0` : `"${column_name}"::text ILIKE '%' || $1 || '%'`;
        const hits = await sql.count(`SELECT 1 FROM "${table_name}" WHERE ${match}`, [tag]);
        expect({ table_name, column_name, tag, hits }).toEqual({ table_name, column_name, tag, hits: 0 });
      }
    }
  });
});
