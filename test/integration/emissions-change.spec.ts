import { TestApp, bearer, startTestApp } from '../support/test-app';
import { aVehicle, anOrganization } from '../support/builders';
import { TestPublisher } from '../support/mqtt-publisher';
import { Sql } from '../support/sql';

/**
 * Must-show 2: a small fleet of petrol cars in 2019, two of them replaced by electric cars in
 * 2020; telemetry through MQTT, rollups by the worker, a factor set published through the API, and
 * the change report against figures computed here by hand. Samples are taken around the turn of
 * the year, with counters that stand still between the years, so every delta falls in one local
 * day (Europe/Oslo is UTC+1 in winter).
 */
describe('emissions: year-over-year change through the whole pipeline', () => {
  let t: TestApp;
  let device: TestPublisher;
  let sql: Sql;
  let admin: Record<string, string>;
  let departmentId: string;

  beforeAll(async () => {
    // Samples from 2019 are older than the default backfill horizon (800 days).
    t = await startTestApp({ INGEST_CONNECTIONS: '2', BACKFILL_HORIZON_DAYS: '5000' });
    admin = bearer(t.adminKey);
    sql = await Sql.connect(t.database.url);
    departmentId = (await t.http().post('/api/v1/organizations').set(admin).send(anOrganization()).expect(201)).body.id;
    device = await TestPublisher.connect(t.broker.url);
  });

  afterAll(async () => {
    await device?.close();
    await sql?.close();
    await t?.close();
  });

  async function register(registration: string, overrides: Record<string, unknown>): Promise<string> {
    return (
      await t
        .http()
        .post('/api/v1/vehicles')
        .set(admin)
        .send(aVehicle(departmentId, { registration, deviceId: `veh-${registration.toLowerCase()}`, nominalConsumptionPerKm: null, ...overrides }))
        .expect(201)
    ).body.id;
  }

  type Reading = Record<string, number>;
  /** Two samples two hours apart on 2019-12-30 and two on 2020-01-02, 08:00Z and 10:00Z. */
  async function drive(registration: string, days: Array<[string, Reading, Reading]>) {
    const samples = days.flatMap(([date, start, end]) => [
      { ts: `${date}T08:00:00Z`, ...start },
      { ts: `${date}T10:00:00Z`, ...end },
    ]);
    await device.publish(`fleet/v1/vehicles/veh-${registration.toLowerCase()}/telemetry`, samples);
  }

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

  it('gives changePct and an activity / technology / factor decomposition equal to the hand computation', async () => {
    await register('PA10001', { energyCarrier: 'petrol', inServiceFrom: '2018-01-01' });
    await register('PB10002', { energyCarrier: 'petrol', inServiceFrom: '2018-01-01' });
    const c = await register('PC10003', { energyCarrier: 'petrol', inServiceFrom: '2018-01-01', inServiceTo: '2019-12-31' });
    const d = await register('PD10004', { energyCarrier: 'petrol', inServiceFrom: '2018-01-01', inServiceTo: '2019-12-31' });
    await register('EE10005', { energyCarrier: 'electricity', inServiceFrom: '2020-01-01', replacesVehicleId: c });
    await register('EF10006', { energyCarrier: 'electricity', inServiceFrom: '2020-01-01', replacesVehicleId: d });
    await new Promise((resolve) => setTimeout(resolve, 500)); // the ingest's device list reloads on the registry's notification

    await drive('PA10001', [
      ['2019-12-30', { odometerKm: 1000, fuelUsedL: 100 }, { odometerKm: 1100, fuelUsedL: 108 }],
      ['2020-01-02', { odometerKm: 1100, fuelUsedL: 108 }, { odometerKm: 1220, fuelUsedL: 117 }],
    ]);
    await drive('PB10002', [
      ['2019-12-30', { odometerKm: 5000, fuelUsedL: 300 }, { odometerKm: 5200, fuelUsedL: 315 }],
      ['2020-01-02', { odometerKm: 5200, fuelUsedL: 315 }, { odometerKm: 5350, fuelUsedL: 327 }],
    ]);
    await drive('PC10003', [['2019-12-30', { odometerKm: 800, fuelUsedL: 50 }, { odometerKm: 900, fuelUsedL: 59 }]]);
    // PD10004 left the fleet on 2019-12-31; its device still reports in 2020 (not counted).
    await drive('PD10004', [
      ['2019-12-30', { odometerKm: 300, fuelUsedL: 20 }, { odometerKm: 350, fuelUsedL: 24 }],
      ['2020-01-02', { odometerKm: 350, fuelUsedL: 24 }, { odometerKm: 430, fuelUsedL: 30 }],
    ]);
    // EE10005: charged-energy counter (primary); EF10006: consumed energy only (modelled, / 0.90).
    await drive('EE10005', [['2020-01-02', { odometerKm: 10, energyChargedKwh: 300 }, { odometerKm: 110, energyChargedKwh: 318 }]]);
    await drive('EF10006', [['2020-01-02', { odometerKm: 20, energyConsumedKwh: 50 }, { odometerKm: 80, energyConsumedKwh: 59 }]]);
    await settled(100 + 120 + 200 + 150 + 100 + 50 + 80 + 100 + 60);

    const set = {
      name: 'Round figures for the test',
      factors: [
        { carrier: 'petrol', year: 2019, ttwKgPerUnit: 2.0, wttKgPerUnit: 0.5, biogenicKgPerUnit: 0.1, energyKwhPerUnit: 9, source: 'test' },
        { carrier: 'petrol', year: 2020, ttwKgPerUnit: 1.9, wttKgPerUnit: 0.5, biogenicKgPerUnit: 0.2, energyKwhPerUnit: 9, source: 'test' },
        { carrier: 'electricity', year: 2019, gridMethod: 'location', ttwKgPerUnit: 0, wttKgPerUnit: 0.02, biogenicKgPerUnit: 0, energyKwhPerUnit: 1, source: 'test' },
        { carrier: 'electricity', year: 2020, gridMethod: 'location', ttwKgPerUnit: 0, wttKgPerUnit: 0.01, biogenicKgPerUnit: 0, energyKwhPerUnit: 1, source: 'test' },
      ],
      consumption: [
        { vehicleClass: 'passenger_car', carrier: 'petrol', perKm: 0.08, reference: true, source: 'test' },
        { vehicleClass: 'passenger_car', carrier: 'electricity', perKm: 0.2, reference: false, source: 'test' },
      ],
    };
    const { version } = (await t.http().post('/api/v1/emissions/factor-sets').set(admin).send(set).expect(201)).body;
    const climate = bearer(await t.keyFor('climate_office'));

    // By hand. 2019: four petrol cars, 450 km, 8 + 15 + 9 + 4 = 36 L at 2.0 kg/L.
    // 2020: two petrol cars and two electric ones, 120 + 150 + 100 + 60 = 430 km, 9 + 12 = 21 L at 1.9 kg/L.
    const e0 = 36 * 2.0;
    const e1 = 21 * 1.9;
    const changePct = (100 * (e1 - e0)) / e0;
    const w = (e1 - e0) / (Math.log(e1) - Math.log(e0));
    const activityKg = w * Math.log(430 / 450);
    const technologyKg = w * Math.log(21 / 430 / (36 / 450));
    const factorKg = w * Math.log(1.9 / 2.0);

    const report = (await t.http().get(`/api/v1/reports/emissions/change?baseYear=2019&year=2020&vehicleClass=passenger_car&factorSet=${version}`).set(climate).expect(200)).body;
    expect(report).toMatchObject({ factorSetVersion: version, boundary: 'ttw', gridMethod: 'location', vehicleClass: 'passenger_car', baseYear: 2019, year: 2020 });
    expect(report.baseKg).toBeCloseTo(72, 9);
    expect(report.currentKg).toBeCloseTo(39.9, 9);
    expect(report.changePct).toBeCloseTo(changePct, 9);
    expect(report.changePct).toBeCloseTo(-44.5833333333, 6);
    expect(report.decomposition.activityKg).toBeCloseTo(activityKg, 9);
    expect(report.decomposition.technologyKg).toBeCloseTo(technologyKg, 9);
    expect(report.decomposition.factorKg).toBeCloseTo(factorKg, 9);
    expect(report.decomposition.activityKg + report.decomposition.technologyKg + report.decomposition.factorKg).toBeCloseTo(e1 - e0, 9);
    expect(report.base).toMatchObject({ vehicles: 4, distanceKm: 450 });
    expect(report.current).toMatchObject({ vehicles: 4, distanceKm: 430 });
    expect(report.current.energy.electricityKwh).toBeCloseTo(18 + 9 / 0.9, 9);

    // Well-to-wheel: electricity, new in 2020, comes in as technology.
    const wtw = (await t.http().get(`/api/v1/reports/emissions/change?baseYear=2019&year=2020&vehicleClass=passenger_car&boundary=wtw&factorSet=${version}`).set(climate).expect(200)).body;
    const p0 = 36 * 2.5;
    const p1 = 21 * 2.4;
    const el1 = 28 * 0.01;
    const wp = (p1 - p0) / (Math.log(p1) - Math.log(p0));
    expect(wtw.changePct).toBeCloseTo((100 * (p1 + el1 - p0)) / p0, 9);
    expect(wtw.decomposition.activityKg).toBeCloseTo(wp * Math.log(430 / 450), 9);
    expect(wtw.decomposition.technologyKg).toBeCloseTo(wp * Math.log(21 / 430 / (36 / 450)) + el1, 9);
    expect(wtw.decomposition.factorKg).toBeCloseTo(wp * Math.log(2.4 / 2.5), 9);

    // Avoided in 2020: the electric cars' 160 km in the petrol reference car (0.08 L/km at 1.9 kg/L) minus their 0 kg ttw.
    const year = (await t.http().get(`/api/v1/reports/emissions?from=2020-01-01&to=2021-01-01&factorSet=${version}`).set(climate).expect(200)).body;
    expect(year.rows[0].avoidedKg).toBeCloseTo(160 * 0.08 * 1.9, 9);
    expect(JSON.stringify(year)).not.toMatch(/lat|lon|position/i);

    const kpis = (await t.http().get(`/api/v1/reports/fleet-kpis?year=2020&factorSet=${version}`).set(climate).expect(200)).body;
    expect(kpis.vehiclesByClassAndCarrier).toEqual([
      { vehicleClass: 'passenger_car', energyCarrier: 'electricity', vehicles: 2 },
      { vehicleClass: 'passenger_car', energyCarrier: 'petrol', vehicles: 2 },
    ]);
    expect(kpis.zeroEmissionShare.byCount).toBe(0.5);
    expect(kpis.zeroEmissionShare.byDistance).toBeCloseTo(160 / 430, 12);
    expect(kpis.totals.actualKg).toBeCloseTo(39.9, 9);
    const csv = (await t.http().get(`/api/v1/reports/emissions/change?baseYear=2019&year=2020&vehicleClass=passenger_car&factorSet=${version}&format=csv`).set(climate).expect(200)).text;
    expect(csv.split('\r\n')[0]).toBe(
      'vehicleClass,baseYear,year,baseKg,currentKg,changePct,activityKg,technologyKg,factorKg,baseDistanceKm,currentDistanceKm,baseCoverage,currentCoverage,baseDataQualityPrimary,currentDataQualityPrimary,factorSetVersion,boundary,gridMethod,flags',
    );
  });
});
