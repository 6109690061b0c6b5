import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { API_ROLES, ApiRole } from '../../src/platform/access/role';
import { aChargePoint, aCooperative, aSubsidyGrant, aVehicle, anOrganization } from '../support/builders';
import { TestPublisher } from '../support/mqtt-publisher';
import { declaredRoutes } from '../support/routes';
import { Sql } from '../support/sql';
import { TestApp, bearer, startTestApp } from '../support/test-app';

type Schema = Record<string, unknown>;
interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema: Schema;
}
interface Operation {
  operationId: string;
  parameters?: Parameter[];
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}

/**
 * The contract of /docs-json, checked against the running service on a seeded database: every
 * GET route that answers JSON is called with a key of every role its @Roles declares (the same
 * declarations the guard and route-matrix.spec.ts read), must answer 200, and its body must
 * validate against the documented schema of that answer. Every documented query parameter is
 * then sent on its own, with a value its schema allows, and must not be refused with 400.
 */
describe('OpenAPI contract', () => {
  let t: TestApp;
  let sql: Sql;
  let device: TestPublisher;
  let base: string;
  let document: { paths: Record<string, Record<string, Operation>> };
  const keys = {} as Record<ApiRole, string>;
  const seeded: Record<string, string> = {};

  beforeAll(async () => {
    // Samples from 2019 are older than the default backfill horizon.
    t = await startTestApp({ API_RATE_LIMIT_PER_MINUTE: '100000', BACKFILL_HORIZON_DAYS: '5000' });
    const admin = bearer(t.adminKey);
    sql = await Sql.connect(t.database.url);
    const post = async (path: string, body: object, key = admin) => (await t.http().post(path).set(key).send(body).expect(201)).body;
    seeded.departmentId = (await post('/api/v1/organizations', anOrganization())).id;
    seeded.cooperativeId = (await post('/api/v1/organizations', aCooperative())).id;
    for (const role of API_ROLES) keys[role] = await t.keyFor(role, role === 'cooperative' ? seeded.cooperativeId : undefined);
    seeded.grantId = (await post('/api/v1/subsidy-grants', aSubsidyGrant(seeded.cooperativeId))).id;
    seeded.chargePointId = (await post('/api/v1/chargepoints', aChargePoint(seeded.cooperativeId, { subsidyGrantId: seeded.grantId }))).id;
    seeded.vehicleId = (
      await post('/api/v1/vehicles', aVehicle(seeded.departmentId, { deviceId: 'veh-contract', energyCarrier: 'petrol', nominalConsumptionPerKm: null, inServiceFrom: '2018-01-01' }))
    ).id;

    // A day of driving in 2019 and one in 2020, with positions: daily figures, trips, a track.
    device = await TestPublisher.connect(t.broker.url);
    await new Promise((resolve) => setTimeout(resolve, 500)); // the ingest's device list reloads on the registry's notification
    const drive = (day: string, km: number, litres: number) => [
      { ts: `${day}T08:00:00Z`, odometerKm: km, fuelUsedL: litres, ignition: true, lat: 59.91, lon: 10.75 },
      { ts: `${day}T09:00:00Z`, odometerKm: km + 50, fuelUsedL: litres + 4, ignition: true, lat: 59.95, lon: 10.8 },
      { ts: `${day}T09:05:00Z`, odometerKm: km + 50, fuelUsedL: litres + 4, ignition: false, lat: 59.95, lon: 10.8 },
    ];
    await device.publish('fleet/v1/vehicles/veh-contract/telemetry', [...drive('2019-03-10', 1000, 100), ...drive('2020-03-10', 1050, 104)]);
    for (let deadline = Date.now() + 60_000; ; await new Promise((resolve) => setTimeout(resolve, 250))) {
      const [{ km }] = await sql.rows<{ km: string | null }>(`SELECT sum(distance_km) AS km FROM vehicle_daily`);
      if (Math.abs(Number(km ?? 0) - 100) < 1e-6) break;
      if (Date.now() > deadline) throw new Error(`rollups did not settle: ${km} km`);
    }

    await post('/api/v1/emissions/factor-sets', {
      name: 'Contract test',
      factors: [
        { carrier: 'petrol', year: 2019, ttwKgPerUnit: 2.0, wttKgPerUnit: 0.5, biogenicKgPerUnit: 0, energyKwhPerUnit: 9, source: 'test' },
        { carrier: 'petrol', year: 2020, ttwKgPerUnit: 1.9, wttKgPerUnit: 0.5, biogenicKgPerUnit: 0, energyKwhPerUnit: 9, source: 'test' },
      ],
      consumption: [{ vehicleClass: 'passenger_car', carrier: 'petrol', perKm: 0.08, reference: true, source: 'test' }],
    });
    await post('/api/v1/emissions/budget-sets', {
      name: 'Contract test',
      budgets: [{ scope: 'fleet', fromYear: 2020, toYear: 2030, boundary: 'ttw', annualKg: 140 }],
      targets: [{ name: 'Fleet -20 % in 2020 against 2019', scope: 'fleet', kind: 'change', year: 2020, baseYear: 2019, changePct: -20 }],
    });
    await post('/api/v1/emissions/locks', { year: 2019 }, admin);
    await post('/api/v1/electrification/depots', { organizationId: seeded.departmentId, name: 'Depot', lat: 59.91, lon: 10.75, radiusM: 200, chargerKw: 11 });
    const [candidate] = (await t.http().get('/api/v1/electrification/candidates').set(admin).expect(200)).body;
    seeded.planId = (await post('/api/v1/electrification/plans', { name: 'Contract plan', items: [{ vehicleId: seeded.vehicleId, month: '2020-09', candidateId: candidate.id }] })).id;
    await post('/api/v1/reports/charging-usage/submissions', { from: '2020-01-01', to: '2021-01-01' }, bearer(keys.cooperative));
    // A rule in every role's scope, each with an alert.
    const rules: Array<[ApiRole, object]> = [
      ['climate_office', { kind: 'budget_status', name: 'Fleet budget', params: { scope: 'fleet', status: 'at_risk' } }],
      ['fleet_manager', { kind: 'vehicle_offline', name: 'Offline', params: { minutes: 30 } }],
      ['cooperative', { kind: 'connector_fault', name: 'Connector fault', params: { minutes: 60 } }],
    ];
    for (const [role, body] of rules) {
      const rule = await post('/api/v1/alert-rules', body, bearer(keys[role]));
      seeded.ruleId = rule.id;
      await sql.rows(`INSERT INTO alerts (rule_id, subject_id, subject_label, opened_at, message) VALUES ($1, 'contract', 'Contract', now(), 'seeded')`, [rule.id]);
    }
    seeded.apiKeyId = (await t.http().get('/api/v1/api-keys').set(admin).expect(200)).body.items[0].id;

    const server = t.app.getHttpServer() as Server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    document = (await (await fetch(`${base}/docs-json`)).json()) as typeof document;
  }, 240_000);

  afterAll(async () => {
    await device?.close();
    await sql?.close();
    await t?.close();
  });

  const get = async (path: string, role: ApiRole) => {
    const response = await fetch(`${base}${path}`, { headers: bearer(keys[role]) });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return { status: response.status, body: (await response.json().catch(() => undefined)) as any };
  };

  /** A value of the parameter's schema: a seeded object's id, a day or time in the seeded years, an enum's first. */
  const valueFor = (parameter: Parameter, ajv: Ajv2020): string | undefined => {
    const byName: Record<string, unknown[]> = {
      from: ['2019-01-01', '2019-01-01T00:00:00Z'],
      to: ['2021-01-01', '2021-01-01T00:00:00Z'],
      year: [2020],
      baseYear: [2019],
      organizationId: [seeded.cooperativeId],
      departmentId: [seeded.departmentId],
      vehicleId: [seeded.vehicleId],
      chargePointId: [seeded.chargePointId],
      plan: [seeded.planId],
      ruleId: [seeded.ruleId],
      apiKeyId: [seeded.apiKeyId],
      scope: ['fleet'],
      month: [6],
      asOf: ['2020-06-01'],
    };
    const schema = parameter.schema;
    const candidates = [...(byName[parameter.name] ?? []), schema.default, ...((schema.enum as unknown[]) ?? []), schema.minimum, 1, 'x', true].filter((value) => value !== undefined);
    const valid = candidates.find((value) => ajv.validate(schema, value));
    return valid === undefined ? undefined : String(valid);
  };

  /** The id of the first object the role sees in the route's list (`/x/{id}/...` → `/x`). */
  const idFor = async (path: string, role: ApiRole): Promise<string | undefined> => {
    const [list, param] = path.split(/\/\{(\w+)\}/);
    // Alerts: resolved ones too (the worker resolves the seeded alerts, their condition being clear).
    const listQuery = list.endsWith('/submissions') ? '?from=2020-01-01&to=2021-01-01' : list.endsWith('/alerts') ? '?state=all' : '';
    const { status, body } = await get(`${list}${listQuery}`, role);
    if (status !== 200) return undefined;
    const items: Array<Record<string, unknown>> = Array.isArray(body) ? body : body.items;
    const item = items.find((entry) => entry[param] ?? entry.id ?? entry.submissionId);
    return item ? String(item[param] ?? item.id ?? item.submissionId) : undefined;
  };

  it('every GET route answers each role it declares with JSON valid against its documented schema, and accepts every documented query parameter', async () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema(document, 'openapi');
    const declared = new Map(declaredRoutes(t.app).map((route) => [`${route.method} ${route.path.replace(/:(\w+)/g, '{$1}')}`, route.access]));
    const failures: string[] = [];
    const unchecked: string[] = [];
    let calls = 0;
    let routes = 0;
    let parameterCalls = 0;
    for (const [path, item] of Object.entries(document.paths)) {
      const operation = item.get;
      if (!operation?.responses['200']?.content?.['application/json']) continue;
      const access = declared.get(`GET ${path}`);
      if (!access) {
        failures.push(`GET ${path}: documented but not declared by any controller`);
        continue;
      }
      routes++;
      const roles: ApiRole[] = access === 'public' ? ['admin'] : (access as ApiRole[]);
      const queryParameters = (operation.parameters ?? []).filter((parameter) => parameter.in === 'query');
      const required = queryParameters.filter((parameter) => parameter.required);
      const value = (parameter: Parameter) => {
        const found = valueFor(parameter, ajv);
        if (found === undefined) failures.push(`GET ${path}: the test has no value for query parameter ${parameter.name}`);
        return `${parameter.name}=${encodeURIComponent(found ?? '')}`;
      };
      const query = required.map(value).join('&');
      const pointer = `openapi#/paths/${path.replace(/~/g, '~0').replace(/\//g, '~1')}/get/responses/200/content/application~1json/schema`;
      const validate = ajv.getSchema(pointer) ?? ajv.compile({ $ref: pointer });
      for (const role of roles) {
        let url = path;
        if (path.includes('{')) {
          const id = await idFor(path, role);
          if (!id) {
            unchecked.push(`GET ${path} as ${role}: no object of the seeded database is visible to the role`);
            continue;
          }
          url = path.replace(/\{\w+\}/, id);
        }
        const { status, body } = await get(`${url}${query ? `?${query}` : ''}`, role);
        calls++;
        if (status !== 200) failures.push(`GET ${url}?${query} as ${role}: ${status} ${JSON.stringify(body)}`);
        else if (!validate(body)) failures.push(`GET ${path} as ${role}: ${ajv.errorsText(validate.errors, { separator: '; ' }).slice(0, 600)}`);
        // Each optional parameter on its own, by the first role, with a value its schema allows.
        if (role !== roles[0]) continue;
        for (const parameter of queryParameters.filter((p) => !p.required)) {
          const extra = value(parameter);
          const answer = await get(`${url}?${[query, extra].filter(Boolean).join('&')}`, role);
          parameterCalls++;
          if (answer.status === 400) failures.push(`GET ${path} refuses its documented ${extra}: ${JSON.stringify(answer.body)}`);
        }
      }
    }
    process.stdout.write(
      `openapi contract: ${routes} JSON GET routes, ${calls} route x role calls validated, ${parameterCalls} optional query parameter calls, ${unchecked.length} not checked\n` +
        unchecked.map((line) => `  not checked: ${line}\n`).join(''),
    );
    expect(failures).toEqual([]);
    expect(unchecked).toEqual([]);
  }, 240_000);
});
