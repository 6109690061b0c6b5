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
  const keys = {} as Record<ApiRole, string>;

  beforeAll(async () => {
    t = await startTestApp({ API_RATE_LIMIT_PER_MINUTE: '100000' });
    const cooperativeId = (await t.http().post('/api/v1/organizations').set(bearer(t.adminKey)).send(aCooperative()).expect(201)).body.id;
    for (const role of API_ROLES) keys[role] = await t.keyFor(role, role === 'cooperative' ? cooperativeId : undefined);
  });

  afterAll(() => t?.close());

  it('has a declaration for every route of the route table, and every route under /api declares its roles', () => {
    const table = routeTable(t.app).map((route) => `${route.method} ${route.path}`);
    const declared = declaredRoutes(t.app);
    expect(new Set(declared.map((route) => `${route.method} ${route.path}`))).toEqual(new Set(table));
    const undeclared = declared.filter((route) => route.path.startsWith('/api/') && (route.access === null || route.access === 'public'));
    expect(undeclared).toEqual([]);
  });

  it('answers every route with no key 401, and each role as declared', async () => {
    const routes = declaredRoutes(t.app).filter((route) => route.path.startsWith('/api/')) as Array<DeclaredRoute & { access: ApiRole[] }>;
    const failures: string[] = [];
    let checks = 0;
    for (const route of routes) {
      const url = concretePath(route.path);
      const call = (key?: string) => {
        const pending = t.http()[route.method.toLowerCase() as 'get'](url);
        return (key ? pending.set(bearer(key)) : pending).send({}).buffer(true).parse((res, done) => res.on('data', () => undefined).on('end', () => done(null, null)));
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
