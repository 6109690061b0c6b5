import { TestApp, bearer, startTestApp } from '../support/test-app';
import { aCooperative, aVehicle, anOrganization } from '../support/builders';
import { Sql } from '../support/sql';
import { Workbook } from 'exceljs';
import { binaryBody } from '../support/binary-body';

/**
 * Reports over daily rollups written straight into vehicle_daily (the pipeline from MQTT is
 * covered by emissions-change.spec.ts), against figures computed by hand with the default
 * Norwegian factor set (version 1, installed by the migration).
 */
describe('emissions: factor sets and reports', () => {
  let t: TestApp;
  let sql: Sql;
  let admin: Record<string, string>;
  let departmentId: string;

  beforeAll(async () => {
    t = await startTestApp();
    admin = bearer(t.adminKey);
    sql = await Sql.connect(t.database.url);
    departmentId = (
      await t
        .http()
        .post('/api/v1/organizations')
        .set(admin)
        .send(anOrganization({ name: 'Pleie og omsorg' }))
        .expect(201)
    ).body.id;
  });

  afterAll(async () => {
    await sql?.close();
    await t?.close();
  });

  async function vehicle(overrides: Record<string, unknown>): Promise<string> {
    return (
      await t
        .http()
        .post('/api/v1/vehicles')
        .set(admin)
        .send(aVehicle(departmentId, { deviceId: null, ...overrides }))
        .expect(201)
    ).body.id;
  }

  async function day(vehicleId: string, date: string, figures: Record<string, number | null>) {
    await sql.rows(
      `INSERT INTO vehicle_daily (vehicle_id, day, distance_km, driving_seconds, fuel_used_l, gas_used_kg, energy_charged_kwh, energy_consumed_kwh, sample_count, reset_count, implausible_count, long_gap_count)
       VALUES ($1, $2, $3, 0, $4, $5, $6, $7, 10, 0, 0, 0)`,
      [vehicleId, date, figures.distance ?? null, figures.fuel ?? null, figures.gas ?? null, figures.charged ?? null, figures.consumed ?? null],
    );
  }

  it('lists and reads the default Norwegian set: blended pump fuel, [U] notes, grid factors by method', async () => {
    const list = (await t.http().get('/api/v1/emissions/factor-sets').set(admin).expect(200)).body;
    expect(list[0]).toMatchObject({ version: 1, name: 'Norwegian defaults' });
    const set = (
      await t
        .http()
        .get('/api/v1/emissions/factor-sets/1')
        .set(bearer(await t.keyFor('climate_office')))
    ).body;
    const petrol2019 = set.factors.find((f: { carrier: string; year: number }) => f.carrier === 'petrol' && f.year === 2019);
    expect(petrol2019.ttwKgPerUnit).toBeCloseTo(2.32 * (1 - 0.04), 12);
    expect(petrol2019.biogenicKgPerUnit).toBeCloseTo(1.51 * 0.04, 12);
    expect(petrol2019.wttKgPerUnit).toBe(0.53);
    expect(petrol2019.note).toMatch(/^\[U\]/);
    const diesel2020 = set.factors.find((f: { carrier: string; year: number }) => f.carrier === 'diesel' && f.year === 2020);
    expect(diesel2020.ttwKgPerUnit).toBeCloseTo(2.66 * 0.85, 12);
    expect(diesel2020.note).toBeNull();
    expect(set.factors.filter((f: { carrier: string; gridMethod: string }) => f.carrier === 'electricity' && f.gridMethod === 'market').map((f: { year: number }) => f.year)).toEqual([2016, 2020]);
    expect(set.consumption).toContainEqual(expect.objectContaining({ vehicleClass: 'passenger_car', carrier: 'petrol', perKm: 0.076, reference: true }));
    await t.http().get('/api/v1/emissions/factor-sets/99').set(admin).expect(404);
  });

  it('refuses to edit a factor set in place, even in SQL', async () => {
    await expect(sql.rows(`UPDATE emission_factors SET ttw_kg_per_unit = 0 WHERE factor_set_version = 1`)).rejects.toThrow(/never edited in place/);
    await expect(sql.rows(`DELETE FROM emission_factor_sets WHERE version = 1`)).rejects.toThrow(/never edited in place/);
  });

  it('publishes a new set (admin only) and answers 400 naming every fault', async () => {
    const good = {
      name: 'Test set',
      factors: [
        { carrier: 'petrol', year: 2019, ttwKgPerUnit: 2.2, wttKgPerUnit: 0.5, biogenicKgPerUnit: 0.1, source: 'test', energyKwhPerUnit: 9 },
        { carrier: 'electricity', year: 2019, gridMethod: 'location', ttwKgPerUnit: 0, wttKgPerUnit: 0.02, biogenicKgPerUnit: 0, source: 'test' },
      ],
      consumption: [{ vehicleClass: 'passenger_car', carrier: 'petrol', perKm: 0.07, reference: true, source: 'test' }],
    };
    await t
      .http()
      .post('/api/v1/emissions/factor-sets')
      .set(bearer(await t.keyFor('climate_office')))
      .send(good)
      .expect(403);
    const bad = (
      await t
        .http()
        .post('/api/v1/emissions/factor-sets')
        .set(admin)
        .send({
          ...good,
          factors: [
            ...good.factors,
            { ...good.factors[0] },
            { carrier: 'electricity', year: 2020, ttwKgPerUnit: 0.1, wttKgPerUnit: 0.02, biogenicKgPerUnit: 0, source: 'x' },
            { carrier: 'coal', year: 2020, ttwKgPerUnit: -1, wttKgPerUnit: 0, biogenicKgPerUnit: 0, source: 'x' },
          ],
        })
        .expect(400)
    ).body;
    expect(bad.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['factors.4.carrier', 'factors.4.ttwKgPerUnit']));
    const semantic = (
      await t
        .http()
        .post('/api/v1/emissions/factor-sets')
        .set(admin)
        .send({
          ...good,
          factors: [...good.factors, { ...good.factors[0] }, { carrier: 'electricity', year: 2020, ttwKgPerUnit: 0.1, wttKgPerUnit: 0.02, biogenicKgPerUnit: 0, source: 'x' }],
          consumption: [...good.consumption, { vehicleClass: 'passenger_car', carrier: 'diesel', perKm: 0.07, reference: true, source: 'test' }],
        })
        .expect(400)
    ).body;
    expect(semantic.errors).toEqual(
      expect.arrayContaining([
        { field: 'factors.2', message: 'duplicate of factors.0 (petrol 2019)' },
        { field: 'factors.3.gridMethod', message: 'electricity needs a gridMethod (location or market)' },
        { field: 'factors.3.ttwKgPerUnit', message: 'electricity has no tank-to-wheel emissions: ttwKgPerUnit must be 0' },
        { field: 'consumption.1.reference', message: 'passenger_car already has its reference in consumption.0' },
      ]),
    );
    const published = (await t.http().post('/api/v1/emissions/factor-sets').set(admin).send(good).expect(201)).body;
    expect(published).toMatchObject({ version: 2, name: 'Test set' });
    expect((await t.http().get('/api/v1/emissions/factor-sets').set(admin).expect(200)).body.map((s: { version: number }) => s.version)).toEqual([1, 2]);
  });

  it('reports a petrol and an electric car by class, vehicle, carrier, department and month, in ttw and wtw, as JSON, CSV and XLSX', async () => {
    const petrol = await vehicle({ registration: 'PT10001', energyCarrier: 'petrol', nominalConsumptionPerKm: null, inServiceFrom: '2018-01-01' });
    const ev = await vehicle({ registration: 'EL10001', energyCarrier: 'electricity', nominalConsumptionPerKm: null, inServiceFrom: '2018-01-01' });
    // Petrol car, 2019: 100 km with 7 L counted; 50 km without fuel data (default 0.076 L/km).
    await day(petrol, '2019-03-04', { distance: 100, fuel: 7 });
    await day(petrol, '2019-03-05', { distance: 50 });
    // Electric car, 2019: 200 km, 36 kWh charged; 90 km with 14.4 kWh consumed only (modelled /0.9); 10 km with nothing (default 0.18).
    await day(ev, '2019-03-04', { distance: 200, charged: 36, consumed: 30 });
    await day(ev, '2019-04-01', { distance: 90, consumed: 14.4 });
    await day(ev, '2019-04-02', { distance: 10 });

    const petrolL = 7 + 50 * 0.076;
    const evKwh = 36 + 14.4 / 0.9 + 10 * 0.18;
    const petrolTtw = 2.32 * 0.96;
    const ttw = petrolL * petrolTtw;
    const evBaselineTtw = 300 * 0.076 * petrolTtw;
    const location2019 = 0.017;
    const q = '/api/v1/reports/emissions?from=2019-01-01&to=2020-01-01';
    const climate = bearer(await t.keyFor('climate_office'));

    const byClass = (await t.http().get(`${q}&factorSet=1`).set(climate).expect(200)).body;
    expect(byClass).toMatchObject({ factorSetVersion: 1, boundary: 'ttw', gridMethod: 'location', groupBy: 'vehicleClass', timeZone: 'Europe/Oslo' });
    expect(byClass.rows).toHaveLength(1);
    const car = byClass.rows[0];
    expect(car.group).toBe('passenger_car');
    expect(car.distanceKm).toBeCloseTo(450, 9);
    expect(car.energy.petrolL).toBeCloseTo(petrolL, 9);
    expect(car.energy.electricityKwh).toBeCloseTo(evKwh, 9);
    expect(car.actualKg).toBeCloseTo(ttw, 9);
    // The petrol car is its own baseline; the electric car's is 300 km of the petrol reference car.
    expect(car.baselineKg).toBeCloseTo(ttw + evBaselineTtw, 9);
    expect(car.avoidedKg).toBeCloseTo(evBaselineTtw, 9);
    expect(car.biogenicMemoKg).toBeCloseTo(petrolL * 1.51 * 0.04, 9);
    const kwh = { primary: 7 * 9.02 + 36, modelled: 16, default: 50 * 0.076 * 9.02 + 1.8 };
    const all = kwh.primary + kwh.modelled + kwh.default;
    expect(car.dataQuality.primary).toBeCloseTo(kwh.primary / all, 9);
    expect(car.dataQuality.modelled).toBeCloseTo(kwh.modelled / all, 9);
    expect(car.dataQuality.default).toBeCloseTo(kwh.default / all, 9);

    const wtw = (await t.http().get(`${q}&factorSet=1&groupBy=vehicle&boundary=wtw`).set(climate).expect(200)).body;
    const [evRow, petrolRow] = wtw.rows;
    expect([evRow.label, petrolRow.label]).toEqual(['EL10001', 'PT10001']);
    expect(petrolRow.actualKg).toBeCloseTo(petrolL * (petrolTtw + 0.53), 9);
    expect(evRow.actualKg).toBeCloseTo(evKwh * location2019, 9);
    expect(evRow.baselineKg).toBeCloseTo(300 * 0.076 * (petrolTtw + 0.53), 9);
    expect(evRow.avoidedKg).toBeCloseTo(300 * 0.076 * (petrolTtw + 0.53) - evKwh * location2019, 9);

    const market = (await t.http().get(`${q}&factorSet=1&groupBy=carrier&boundary=wtw&gridMethod=market`).set(climate).expect(200)).body;
    const electricity = market.rows.find((row: { group: string }) => row.group === 'electricity');
    // No market-based factor for 2019: the nearest earlier year (2016, 0.530), flagged.
    expect(electricity.actualKg).toBeCloseTo(evKwh * 0.53, 9);
    expect(electricity.flags).toContain('factor of electricity (market) for 2019 taken from 2016');

    const months = (await t.http().get(`${q}&factorSet=1&groupBy=month`).set(climate).expect(200)).body;
    // Every month the cars were in service has a row, also those without data (coverage 0, amendment 1.1).
    expect(months.rows.map((row: { group: string; distanceKm: number }) => [row.group, row.distanceKm]).filter(([, km]: [string, number]) => km !== 0)).toEqual([
      ['2019-03', 350],
      ['2019-04', 100],
    ]);
    expect(months.rows).toHaveLength(12);
    const departments = (await t.http().get(`${q}&groupBy=department`).set(climate).expect(200)).body;
    expect(departments.rows.map((row: { label: string }) => row.label)).toContain('Pleie og omsorg');
    expect(departments.factorSetVersion).toBe(2); // the newest set by default

    const csv = await t.http().get(`${q}&factorSet=1&format=csv`).set(climate).expect(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const [header, first] = csv.text.split('\r\n');
    expect(header).toBe(
      'group,label,distanceKm,petrolL,dieselL,hvoL,biogasKg,cngKg,electricityKwh,hydrogenKg,actualKg,baselineKg,avoidedKg,biogenicMemoKg,dataQualityPrimary,dataQualityModelled,dataQualityDefault,distanceDataQualityPrimary,distanceDataQualityModelled,coverage,factorSetVersion,boundary,gridMethod,flags',
    );
    expect(first.startsWith('passenger_car,passenger_car,450,')).toBe(true);
    expect(first).toContain(',1,ttw,location,');
    const xlsx = await t
      .http()
      .get(`${q}&factorSet=1&format=xlsx`)
      .set(climate)
      .buffer(true)
      .parse(binaryBody as never)
      .expect(200);
    const workbook = new Workbook();
    await workbook.xlsx.load(xlsx.body);
    expect(workbook.getWorksheet('report')!.getRow(2).getCell(3).value).toBe(450);
    expect(workbook.getWorksheet('about')!.getRow(2).values).toEqual([undefined, 'factorSetVersion', 1]);

    await t.http().get('/api/v1/reports/emissions?from=2019-01-01&to=2020-01-01&groupBy=colour').set(climate).expect(400);
    await t.http().get('/api/v1/reports/emissions?from=2019-01-01&to=2020-01-01&factorSet=99').set(climate).expect(404);
    await t.http().get('/api/v1/reports/emissions?from=2019-01-01&to=2020-01-01&boundary=scope3&gridMethod=mixed').set(climate).expect(400);
    await t.http().get('/api/v1/reports/emissions/change?baseYear=2019&year=2019').set(climate).expect(400);
    await t.http().get('/api/v1/reports/fleet-kpis?year=next').set(climate).expect(400);
    const kpisXlsx = await t.http().get('/api/v1/reports/fleet-kpis?year=2019&format=xlsx').set(climate).expect(200);
    expect(kpisXlsx.headers['content-type']).toMatch(/spreadsheetml/);
    await t.http().get('/api/v1/reports/emissions?from=2020-01-01&to=2019-01-01').set(climate).expect(400);
    const cooperativeId = (await t.http().post('/api/v1/organizations').set(admin).send(aCooperative()).expect(201)).body.id;
    await t
      .http()
      .get('/api/v1/reports/emissions?from=2019-01-01&to=2020-01-01')
      .set(bearer(await t.keyFor('cooperative', cooperativeId)))
      .expect(403);
  });

  it('counts a vehicle only while in service, entering and leaving mid-month, and clips periods to days', async () => {
    const van = await vehicle({ registration: 'VN10001', vehicleClass: 'van', energyCarrier: 'diesel', nominalConsumptionPerKm: null, inServiceFrom: '2019-03-15', inServiceTo: '2019-05-10' });
    await day(van, '2019-03-10', { distance: 1000, fuel: 100 }); // before service: not counted
    await day(van, '2019-03-20', { distance: 10, fuel: 1 });
    await day(van, '2019-04-05', { distance: 20, fuel: 2 });
    await day(van, '2019-05-10', { distance: 40, fuel: 4 }); // last day in service
    await day(van, '2019-05-11', { distance: 2000, fuel: 200 }); // after: not counted
    const vans = async (from: string, to: string) =>
      (await t.http().get(`/api/v1/reports/emissions?from=${from}&to=${to}&factorSet=1`).set(admin).expect(200)).body.rows.find((row: { group: string }) => row.group === 'van');
    const year = await vans('2019-01-01', '2020-01-01');
    expect(year.distanceKm).toBe(70);
    expect(year.energy.dieselL).toBe(7);
    expect(year.actualKg).toBeCloseTo(7 * 2.66 * 0.88, 9);
    expect((await vans('2019-03-21', '2019-05-10')).distanceKm).toBe(20);
    expect((await vans('2019-04-01', '2019-06-01')).distanceKm).toBe(60);
    // A change to the rollups shows in the next report (the monthly sums are re-summed where changed).
    await sql.rows(`UPDATE vehicle_daily SET distance_km = 30 WHERE vehicle_id = $1 AND day = '2019-04-05'`, [van]);
    expect((await vans('2019-01-01', '2020-01-01')).distanceKm).toBe(80);
    await sql.rows(`DELETE FROM vehicle_daily WHERE vehicle_id = $1 AND day = '2019-04-05'`, [van]);
    expect((await vans('2019-01-01', '2020-01-01')).distanceKm).toBe(50);
    const kpis = (await t.http().get('/api/v1/reports/fleet-kpis?year=2019&factorSet=1').set(admin).expect(200)).body;
    expect(kpis.vehiclesByClassAndCarrier.find((row: { vehicleClass: string }) => row.vehicleClass === 'van')).toBeUndefined(); // left before year end
  });

  it('takes a vehicle’s own charging efficiency and fossil reference, set through the vehicles API', async () => {
    const truck = await vehicle({
      registration: 'EV20001',
      vehicleClass: 'truck',
      energyCarrier: 'electricity',
      nominalConsumptionPerKm: null,
      inServiceFrom: '2018-01-01',
      chargingEfficiency: 0.8,
      referenceCarrier: 'diesel',
      referenceConsumptionPerKm: 0.3,
    });
    await t.http().patch(`/api/v1/vehicles/${truck}`).set(admin).send({ referenceCarrier: null }).expect(400);
    await t
      .http()
      .post('/api/v1/vehicles')
      .set(admin)
      .send(aVehicle(departmentId, { deviceId: null, chargingEfficiency: 1.2 }))
      .expect(400);
    await day(truck, '2019-09-02', { distance: 100, consumed: 80 });
    const row = (await t.http().get('/api/v1/reports/emissions?from=2019-09-01&to=2019-10-01&groupBy=vehicle&factorSet=1').set(admin).expect(200)).body.rows.find(
      (r: { label: string }) => r.label === 'EV20001',
    );
    expect(row.energy.electricityKwh).toBeCloseTo(80 / 0.8, 9);
    expect(row.dataQuality.modelled).toBe(1);
    expect(row.baselineKg).toBeCloseTo(100 * 0.3 * 2.66 * 0.88, 9);
  });
});
