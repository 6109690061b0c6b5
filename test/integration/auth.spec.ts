import { TestApp, bearer, startTestApp } from '../support/test-app';
import { aCooperative } from '../support/builders';
import { concretePath, routeTable } from '../support/routes';

describe('API keys and roles', () => {
  let t: TestApp;
  let admin: Record<string, string>;
  let cooperativeId: string;

  beforeAll(async () => {
    t = await startTestApp();
    admin = bearer(t.adminKey);
    cooperativeId = (await t.http().post('/api/v1/organizations').set(admin).send(aCooperative()).expect(201)).body.id;
  });

  afterAll(() => t?.close());

  const apiRoutes = () => routeTable(t.app).filter((route) => route.path.startsWith('/api/'));

  it('answers 401 on every /api route without a key or with an unknown key', async () => {
    const routes = apiRoutes();
    expect(routes.length).toBeGreaterThanOrEqual(20);
    for (const route of routes) {
      const url = concretePath(route.path);
      const method = route.method.toLowerCase() as 'get';
      const missing = await t.http()[method](url);
      expect({ route, status: missing.status }).toEqual({ route, status: 401 });
      const unknown = await t.http()[method](url).set(bearer('kk_not-a-real-key'));
      expect({ route, status: unknown.status }).toEqual({ route, status: 401 });
    }
  });

  it('answers 403 to a cooperative key on every admin-only route', async () => {
    const cooperativeKey = await t.keyFor('cooperative', cooperativeId);
    const adminOnly = [
      ['get', '/api/v1/api-keys'],
      ['post', '/api/v1/api-keys'],
      ['delete', '/api/v1/api-keys/00000000-0000-4000-8000-000000000000'],
      ['post', '/api/v1/imports/fleet'],
      ['post', '/api/v1/organizations'],
      ['post', '/api/v1/chargepoints'],
      ['post', '/api/v1/subsidy-grants'],
      ['get', '/api/v1/vehicles'],
      ['post', '/api/v1/vehicles'],
    ] as const;
    for (const [method, url] of adminOnly) {
      const response = await t.http()[method](url).set(bearer(cooperativeKey)).send({});
      expect({ url, method, status: response.status }).toEqual({ url, method, status: 403 });
    }
  });

  it('shows a new key once, stores only its hash, and revokes it at once', async () => {
    const created = await t.http().post('/api/v1/api-keys').set(admin).send({ name: 'climate office', role: 'climate_office' }).expect(201);
    const secret: string = created.body.secret;
    expect(secret).toMatch(/^kk_[A-Za-z0-9_-]{43}$/); // 256 random bits
    const listed = await t.http().get('/api/v1/api-keys').set(admin).expect(200);
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    expect(listed.body.items.find((key: { id: string }) => key.id === created.body.id)).not.toHaveProperty('secret');

    await t.http().get('/api/v1/vehicles').set(bearer(secret)).expect(200);
    await t.http().delete(`/api/v1/api-keys/${created.body.id}`).set(admin).expect(200);
    await t.http().get('/api/v1/vehicles').set(bearer(secret)).expect(401);
  });

  it('tells any valid key its role and organization at GET /api/v1/me (the dashboard picks its views from it)', async () => {
    expect((await t.http().get('/api/v1/me').set(admin).expect(200)).body).toEqual({ role: 'admin', organizationId: null, reportTimeZone: 'Europe/Oslo' });
    for (const role of ['fleet_manager', 'climate_office']) {
      expect(
        (
          await t
            .http()
            .get('/api/v1/me')
            .set(bearer(await t.keyFor(role)))
            .expect(200)
        ).body,
      ).toEqual({ role, organizationId: null, reportTimeZone: 'Europe/Oslo' });
    }
    const cooperative = bearer(await t.keyFor('cooperative', cooperativeId));
    expect((await t.http().get('/api/v1/me').set(cooperative).expect(200)).body).toEqual({ role: 'cooperative', organizationId: cooperativeId, reportTimeZone: 'Europe/Oslo' });
  });

  it('refuses an expired key', async () => {
    const created = await t.http().post('/api/v1/api-keys').set(admin).send({ name: 'old', role: 'fleet_manager', expiresAt: '2020-01-01T00:00:00Z' }).expect(201);
    await t.http().get('/api/v1/vehicles').set(bearer(created.body.secret)).expect(401);
  });

  it('binds cooperative keys to a housing cooperative and no other role to any organization', async () => {
    await t.http().post('/api/v1/api-keys').set(admin).send({ name: 'x', role: 'cooperative' }).expect(400);
    await t.http().post('/api/v1/api-keys').set(admin).send({ name: 'x', role: 'admin', organizationId: cooperativeId }).expect(400);
    await t.http().post('/api/v1/api-keys').set(admin).send({ name: 'x', role: 'superuser' }).expect(400);
  });

  it('lets a cooperative key see its own organization only; another one is 404', async () => {
    const otherId = (await t.http().post('/api/v1/organizations').set(admin).send(aCooperative()).expect(201)).body.id;
    const key = bearer(await t.keyFor('cooperative', cooperativeId));
    const list = await t.http().get('/api/v1/organizations').set(key).expect(200);
    expect(list.body.items.map((o: { id: string }) => o.id)).toEqual([cooperativeId]);
    await t.http().get(`/api/v1/organizations/${otherId}`).set(key).expect(404);
    await t.http().get(`/api/v1/chargepoints?organizationId=${otherId}`).set(key).expect(404);
  });

  it('opens the queue dashboard to admin keys only, by bearer token or as the Basic-auth password', async () => {
    const missing = await t.http().get('/admin/queues').expect(401);
    expect(missing.headers['www-authenticate']).toMatch(/^Basic /);
    const cooperative = await t.keyFor('cooperative', cooperativeId);
    await t.http().get('/admin/queues').set(bearer(cooperative)).expect(401);
    await t.http().get('/admin/queues').auth('admin', cooperative).expect(401);
    const page = await t.http().get('/admin/queues').auth('admin', t.adminKey).expect(200);
    expect(page.text).toMatch(/<html/i);
    const queues = await t.http().get('/admin/queues/api/queues').set(admin).expect(200);
    expect(JSON.stringify(queues.body)).toContain('derive');
  });

  it('keeps health, metrics and the OpenAPI document public', async () => {
    await t
      .http()
      .get('/metrics')
      .expect(200)
      .expect('Content-Type', /text\/plain/);
    const openApi = await t.http().get('/docs-json').expect(200);
    expect(Object.keys(openApi.body.paths)).toContain('/api/v1/vehicles');
    await t.http().get('/docs').expect(200);
  });
});
