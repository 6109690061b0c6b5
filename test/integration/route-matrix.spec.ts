import { Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { API_ROLES, ApiRole } from '../../src/platform/access/role';
import { aCooperative } from '../support/builders';
import { DeclaredRoute, concretePath, declaredRoutes, routeTable } from '../support/routes';
import { TestApp, bearer, startTestApp } from '../support/test-app';

/**
 * The route-by-role matrix: the roles each route declares are the source of truth, and every
 * route of the application's real route table is called without a key and with a key of every
 * role. A role the route does not declare gets 403; a declared role gets past the guard (any
 * answer but 401, 403 or a server error). A route under /api that declares nothing fails the test.
 */
describe('route-by-role matrix', () => {
  let t: TestApp;
  let base: string;
  const keys = {} as Record<ApiRole, string>;

  beforeAll(async () => {
    t = await startTestApp({ API_RATE_LIMIT_PER_MINUTE: '100000' });
    const cooperativeId = (await t.http().post('/api/v1/organizations').set(bearer(t.adminKey)).send(aCooperative()).expect(201)).body.id;
    for (const role of API_ROLES) keys[role] = await t.keyFor(role, role === 'cooperative' ? cooperativeId : undefined);
    const server = t.app.getHttpServer() as Server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => t?.close());

  it('has a declaration for every route of the route table, and every route under /api declares its roles', () => {
    // The OpenAPI pages under /docs are Swagger UI's own routes, public by design.
    const table = routeTable(t.app)
      .filter((route) => !route.path.startsWith('/docs'))
      .map((route) => `${route.method} ${route.path}`);
    const declared = declaredRoutes(t.app);
    expect(new Set(declared.map((route) => `${route.method} ${route.path}`))).toEqual(new Set(table));
    const undeclared = declared.filter((route) => route.path.startsWith('/api/') && (route.access === null || route.access === 'public'));
    expect(undeclared).toEqual([]);
    // Replaying dead letters stores data on behalf of devices: admin only.
    expect(declared).toContainEqual({ method: 'POST', path: '/api/v1/dead-letters/replay', access: ['admin'] });
    // Alert rules and alerts: every role in its own scope (a cooperative's are its own, checked in alerts-channels.spec.ts); delivery history not for fleet managers.
    const everyRole = ['admin', 'fleet_manager', 'cooperative', 'climate_office'];
    for (const [method, path] of [
      ['GET', '/api/v1/alert-rules'],
      ['POST', '/api/v1/alert-rules'],
      ['PATCH', '/api/v1/alert-rules/:id'],
      ['DELETE', '/api/v1/alert-rules/:id'],
      ['GET', '/api/v1/alerts'],
      ['GET', '/api/v1/alerts/summary'],
      ['GET', '/api/v1/alerts/stream'],
      ['POST', '/api/v1/alerts/:id/acknowledge'],
    ]) {
      expect(declared).toContainEqual({ method, path, access: everyRole });
    }
    expect(declared).toContainEqual({ method: 'GET', path: '/api/v1/deliveries', access: ['admin', 'cooperative', 'climate_office'] });
    // Budgets, targets and plans: the climate office and admin write them, the fleet manager reads them.
    expect(declared).toContainEqual({ method: 'POST', path: '/api/v1/emissions/budget-sets', access: ['admin', 'climate_office'] });
    expect(declared).toContainEqual({ method: 'GET', path: '/api/v1/emissions/budget-sets', access: ['admin', 'climate_office', 'fleet_manager'] });
    expect(declared).toContainEqual({ method: 'POST', path: '/api/v1/electrification/plans', access: ['admin', 'climate_office'] });
    expect(declared).toContainEqual({ method: 'GET', path: '/api/v1/reports/climate-budget', access: ['climate_office', 'fleet_manager', 'admin'] });
    expect(declared).toContainEqual({ method: 'GET', path: '/api/v1/reports/electrification-plan', access: ['climate_office', 'fleet_manager', 'admin'] });
    // Subsidy follow-up: a cooperative sees its own periods and receipts; only the municipality sees the overview of all.
    expect(declared).toContainEqual({ method: 'GET', path: '/api/v1/subsidy-follow-up', access: ['admin', 'climate_office', 'cooperative'] });
    expect(declared).toContainEqual({ method: 'GET', path: '/api/v1/subsidy-follow-up/overview', access: ['admin', 'climate_office'] });
    expect(declared).toContainEqual({ method: 'GET', path: '/api/v1/reports/charging-usage/submissions/:id/receipt', access: ['admin', 'climate_office', 'cooperative'] });
  });

  it('answers every route with no key 401, and each role as declared', async () => {
    const routes = declaredRoutes(t.app).filter((route) => route.path.startsWith('/api/')) as Array<DeclaredRoute & { access: ApiRole[] }>;
    const failures: string[] = [];
    let checks = 0;
    for (const route of routes) {
      const url = concretePath(route.path);
      // Only the status matters: the body is dropped at once, so that an event stream ends too.
      const call = async (key?: string) => {
        const abort = new AbortController();
        const response = await fetch(`${base}${url}`, {
          method: route.method,
          headers: { 'content-type': 'application/json', ...(key ? bearer(key) : {}) },
          body: route.method === 'GET' || route.method === 'DELETE' ? undefined : '{}',
          signal: abort.signal,
        });
        abort.abort();
        return response;
      };
      const anonymous = await call();
      checks++;
      if (anonymous.status !== 401) failures.push(`${route.method} ${route.path} without a key: ${anonymous.status}`);
      for (const role of API_ROLES) {
        const response = await call(keys[role]);
        checks++;
        const allowed = route.access.includes(role);
        const ok = allowed ? ![401, 403].includes(response.status) && response.status < 500 : response.status === 403;
        if (!ok) failures.push(`${route.method} ${route.path} as ${role} (${allowed ? 'allowed' : 'not allowed'}): ${response.status}`);
      }
    }
    process.stdout.write(`route matrix: ${routes.length} of ${routeTable(t.app).filter((r) => r.path.startsWith('/api/')).length} /api routes, ${checks} calls, ${API_ROLES.length} roles\n`);
    expect(failures).toEqual([]);
  });
});
