import { Workbook } from 'exceljs';
import { TestApp, bearer, startTestApp } from '../support/test-app';
import { aVehicle, anOrganization } from '../support/builders';
import { TestPublisher } from '../support/mqtt-publisher';
import { Sql } from '../support/sql';
import { QueueName } from '../../src/platform/queue/job-catalogue';
import { QueueService } from '../../src/platform/queue/queue.service';
import { binaryBody } from '../support/binary-body';

/**
 * Must-show 1 of issue 15: reports-v1 amendment 1.1's example through MQTT, against figures
 * computed here by hand. A diesel car sends a sample at local midnight (Europe/Oslo) on the first
 * of every month of 2018 and at the end of 2018-12-31 (23:00Z, the local midnight that starts
 * 2019), then nothing until 2020-01-01 (local midnight, 2019-12-31T23:00Z): every interval of 2018
 * is 28-31 days, the next one is 365 days, over MAX_COUNTER_GAP (45 days) and exactly local 2019.
 * Odometer +1,000 km and fuel +70 L a month in 2018 (12,000 km, 840 L); +9,000 km and +720 L over
 * the gap.
 */
describe('emissions: coverage and long gaps (reports-v1 amendment 1.1)', () => {
  let t: TestApp;
  let device: TestPublisher;
  let sql: Sql;
  let admin: Record<string, string>;
  let climate: Record<string, string>;
  let carId: string;
  let version: number;

  const GAP_FROM = '2018-12-31T23:00:00.000Z';
  const GAP_TO = '2019-12-31T23:00:00.000Z';
  // Local midnight of the first of each month of 2018: UTC+1 in winter, UTC+2 from 25 March to 28 October.
  const MONTH_STARTS = [
    '2017-12-31T23:00:00Z',
    '2018-01-31T23:00:00Z',
    '2018-02-28T23:00:00Z',
    '2018-03-31T22:00:00Z',
    '2018-04-30T22:00:00Z',
    '2018-05-31T22:00:00Z',
    '2018-06-30T22:00:00Z',
    '2018-07-31T22:00:00Z',
    '2018-08-31T22:00:00Z',
    '2018-09-30T22:00:00Z',
    '2018-10-31T23:00:00Z',
    '2018-11-30T23:00:00Z',
  ];

  beforeAll(async () => {
    // Samples from 2018 are older than the default backfill horizon (800 days).
    t = await startTestApp({ INGEST_CONNECTIONS: '2', BACKFILL_HORIZON_DAYS: '5000' });
    admin = bearer(t.adminKey);
    sql = await Sql.connect(t.database.url);
    const departmentId = (await t.http().post('/api/v1/organizations').set(admin).send(anOrganization()).expect(201)).body.id;
    device = await TestPublisher.connect(t.broker.url);
    carId = (
      await t
        .http()
        .post('/api/v1/vehicles')
        .set(admin)
        .send(aVehicle(departmentId, { registration: 'DG10001', deviceId: 'veh-gap-1', energyCarrier: 'diesel', nominalConsumptionPerKm: null, inServiceFrom: '2018-01-01' }))
        .expect(201)
    ).body.id;
    await new Promise((resolve) => setTimeout(resolve, 500)); // the ingest's device list reloads on the registry's notification

    const samples = [
      ...MONTH_STARTS.map((ts, i) => ({ ts, odometerKm: 10_000 + 1000 * i, fuelUsedL: 500 + 70 * i })),
      { ts: GAP_FROM, odometerKm: 22_000, fuelUsedL: 1340 },
      { ts: GAP_TO, odometerKm: 31_000, fuelUsedL: 2060 },
    ];
    await device.publish('fleet/v1/vehicles/veh-gap-1/telemetry', samples);
    await settled(12_000 + 9000);

    const set = {
      name: 'Round figures for the coverage test',
      factors: [
        { carrier: 'diesel', year: 2018, ttwKgPerUnit: 2.5, wttKgPerUnit: 0.6, biogenicKgPerUnit: 0, energyKwhPerUnit: 10, source: 'test' },
        { carrier: 'diesel', year: 2019, ttwKgPerUnit: 2.4, wttKgPerUnit: 0.6, biogenicKgPerUnit: 0, energyKwhPerUnit: 10, source: 'test' },
      ],
      consumption: [{ vehicleClass: 'passenger_car', carrier: 'diesel', perKm: 0.07, reference: true, source: 'test' }],
    };
    version = (await t.http().post('/api/v1/emissions/factor-sets').set(admin).send(set).expect(201)).body.version;
    climate = bearer(await t.keyFor('climate_office'));
  });

  afterAll(async () => {
    await device?.close();
    await sql?.close();
    await t?.close();
  });

  const number = async (text: string) => Number((await sql.rows<{ n: string | null }>(text))[0].n ?? 0);

  async function settled(expectedKm: number) {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (Math.abs((await number(`SELECT sum(distance_km) AS n FROM vehicle_daily`)) - expectedKm) < 1e-6) {
        await new Promise((resolve) => setTimeout(resolve, 1500)); // a re-derivation still queued settles
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`rollups did not reach ${expectedKm} km: ${await number(`SELECT sum(distance_km) AS n FROM vehicle_daily`)}`);
  }

  const report = async (from: string, to: string, groupBy = 'vehicle') =>
    (await t.http().get(`/api/v1/reports/emissions?from=${from}&to=${to}&groupBy=${groupBy}&factorSet=${version}`).set(climate).expect(200)).body;

  it('2018: coverage 1, everything primary, no gap flag', async () => {
    const year = await report('2018-01-01', '2019-01-01');
    expect(year).toMatchObject({ periodEnded: true, elapsedHours: 8760, periodEndsAt: '2018-12-31T23:00:00.000Z' });
    expect(year.rows).toHaveLength(1);
    for (const row of [year.rows[0], year.total]) {
      expect(row.coverage).toBeCloseTo(1, 12);
      expect(row.distanceKm).toBeCloseTo(12_000, 9);
      expect(row.energy.dieselL).toBeCloseTo(840, 9);
      expect(row.actualKg).toBeCloseTo(840 * 2.5, 9);
      expect(row.dataQuality).toEqual({ primary: 1, modelled: 0, default: 0 });
      expect(row.distanceDataQuality).toEqual({ primary: 1, modelled: 0 });
    }
    expect(year.counterGaps).toEqual([]);
    expect(year.flags).toEqual([]);
    const months = await report('2018-01-01', '2019-01-01', 'month');
    expect(months.rows.map((row: { coverage: number }) => row.coverage)).toEqual(Array(12).fill(expect.closeTo(1, 12)));
  });

  it('2019: coverage 0, distance and fuel wholly modelled, the gap flagged with vehicle, from, to and km', async () => {
    const year = await report('2019-01-01', '2020-01-01');
    for (const row of [year.rows[0], year.total]) {
      expect(row.coverage).toBe(0);
      expect(row.distanceKm).toBeCloseTo(9000, 9);
      expect(row.energy.dieselL).toBeCloseTo(720, 9);
      expect(row.actualKg).toBeCloseTo(720 * 2.4, 9);
      expect(row.dataQuality).toEqual({ primary: 0, modelled: 1, default: 0 });
      expect(row.distanceDataQuality).toEqual({ primary: 0, modelled: 1 });
    }
    expect(year.counterGaps).toEqual([
      { vehicleId: carId, registration: 'DG10001', counter: 'odometer', from: GAP_FROM, to: GAP_TO, quantity: 9000, quantityInPeriod: 9000, unit: 'km' },
      { vehicleId: carId, registration: 'DG10001', counter: 'fuel', from: GAP_FROM, to: GAP_TO, quantity: 720, quantityInPeriod: 720, unit: 'L' },
    ]);
    const flag = year.flags.find((f: string) => f.includes('odometer'));
    expect(flag).toEqual(`DG10001: odometer interval over MAX_COUNTER_GAP (45 days) from ${GAP_FROM} to ${GAP_TO}: 9000 km, 9000 km of it in the period, counted as modelled`);
    expect(year.rows[0].flags).toContain(flag);

    // By month: spread in proportion to time (January 744 h, March 743 h of the year's 8,760 h), all modelled.
    const months = await report('2019-01-01', '2020-01-01', 'month');
    expect(months.rows).toHaveLength(12);
    expect(months.rows[0].distanceKm).toBeCloseTo((9000 * 744) / 8760, 9);
    expect(months.rows[2].distanceKm).toBeCloseTo((9000 * 743) / 8760, 9);
    for (const row of months.rows) {
      expect(row.coverage).toBe(0);
      expect(row.dataQuality.modelled).toBe(1);
      expect(row.flags).toContain(flag);
    }
    expect(months.rows[0].flags.join(' ')).toContain('9000 km');

    const kpis = (await t.http().get(`/api/v1/reports/fleet-kpis?year=2019&factorSet=${version}`).set(climate).expect(200)).body;
    expect(kpis.totals.coverage).toBe(0);
    expect(kpis.totals.dataQuality.modelled).toBe(1);
    expect(kpis.flags).toContain(flag);

    const csv = (await t.http().get(`/api/v1/reports/emissions?from=2019-01-01&to=2020-01-01&groupBy=vehicle&factorSet=${version}&format=csv`).set(climate).expect(200)).text;
    const [header, car, total] = csv.split('\r\n').map((line) => line.split(','));
    const coverageColumn = header.indexOf('coverage');
    expect([car[0], total[0]]).toEqual([carId, 'total']);
    expect([car[coverageColumn], total[coverageColumn]]).toEqual(['0', '0']);
    expect(csv).toContain('DG10001: odometer interval over MAX_COUNTER_GAP');
  });

  it('the change report 2018 -> 2019 states both coverages, in JSON and XLSX', async () => {
    const q = `/api/v1/reports/emissions/change?baseYear=2018&year=2019&factorSet=${version}`;
    const change = (await t.http().get(q).set(climate).expect(200)).body;
    expect(change.base.coverage).toBeCloseTo(1, 12);
    expect(change.current.coverage).toBe(0);
    expect(change.base.dataQuality.primary).toBe(1);
    expect(change.current.dataQuality.modelled).toBe(1);
    expect(change.baseKg).toBeCloseTo(840 * 2.5, 9);
    expect(change.currentKg).toBeCloseTo(720 * 2.4, 9);
    expect(change.flags).toContain(`DG10001: odometer interval over MAX_COUNTER_GAP (45 days) from ${GAP_FROM} to ${GAP_TO}: 9000 km, 9000 km of it in the period, counted as modelled`);
    console.log(
      `coverage example: ${change.baseYear} coverage ${change.base.coverage} primary ${change.base.dataQuality.primary} ${change.base.distanceKm} km ${change.baseKg} kg; ` +
        `${change.year} coverage ${change.current.coverage} modelled ${change.current.dataQuality.modelled} distance modelled ${change.current.distanceDataQuality.modelled} ` +
        `${change.current.distanceKm} km ${change.currentKg} kg; changePct ${change.changePct}; gaps ${change.current.counterGaps.length}`,
    );

    const xlsx = await t
      .http()
      .get(`${q}&format=xlsx`)
      .set(climate)
      .buffer(true)
      .parse(binaryBody as never)
      .expect(200);
    const workbook = new Workbook();
    await workbook.xlsx.load(xlsx.body);
    const sheet = workbook.getWorksheet('report')!;
    const headers = (sheet.getRow(1).values as unknown[]).slice(1);
    const cell = (name: string) => sheet.getRow(2).getCell(headers.indexOf(name) + 1).value;
    expect(cell('baseCoverage')).toBeCloseTo(1, 12);
    expect(cell('currentCoverage')).toBe(0);
  });

  it('the per-vehicle daily report: coverage per day and for the period, modelled distance, the gap as a flag; CSV too', async () => {
    const gapDays = (await t.http().get(`/api/v1/vehicles/${carId}/daily?from=2019-06-01&to=2019-06-03`).set(admin).expect(200)).body;
    expect(gapDays.days).toHaveLength(2);
    for (const day of gapDays.days) {
      expect(day.coverage).toBe(0);
      expect(day.distanceKm).toBeCloseTo((9000 * 24) / 8760, 9);
      expect(day.modelledDistanceKm).toBeCloseTo((9000 * 24) / 8760, 9);
    }
    expect(gapDays.total).toMatchObject({ coverage: 0, inServiceHours: 48 });
    expect(gapDays.flags).toEqual([
      `DG10001: odometer interval over MAX_COUNTER_GAP (45 days) from ${GAP_FROM} to ${GAP_TO}: 9000 km, spread over its days as modelled`,
      `DG10001: fuel interval over MAX_COUNTER_GAP (45 days) from ${GAP_FROM} to ${GAP_TO}: 720 L, spread over its days as modelled`,
    ]);

    const measured = (await t.http().get(`/api/v1/vehicles/${carId}/daily?from=2018-06-01&to=2018-06-03`).set(admin).expect(200)).body;
    expect(measured.days.map((day: { coverage: number }) => day.coverage)).toEqual([1, 1]);
    expect(measured.days.map((day: { modelledDistanceKm: number }) => day.modelledDistanceKm)).toEqual([0, 0]);
    expect(measured.total.coverage).toBe(1);
    expect(measured.flags).toEqual([]);

    const csv = (await t.http().get(`/api/v1/vehicles/${carId}/daily?from=2019-06-01&to=2019-06-03&format=csv`).set(admin).expect(200)).text;
    const lines = csv.split('\r\n');
    const header = lines[0].split(',');
    expect(header).toEqual(expect.arrayContaining(['day', 'distanceKm', 'modelledDistanceKm', 'coverage', 'flags']));
    expect(lines[3].split(',')[header.indexOf('day')]).toBe('total');
    expect(lines[3].split(',')[header.indexOf('coverage')]).toBe('0');
  });

  it('samples arriving later inside the gap re-derive it: 2019 becomes covered and primary, the flag goes', async () => {
    // Local midnight of the first of February to December 2019 (summer time from 31 March to 27 October).
    const starts = [
      '2019-01-31T23:00:00Z',
      '2019-02-28T23:00:00Z',
      '2019-03-31T22:00:00Z',
      '2019-04-30T22:00:00Z',
      '2019-05-31T22:00:00Z',
      '2019-06-30T22:00:00Z',
      '2019-07-31T22:00:00Z',
      '2019-08-31T22:00:00Z',
      '2019-09-30T22:00:00Z',
      '2019-10-31T23:00:00Z',
      '2019-11-30T23:00:00Z',
    ];
    await device.publish(
      'fleet/v1/vehicles/veh-gap-1/telemetry',
      starts.map((ts, i) => ({ ts, odometerKm: 22_750 + 750 * i, fuelUsedL: 1400 + 60 * i })),
    );
    // Until the derivation jobs these samples caused have all run (on a busy machine that took over
    // 30 s once), then the figures are final.
    const derive = t.app.get(QueueService).queue(QueueName.Derive);
    const deadline = Date.now() + 90_000;
    let year = await report('2019-01-01', '2020-01-01');
    for (;;) {
      const jobs = await derive.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      const idle = jobs.waiting + jobs.active + jobs.delayed + jobs.prioritized === 0;
      if ((idle && year.total.coverage >= 1 - 1e-9) || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 300));
      year = await report('2019-01-01', '2020-01-01');
    }
    expect(year.total.coverage).toBeCloseTo(1, 12);
    expect(year.total.distanceKm).toBeCloseTo(9000, 9);
    expect(year.total.dataQuality).toEqual({ primary: 1, modelled: 0, default: 0 });
    expect(year.counterGaps).toEqual([]);
    expect(await number(`SELECT count(*) AS n FROM vehicle_counter_gaps`)).toBe(0);
  });
});
