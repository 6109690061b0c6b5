import { TestApp, bearer, startTestApp } from '../support/test-app';
import { aChargePoint, aCooperative, aSubsidyGrant, aVehicle, anOrganization } from '../support/builders';
import { Sql } from '../support/sql';

describe('registry API', () => {
  let t: TestApp;
  let admin: Record<string, string>;
  let departmentId: string;
  let cooperativeId: string;

  beforeAll(async () => {
    t = await startTestApp();
    admin = bearer(t.adminKey);
    departmentId = (await t.http().post('/api/v1/organizations').set(admin).send(anOrganization()).expect(201)).body.id;
    cooperativeId = (await t.http().post('/api/v1/organizations').set(admin).send(aCooperative()).expect(201)).body.id;
  });

  afterAll(() => t?.close());

  const count = async (path: string) => (await t.http().get(path).set(admin).expect(200)).body.total as number;

  describe('vehicles', () => {
    it('creates, reads, updates and deletes a vehicle', async () => {
      const created = await t
        .http()
        .post('/api/v1/vehicles')
        .set(admin)
        .send(aVehicle(departmentId, { registration: 'el 12-001' }))
        .expect(201);
      expect(created.body).toMatchObject({ registration: 'EL12001', vehicleClass: 'passenger_car', nominalConsumptionPerKm: 0.18, inServiceTo: null });
      const id = created.body.id;
      await t.http().get(`/api/v1/vehicles/${id}`).set(admin).expect(200);
      const updated = await t.http().patch(`/api/v1/vehicles/${id}`).set(admin).send({ inServiceTo: '2024-12-31' }).expect(200);
      expect(updated.body.inServiceTo).toBe('2024-12-31');
      await t.http().delete(`/api/v1/vehicles/${id}`).set(admin).expect(204);
      await t.http().get(`/api/v1/vehicles/${id}`).set(admin).expect(404);
    });

    it('answers 400 naming every field at fault, and writes nothing', async () => {
      const before = await count('/api/v1/vehicles');
      const response = await t
        .http()
        .post('/api/v1/vehicles')
        .set(admin)
        .send(aVehicle(departmentId, { vehicleClass: 'tank', energyCarrier: 'coal', inServiceFrom: '2019-13-01', deviceId: 'has space', colour: 'red' }))
        .expect(400);
      const fields = response.body.errors.map((e: { field: string }) => e.field);
      expect(fields).toEqual(expect.arrayContaining(['vehicleClass', 'energyCarrier', 'inServiceFrom', 'deviceId', 'colour']));
      expect(await count('/api/v1/vehicles')).toBe(before);
    });

    it('answers 400 for a department that is a cooperative or a service end before its start', async () => {
      const before = await count('/api/v1/vehicles');
      const wrongKind = await t.http().post('/api/v1/vehicles').set(admin).send(aVehicle(cooperativeId)).expect(400);
      expect(wrongKind.body.errors).toEqual([{ field: 'departmentId', message: 'must be a municipal department' }]);
      const backwards = await t
        .http()
        .post('/api/v1/vehicles')
        .set(admin)
        .send(aVehicle(departmentId, { inServiceTo: '2018-01-01' }))
        .expect(400);
      expect(backwards.body.errors[0].field).toBe('inServiceTo');
      expect(await count('/api/v1/vehicles')).toBe(before);
    });

    it('answers 409 for a duplicate registration or device id, and writes nothing', async () => {
      const first = aVehicle(departmentId);
      await t.http().post('/api/v1/vehicles').set(admin).send(first).expect(201);
      const before = await count('/api/v1/vehicles');
      const sameRegistration = await t
        .http()
        .post('/api/v1/vehicles')
        .set(admin)
        .send(aVehicle(departmentId, { registration: first.registration }))
        .expect(409);
      expect(sameRegistration.body.errors).toEqual([{ field: 'registration', message: 'registration is already in use' }]);
      const sameDevice = await t
        .http()
        .post('/api/v1/vehicles')
        .set(admin)
        .send(aVehicle(departmentId, { deviceId: first.deviceId }))
        .expect(409);
      expect(sameDevice.body.errors[0].field).toBe('deviceId');
      expect(await count('/api/v1/vehicles')).toBe(before);
    });

    it('answers 404 for unknown ids and 400 for ids that are not uuids', async () => {
      const unknown = '00000000-0000-4000-8000-000000000000';
      await t.http().get(`/api/v1/vehicles/${unknown}`).set(admin).expect(404);
      await t.http().patch(`/api/v1/vehicles/${unknown}`).set(admin).send({ vin: null }).expect(404);
      await t.http().delete(`/api/v1/vehicles/${unknown}`).set(admin).expect(404);
      await t.http().get('/api/v1/vehicles/42').set(admin).expect(400);
    });

    it('filters the list by class and pages it', async () => {
      await t
        .http()
        .post('/api/v1/vehicles')
        .set(admin)
        .send(aVehicle(departmentId, { vehicleClass: 'truck', energyCarrier: 'biogas' }))
        .expect(201);
      const trucks = await t.http().get('/api/v1/vehicles?vehicleClass=truck&limit=1').set(admin).expect(200);
      expect(trucks.body).toMatchObject({ total: 1, limit: 1, offset: 0 });
      expect(trucks.body.items[0].energyCarrier).toBe('biogas');
      // The fleet list allows pages of 5,000 (the board reads a whole fleet in one request), no more.
      await t.http().get('/api/v1/vehicles?limit=5000').set(admin).expect(200);
      await t.http().get('/api/v1/vehicles?limit=5001').set(admin).expect(400);
    });

    it('lists a vehicle as the register stores it, with its status and live state; positions for fleet managers and within POSITION_RETENTION_DAYS only', async () => {
      const department = (await t.http().post('/api/v1/organizations').set(admin).send(anOrganization()).expect(201)).body.id;
      const fields = { vin: 'WVWZZZ1JZXW000001', chargingEfficiency: 0.88, referenceCarrier: 'diesel', referenceConsumptionPerKm: 0.065, inServiceTo: '2099-12-31' };
      const [fresh, stale, silent, retired] = await Promise.all(
        [fields, {}, {}, { inServiceFrom: '2015-01-01', inServiceTo: '2016-12-31' }].map(
          async (overrides) => (await t.http().post('/api/v1/vehicles').set(admin).send(aVehicle(department, overrides)).expect(201)).body,
        ),
      );
      const sql = await Sql.connect(t.database.url);
      try {
        const days = t.config.worker.positionRetentionDays;
        await sql.rows(
          `INSERT INTO vehicle_state (vehicle_id, last_sample_at, last_received_at, lat, lon, position_at, speed_kmh, soc_pct, status, status_since)
           VALUES ($1, now(), now(), 59.9, 10.5, now() - interval '1 minute', 42, 80, 'online', now()),
                  ($2, now(), now(), 59.8, 10.4, now() - make_interval(days => $3 + 1), 0, 50, 'offline', now())`,
          [fresh.id, stale.id, days],
        );
      } finally {
        await sql.close();
      }
      const list = async (key: string, query = '') =>
        (await t.http().get(`/api/v1/vehicles?departmentId=${department}${query}`).set(bearer(key)).expect(200)).body as { items: Array<Record<string, unknown>>; total: number };
      const byId = (page: { items: Array<Record<string, unknown>> }) => new Map(page.items.map((item) => [item.id, item]));

      const seen = byId(await list(await t.keyFor('fleet_manager')));
      expect(seen.get(fresh.id)).toEqual({
        ...fresh,
        status: 'online',
        state: expect.objectContaining({ status: 'online', speedKmh: 42, socPct: 80, position: { lat: 59.9, lon: 10.5, at: expect.any(String) } }),
      });
      expect(seen.get(stale.id)).toEqual({ ...stale, status: 'offline', state: expect.objectContaining({ status: 'offline', socPct: 50 }) });
      expect((seen.get(stale.id)!.state as Record<string, unknown>).position).toBeUndefined();
      expect(seen.get(silent.id)).toEqual({ ...silent, status: 'unknown', state: null });
      expect(seen.get(retired.id)).toEqual({ ...retired, status: 'retired', state: null });
      const one = (await t.http().get(`/api/v1/vehicles/${fresh.id}`).set(admin).expect(200)).body;
      expect(one).toEqual({ ...seen.get(fresh.id), state: { ...(seen.get(fresh.id)!.state as object), atDepot: null } });

      const climate = await list(await t.keyFor('climate_office'));
      expect(climate.items.map((item) => (item.state as { position?: unknown } | null)?.position)).toEqual([undefined, undefined, undefined, undefined]);
      const online = await list(t.adminKey, '&status=online');
      expect(online).toMatchObject({ total: 1, items: [{ id: fresh.id }] });
      // A page past the end still counts the matching vehicles.
      expect(await list(t.adminKey, '&limit=2&offset=10')).toMatchObject({ total: 4, items: [] });
    });
  });

  describe('organizations', () => {
    it('rejects an organization number with a wrong check digit', async () => {
      const response = await t
        .http()
        .post('/api/v1/organizations')
        .set(admin)
        .send(anOrganization({ orgNumber: '935478716' }))
        .expect(400);
      expect(response.body.errors[0].field).toBe('orgNumber');
    });

    it('answers 409 for a duplicate organization number', async () => {
      const organization = anOrganization();
      await t.http().post('/api/v1/organizations').set(admin).send(organization).expect(201);
      await t
        .http()
        .post('/api/v1/organizations')
        .set(admin)
        .send({ ...organization, name: 'Other' })
        .expect(409);
    });

    it('refuses to delete an organization that still has vehicles, with 409', async () => {
      const id = (await t.http().post('/api/v1/organizations').set(admin).send(anOrganization()).expect(201)).body.id;
      await t.http().post('/api/v1/vehicles').set(admin).send(aVehicle(id)).expect(201);
      await t.http().delete(`/api/v1/organizations/${id}`).set(admin).expect(409);
      await t.http().get(`/api/v1/organizations/${id}`).set(admin).expect(200);
    });
  });

  describe('charge points and subsidy grants', () => {
    it('links a charge point to its cooperative and grant', async () => {
      const grant = await t.http().post('/api/v1/subsidy-grants').set(admin).send(aSubsidyGrant(cooperativeId)).expect(201);
      expect(grant.body.amountNok).toBe(20000);
      const chargePoint = await t
        .http()
        .post('/api/v1/chargepoints')
        .set(admin)
        .send(aChargePoint(cooperativeId, { subsidyGrantId: grant.body.id }))
        .expect(201);
      expect(chargePoint.body).toMatchObject({ organizationId: cooperativeId, subsidyGrantId: grant.body.id, maxKw: 7.4 });
      await t.http().delete(`/api/v1/subsidy-grants/${grant.body.id}`).set(admin).expect(409);
    });

    it('refuses a grant of another cooperative, and writes nothing', async () => {
      const otherId = (await t.http().post('/api/v1/organizations').set(admin).send(aCooperative()).expect(201)).body.id;
      const grant = await t.http().post('/api/v1/subsidy-grants').set(admin).send(aSubsidyGrant(otherId)).expect(201);
      const before = await count('/api/v1/chargepoints');
      const response = await t
        .http()
        .post('/api/v1/chargepoints')
        .set(admin)
        .send(aChargePoint(cooperativeId, { subsidyGrantId: grant.body.id }))
        .expect(400);
      expect(response.body.errors).toEqual([{ field: 'subsidyGrantId', message: 'the grant belongs to another organization' }]);
      expect(await count('/api/v1/chargepoints')).toBe(before);
    });

    it('answers 409 for a duplicate charge-point device id and 400 for a grant ending before it starts', async () => {
      const chargePoint = aChargePoint(cooperativeId);
      await t.http().post('/api/v1/chargepoints').set(admin).send(chargePoint).expect(201);
      await t
        .http()
        .post('/api/v1/chargepoints')
        .set(admin)
        .send({ ...chargePoint, name: 'Another' })
        .expect(409);
      const response = await t
        .http()
        .post('/api/v1/subsidy-grants')
        .set(admin)
        .send(aSubsidyGrant(cooperativeId, { followUpEndsOn: '2018-01-01' }))
        .expect(400);
      expect(response.body.errors[0].field).toBe('followUpEndsOn');
    });
  });

  describe('HTTP hygiene', () => {
    it('answers invalid JSON with 400 and a message', async () => {
      const response = await t.http().post('/api/v1/vehicles').set(admin).set('Content-Type', 'application/json').send('{"registration":').expect(400);
      expect(response.body.message).toMatch(/JSON/);
    });

    it('answers an oversized body with 413', async () => {
      const huge = JSON.stringify({ name: 'x'.repeat(6 * 1024 * 1024) });
      await t.http().post('/api/v1/organizations').set(admin).set('Content-Type', 'application/json').send(huge).expect(413);
    });

    it('sends security headers', async () => {
      const response = await t.http().get('/health');
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['x-powered-by']).toBeUndefined();
    });
  });
});
