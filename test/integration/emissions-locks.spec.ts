import { TestApp, bearer, startTestApp } from '../support/test-app';
import { aVehicle, anOrganization } from '../support/builders';
import { Sql } from '../support/sql';

/** A locked year keeps its published figures; recomputing makes a new revision and keeps the old. */
describe('emissions: locked years', () => {
  let t: TestApp;
  let sql: Sql;
  let admin: Record<string, string>;
  let car: string;

  beforeAll(async () => {
    t = await startTestApp({ LOG_LEVEL: 'error' });
    admin = bearer(t.adminKey);
    sql = await Sql.connect(t.database.url);
    const departmentId = (await t.http().post('/api/v1/organizations').set(admin).send(anOrganization()).expect(201)).body.id;
    car = (
      await t
        .http()
        .post('/api/v1/vehicles')
        .set(admin)
        .send(aVehicle(departmentId, { registration: 'LK10001', energyCarrier: 'petrol', deviceId: null, inServiceFrom: '2018-01-01' }))
        .expect(201)
    ).body.id;
  });

  afterAll(async () => {
    await sql?.close();
    await t?.close();
  });

  const day = (date: string, distance: number, fuel: number) =>
    sql.rows(
      `INSERT INTO vehicle_daily (vehicle_id, day, distance_km, driving_seconds, fuel_used_l, sample_count, reset_count, implausible_count, long_gap_count)
       VALUES ($1, $2, $3, 0, $4, 10, 0, 0, 0)`,
      [car, date, distance, fuel],
    );
  const year2019 = async () => (await t.http().get('/api/v1/reports/emissions?from=2019-01-01&to=2020-01-01').set(admin).expect(200)).body;
  const petrolTtw2019 = 2.32 * 0.96;

  it('keeps a locked year as published through new data and a new factor set, until an explicit recompute', async () => {
    await day('2019-05-01', 100, 8);
    const locked = (await t.http().post('/api/v1/emissions/locks').set(admin).send({ year: 2019, reason: 'annual report 2019' }).expect(201)).body;
    expect(locked).toMatchObject({ year: 2019, revision: 1, factorSetVersion: 1, supersededAt: null, reason: 'annual report 2019' });
    expect(locked.published.location.ttwKg).toBeCloseTo(8 * petrolTtw2019, 9);
    await t.http().post('/api/v1/emissions/locks').set(admin).send({ year: 2019 }).expect(409);
    await t
      .http()
      .post('/api/v1/emissions/locks')
      .set(bearer(await t.keyFor('climate_office')))
      .send({ year: 2019 })
      .expect(403);

    // Later data for 2019 and a new factor set arrive.
    await day('2019-06-01', 50, 4);
    await t
      .http()
      .post('/api/v1/emissions/factor-sets')
      .set(admin)
      .send({
        name: 'Revised petrol',
        factors: [{ carrier: 'petrol', year: 2019, ttwKgPerUnit: 3, wttKgPerUnit: 0.5, biogenicKgPerUnit: 0, source: 'test' }],
        consumption: [{ vehicleClass: 'passenger_car', carrier: 'petrol', perKm: 0.08, reference: true, source: 'test' }],
      })
      .expect(201);

    const asPublished = await year2019();
    expect(asPublished.lockedYears).toEqual([expect.objectContaining({ year: 2019, revision: 1, factorSetVersion: 1 })]);
    expect(asPublished.total.distanceKm).toBe(100);
    expect(asPublished.total.actualKg).toBeCloseTo(8 * petrolTtw2019, 9);
    // Editing the frozen copy is refused like factor sets are.
    await expect(sql.rows(`UPDATE emission_locked_daily SET fuel_used_l = 0`)).rejects.toThrow(/never edited in place/);

    const recomputed = (await t.http().post('/api/v1/emissions/locks/2019/recompute').set(admin).send({ reason: 'late data' }).expect(201)).body;
    expect(recomputed).toMatchObject({ year: 2019, revision: 2, factorSetVersion: 2, supersededAt: null });
    expect(recomputed.published.location.ttwKg).toBeCloseTo(12 * 3, 9);
    const now = await year2019();
    expect(now.lockedYears).toEqual([expect.objectContaining({ year: 2019, revision: 2, factorSetVersion: 2 })]);
    expect(now.total.actualKg).toBeCloseTo(36, 9);

    const revisions = (
      await t
        .http()
        .get('/api/v1/emissions/locks')
        .set(bearer(await t.keyFor('climate_office')))
        .expect(200)
    ).body;
    expect(revisions.map((r: { revision: number; supersededAt: string | null }) => [r.revision, r.supersededAt === null])).toEqual([
      [1, false],
      [2, true],
    ]);
    expect(revisions[0].published.location.ttwKg).toBeCloseTo(8 * petrolTtw2019, 9);
    await t.http().post('/api/v1/emissions/locks/2018/recompute').set(admin).send({}).expect(404);
  });
});
