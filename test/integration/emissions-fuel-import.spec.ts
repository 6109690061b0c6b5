import { TestApp, bearer, startTestApp } from '../support/test-app';
import { aVehicle, anOrganization } from '../support/builders';
import { Sql } from '../support/sql';

/** Must-show 3: fuel-card import: a good file, the same file again, a file with bad rows. */
describe('emissions: fuel-card import', () => {
  let t: TestApp;
  let sql: Sql;
  let admin: Record<string, string>;
  let manager: Record<string, string>;
  let petrolCar: string;
  let countedCar: string;

  beforeAll(async () => {
    t = await startTestApp();
    admin = bearer(t.adminKey);
    manager = bearer(await t.keyFor('fleet_manager'));
    sql = await Sql.connect(t.database.url);
    const departmentId = (await t.http().post('/api/v1/organizations').set(admin).send(anOrganization()).expect(201)).body.id;
    const create = async (overrides: Record<string, unknown>) =>
      (
        await t
          .http()
          .post('/api/v1/vehicles')
          .set(admin)
          .send(aVehicle(departmentId, { deviceId: null, ...overrides }))
          .expect(201)
      ).body.id;
    petrolCar = await create({ registration: 'FC10001', energyCarrier: 'petrol', nominalConsumptionPerKm: null, inServiceFrom: '2019-01-01' });
    countedCar = await create({ registration: 'FC10002', energyCarrier: 'diesel', nominalConsumptionPerKm: null, inServiceFrom: '2019-01-01', inServiceTo: '2019-06-30' });
    // Rollups: the petrol car drove 500 km in March without fuel counter data; the diesel car has counter data.
    const day = (vehicleId: string, date: string, distance: number, fuel: number | null) =>
      sql.rows(
        `INSERT INTO vehicle_daily (vehicle_id, day, distance_km, driving_seconds, fuel_used_l, sample_count, reset_count, implausible_count, long_gap_count)
         VALUES ($1, $2, $3, 0, $4, 10, 0, 0, 0)`,
        [vehicleId, date, distance, fuel],
      );
    await day(petrolCar, '2019-03-10', 300, null);
    await day(petrolCar, '2019-03-20', 200, null);
    await day(countedCar, '2019-03-10', 100, 9);
  });

  afterAll(async () => {
    await sql?.close();
    await t?.close();
  });

  const post = (file: string, who = manager) => t.http().post('/api/v1/imports/fuel-transactions').set(who).set('Content-Type', 'text/csv').send(file);
  const march = async () =>
    (await t.http().get('/api/v1/reports/emissions?from=2019-03-01&to=2019-04-01&groupBy=vehicle&factorSet=1').set(admin).expect(200)).body.rows as Array<{
      label: string;
      energy: Record<string, number>;
      actualKg: number;
      dataQuality: Record<string, number>;
      flags: string[];
    }>;

  const GOOD =
    'transaction_id,date_time,registration,product,quantity,unit\r\n' +
    'OK-1,2019-03-05 07:30,FC10001,Blyfri 95,20.5,L\r\n' +
    'OK-2,2019-03-18T16:10:00+01:00,fc 10001,bensin,18,L\r\n' +
    'OK-3,2019-03-25 12:00,FC10002,Diesel,40,L\r\n';

  it('imports a good file: fuel cards are primary energy where the vehicle has no fuel counter data', async () => {
    const before = await march();
    const petrolBefore = before.find((row) => row.label === 'FC10001')!;
    expect(petrolBefore.energy.petrolL).toBeCloseTo(500 * 0.076, 9); // default estimate
    expect(petrolBefore.dataQuality.default).toBe(1);

    const result = (await post(GOOD).expect(200)).body;
    expect(result.summary).toEqual({ imported: 3, duplicate: 0, rejected: 0 });
    expect(await sql.count(`SELECT 1 FROM fuel_transactions`)).toBe(3);

    const after = await march();
    const petrol = after.find((row) => row.label === 'FC10001')!;
    expect(petrol.energy.petrolL).toBeCloseTo(38.5, 9);
    expect(petrol.dataQuality.primary).toBe(1);
    expect(petrol.actualKg).toBeCloseTo(38.5 * 2.32 * 0.96, 9);
    // The diesel car has counter data in March: its counters win, the card's 40 L are flagged, not added.
    const diesel = after.find((row) => row.label === 'FC10002')!;
    expect(diesel.energy.dieselL).toBeCloseTo(9, 9);
    expect(diesel.flags).toEqual([expect.stringContaining('fuel transactions of 40 diesel for FC10002 in 2019-03 ignored: counter data present')]);
  });

  it('imports the same file again without counting anything twice', async () => {
    const result = (await post(GOOD).expect(200)).body;
    expect(result.summary).toEqual({ imported: 0, duplicate: 3, rejected: 0 });
    expect(result.rows.map((row: { outcome: string }) => row.outcome)).toEqual(['duplicate', 'duplicate', 'duplicate']);
    expect(await sql.count(`SELECT 1 FROM fuel_transactions`)).toBe(3);
    const petrol = (await march()).find((row) => row.label === 'FC10001')!;
    expect(petrol.energy.petrolL).toBeCloseTo(38.5, 9);
  });

  it('reports every bad row with its faults and imports each good row whole', async () => {
    const file =
      'Transaksjonsid;Dato;Kjennemerke;Produkt;Mengde;Enhet\n' +
      'NEW-1;06.03.2019 08:00;FC10001;Blyfri 95;10,5;L\n' + // good
      'OK-1;2019-03-05 07:30;FC10001;Blyfri 95;99;L\n' + // known id, other content
      'NEW-2;2019-03-07 08:00;ZZ99999;Diesel;10;L\n' + // unknown vehicle
      'NEW-3;2019-08-01 08:00;FC10002;Diesel;10;L\n' + // after the vehicle left service
      'NEW-4;2019-03-07 08:00;FC10001;AdBlue;10;L\n' + // not a fuel
      'NEW-5;not a date;FC10001;Diesel;-2;kg\n' + // three faults
      'NEW-1;06.03.2019 08:00;FC10001;Blyfri 95;10,5;L\n'; // the same transaction twice in one file
    const result = (await post(file).expect(200)).body;
    expect(result.summary).toEqual({ imported: 1, duplicate: 1, rejected: 5 });
    expect(result.rows).toEqual([
      { line: 2, transactionId: 'NEW-1', outcome: 'imported' },
      { line: 3, transactionId: 'OK-1', outcome: 'rejected', errors: [{ field: 'transactionId', message: 'transaction OK-1 is already imported with other content; it is not changed' }] },
      { line: 4, transactionId: 'NEW-2', outcome: 'rejected', errors: [{ field: 'registration', message: 'no vehicle with registration ZZ99999' }] },
      { line: 5, transactionId: 'NEW-3', outcome: 'rejected', errors: [{ field: 'dateTime', message: 'FC10002 was not in service on 2019-08-01 (2019-01-01 to 2019-06-30)' }] },
      { line: 6, transactionId: 'NEW-4', outcome: 'rejected', errors: [{ field: 'product', message: expect.stringContaining('"AdBlue" is not a fuel') }] },
      {
        line: 7,
        transactionId: 'NEW-5',
        outcome: 'rejected',
        errors: [
          { field: 'dateTime', message: expect.any(String) },
          { field: 'quantity', message: 'quantity must be positive (corrections and refunds are not imported)' },
          { field: 'unit', message: 'diesel is measured in L, not kg' },
        ],
      },
      { line: 8, transactionId: 'NEW-1', outcome: 'duplicate' },
    ]);
    const stored = await sql.rows<{ transaction_id: string; quantity: number }>(`SELECT transaction_id, quantity FROM fuel_transactions ORDER BY transaction_id`);
    expect(stored).toEqual([
      { transaction_id: 'NEW-1', quantity: 10.5 },
      { transaction_id: 'OK-1', quantity: 20.5 },
      { transaction_id: 'OK-2', quantity: 18 },
      { transaction_id: 'OK-3', quantity: 40 },
    ]);
    expect((await march()).find((row) => row.label === 'FC10001')!.energy.petrolL).toBeCloseTo(49, 9);
  });

  it('answers 400 for a file that is not a fuel-card export, and only admins and fleet managers may import', async () => {
    expect((await post('registration,litres\nFC10001,10\n').expect(400)).body.message).toMatch(/Missing column\(s\) transactionId, dateTime, product, quantity, unit/);
    await t.http().post('/api/v1/imports/fuel-transactions').set(manager).send({ csv: 'x' }).expect(400);
    await post(GOOD, admin).expect(200);
    await post(GOOD, bearer(await t.keyFor('climate_office'))).expect(403);
  });
});
