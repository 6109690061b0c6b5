import { readFileSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { TestApp, bearer, startTestApp } from '../support/test-app';
import { anOrgNumber } from '../support/builders';

describe('fleet import', () => {
  let t: TestApp;
  let admin: Record<string, string>;

  beforeAll(async () => {
    t = await startTestApp();
    admin = bearer(t.adminKey);
  });

  afterAll(() => t?.close());

  const importFleet = (file: unknown) =>
    t
      .http()
      .post('/api/v1/imports/fleet')
      .set(admin)
      .send(file as object)
      .expect(200);
  const total = async (url: string) => (await t.http().get(url).set(admin).expect(200)).body.total;

  it('answers created / updated / unchanged / rejected per row, and a rejected row leaves nothing', async () => {
    const department = anOrgNumber();
    const cooperative = anOrgNumber();
    const file = {
      organizations: [
        { orgNumber: department, name: 'Eiendom', kind: 'municipal_department' },
        { orgNumber: cooperative, name: 'Haslum borettslag', kind: 'housing_cooperative' },
        { orgNumber: '123456789', name: 'Bad number', kind: 'municipal_department' },
      ],
      subsidyGrants: [{ reference: 'G-1', cooperative, grantedOn: '2019-03-01', amountNok: 10000, chargePointCount: 2, followUpEndsOn: '2022-03-01' }],
      vehicles: [
        // Listed before the vehicle it replaced: the import must order them.
        { registration: 'TT 10001', vehicleClass: 'passenger_car', energyCarrier: 'electricity', department, inServiceFrom: '2019-02-01', replaces: 'TB10001', deviceId: 'veh-tt10001' },
        { registration: 'TB10001', vehicleClass: 'passenger_car', energyCarrier: 'petrol', department, inServiceFrom: '2015-01-01', inServiceTo: '2019-01-31', deviceId: 'veh-tb10001' },
        { registration: 'TT10002', vehicleClass: 'passenger_car', energyCarrier: 'electricity', department: cooperative, inServiceFrom: '2019-02-01', deviceId: 'veh-tt10002' },
        { registration: 'TT10003', vehicleClass: 'spaceship', energyCarrier: 'electricity', department, inServiceFrom: '2019-02-01' },
        { registration: 'TT10004', vehicleClass: 'van', energyCarrier: 'electricity', department, inServiceFrom: '2019-02-01', replaces: 'XX99999' },
        { registration: 'TT10005', vehicleClass: 'van', energyCarrier: 'electricity', department, inServiceFrom: '2019-02-01', deviceId: 'veh-tt10001' },
      ],
      chargePoints: [
        { deviceId: 'cp-test-haslum-01', name: 'Garasje 1', cooperative, connectors: 2, maxKw: 7.4, commissionedOn: '2019-05-01', subsidyGrant: 'G-1' },
        { deviceId: 'cp-test-haslum-02', name: 'Garasje 2', cooperative, connectors: 2, maxKw: 7.4, commissionedOn: '2019-05-01', subsidyGrant: 'G-404' },
      ],
    };

    const first = await importFleet(file);
    const outcome = (section: string, index: number) => first.body.rows.find((r: { section: string; index: number }) => r.section === section && r.index === index);
    expect(first.body.summary).toEqual({ created: 6, updated: 0, unchanged: 0, rejected: 6 });
    expect(outcome('organizations', 2)).toMatchObject({ outcome: 'rejected', errors: [{ field: 'orgNumber' }] });
    expect(outcome('vehicles', 0)).toMatchObject({ key: 'TT10001', outcome: 'created' });
    expect(outcome('vehicles', 1)).toMatchObject({ key: 'TB10001', outcome: 'created' });
    expect(outcome('vehicles', 2)).toMatchObject({ outcome: 'rejected', errors: [{ field: 'departmentId', message: 'must be a municipal department' }] });
    expect(outcome('vehicles', 3)).toMatchObject({ outcome: 'rejected', errors: [{ field: 'vehicleClass' }] });
    expect(outcome('vehicles', 4)).toMatchObject({ outcome: 'rejected', errors: [{ field: 'replaces', message: 'no vehicle with registration XX99999' }] });
    expect(outcome('vehicles', 5)).toMatchObject({ outcome: 'rejected', errors: [{ field: 'deviceId', message: 'deviceId is already in use' }] });
    expect(outcome('chargePoints', 1)).toMatchObject({ outcome: 'rejected', errors: [{ field: 'subsidyGrant' }] });

    // Rejected rows left nothing behind.
    expect(await total('/api/v1/vehicles')).toBe(2);
    expect(await total('/api/v1/chargepoints')).toBe(1);
    expect(await total('/api/v1/organizations')).toBe(2);
    const electric = (await t.http().get('/api/v1/vehicles?energyCarrier=electricity').set(admin).expect(200)).body.items[0];
    const petrol = (await t.http().get('/api/v1/vehicles?energyCarrier=petrol').set(admin).expect(200)).body.items[0];
    expect(electric.replacesVehicleId).toBe(petrol.id);

    // The same file again changes nothing; an edited row is an update.
    const again = await importFleet(file);
    expect(again.body.summary).toEqual({ created: 0, updated: 0, unchanged: 6, rejected: 6 });
    file.vehicles[1].inServiceTo = '2019-01-30';
    const edited = await importFleet(file);
    expect(edited.body.summary).toEqual({ created: 0, updated: 1, unchanged: 5, rejected: 6 });
    expect(await total('/api/v1/vehicles')).toBe(2);

    // A charge point's protocol: `mqtt` unless the file says `ocpp`; a file without it keeps what is registered.
    const protocol = async () => (await t.http().get('/api/v1/chargepoints').set(admin).expect(200)).body.items[0].protocol;
    expect(await protocol()).toBe('mqtt');
    const withProtocol = (value?: string) => (file.chargePoints[0] = { ...file.chargePoints[0], ...(value ? { protocol: value } : {}) } as (typeof file.chargePoints)[0]);
    const plain = { ...file.chargePoints[0] };
    withProtocol('ocpp');
    expect((await importFleet(file)).body.summary).toEqual({ created: 0, updated: 1, unchanged: 5, rejected: 6 });
    expect(await protocol()).toBe('ocpp');
    file.chargePoints[0] = plain;
    expect((await importFleet(file)).body.summary).toEqual({ created: 0, updated: 0, unchanged: 6, rejected: 6 });
    expect(await protocol()).toBe('ocpp');
    withProtocol('modbus');
    expect((await importFleet(file)).body.rows.find((r: { section: string; index: number }) => r.section === 'chargePoints' && r.index === 0)).toMatchObject({
      outcome: 'rejected',
      errors: [{ field: 'protocol' }],
    });
  });

  it('refuses a file that is not a fleet file with 400', async () => {
    await t.http().post('/api/v1/imports/fleet').set(admin).send({ cars: [] }).expect(400);
    await t.http().post('/api/v1/imports/fleet').set(admin).send({ vehicles: 'all of them' }).expect(400);
    await t.http().post('/api/v1/imports/fleet').set(admin).set('Content-Type', 'application/yaml').send('vehicles: [unclosed').expect(400);
  });

  it('imports the demo fleet from YAML with every row accepted, and again with every row unchanged', async () => {
    const text = readFileSync(path.join(__dirname, '..', '..', 'demo', 'baerum-fleet.yaml'), 'utf8');
    const rows = Object.values(yaml.load(text) as Record<string, unknown[]>).reduce((n, section) => n + section.length, 0);
    const send = () => t.http().post('/api/v1/imports/fleet').set(admin).set('Content-Type', 'application/yaml').send(text).expect(200);
    const first = await send();
    expect(first.body.rows.filter((r: { outcome: string }) => r.outcome === 'rejected')).toEqual([]);
    expect(first.body.rows.filter((r: { outcome: string }) => r.outcome !== 'created')).toEqual([]);
    expect(first.body.summary.created).toBe(rows);
    const second = await send();
    expect(second.body.summary).toEqual({ created: 0, updated: 0, unchanged: rows, rejected: 0 });
  });
});
