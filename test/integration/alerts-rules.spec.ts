import { Clock } from '../../src/platform/time/clock';
import { AlertRow, alertsOf, sleep, waitForAlerts } from '../support/alerts-fixture';
import { aCooperative, aVehicle, anOrganization } from '../support/builders';
import { registerChargePoint } from '../support/charging-fixture';
import { TestPublisher } from '../support/mqtt-publisher';
import { TestApp, bearer, startTestApp } from '../support/test-app';

const EVALUATION_MS = 300;
const open = (alerts: AlertRow[]) => alerts.filter((a) => a.resolvedAt === null);

/**
 * Each rule kind driven through MQTT against the real pipeline: it fires once, stays one alert
 * over many evaluation cycles while the condition lasts, and resolves when it clears. Each test
 * has its own organization and deletes its rule at the end, so that kinds do not see each
 * other's subjects.
 */
describe('alerts: rule kinds', () => {
  let t: TestApp;
  let device: TestPublisher;
  let admin: string;
  let fleetManager: string;

  beforeAll(async () => {
    t = await startTestApp({ INGEST_CONNECTIONS: '2', VEHICLE_OFFLINE_AFTER: '2s', ALERT_EVALUATION_INTERVAL: `${EVALUATION_MS}ms`, CHARGEPOINT_HEARTBEAT: '24h' });
    device = await TestPublisher.connect(t.broker.url);
    admin = t.adminKey;
    fleetManager = await t.keyFor('fleet_manager');
  });

  afterEach(() => jest.restoreAllMocks());

  afterAll(async () => {
    await device?.close();
    await t?.close();
  });

  const createRule = async (key: string, body: Record<string, unknown>) => (await t.http().post('/api/v1/alert-rules').set(bearer(key)).send(body).expect(201)).body;
  const department = async () => (await t.http().post('/api/v1/organizations').set(bearer(admin)).send(anOrganization()).expect(201)).body.id as string;
  const cooperative = async () => (await t.http().post('/api/v1/organizations').set(bearer(admin)).send(aCooperative()).expect(201)).body.id as string;
  const vehicle = async (departmentId: string, deviceId: string) => {
    const id = (await t.http().post('/api/v1/vehicles').set(bearer(admin)).send(aVehicle(departmentId, { deviceId })).expect(201)).body.id as string;
    await sleep(500); // the ingest's device list reloads on the registry's notification
    return id;
  };
  const stillSingle = async (key: string, ruleId: string) => {
    await sleep(EVALUATION_MS * 5);
    const alerts = await alertsOf(t, key, ruleId);
    expect(alerts).toHaveLength(1);
    expect(open(alerts)).toHaveLength(1);
    return alerts[0];
  };

  it('vehicle_offline: opens once the vehicle is offline longer than X, stays single, resolves when it is back online', async () => {
    const departmentId = await department();
    const vehicleId = await vehicle(departmentId, 'veh-offline');
    // This service has no SMTP server: the mail notification is given up at once, with the reason.
    const rule = await createRule(fleetManager, { kind: 'vehicle_offline', name: 'Offline 3 s', organizationId: departmentId, params: { minutes: 0.05 }, emailTo: ['flate@kommune.test'] });
    await device.publish('fleet/v1/vehicles/veh-offline/telemetry', { ts: Date.now(), speedKmh: 30 });
    const [opened] = await waitForAlerts(t, fleetManager, rule.id, (alerts) => alerts.length === 1, 30_000);
    expect(opened.subjectId).toBe(vehicleId);
    await stillSingle(fleetManager, rule.id);

    await device.publish('fleet/v1/vehicles/veh-offline/telemetry', { ts: Date.now(), speedKmh: 31 });
    const [resolved] = await waitForAlerts(t, fleetManager, rule.id, (alerts) => alerts.length === 1 && alerts[0].resolvedAt !== null);
    expect(resolved.id).toBe(opened.id);
    const notificationsOf = async () =>
      (await t.http().get(`/api/v1/alerts/${opened.id}`).set(bearer(fleetManager)).expect(200)).body.notifications as Array<{ event: string; status: string; attempts: number; lastError: string }>;
    for (let deadline = Date.now() + 10_000; Date.now() < deadline; await sleep(200)) {
      if ((await notificationsOf()).filter((n) => n.status === 'given_up').length === 2) break;
    }
    const notifications = await notificationsOf();
    expect(notifications.map((n) => [n.event, n.status, n.attempts, n.lastError])).toEqual([
      ['opened', 'given_up', 1, 'no SMTP server configured (SMTP_URL)'],
      ['resolved', 'given_up', 1, 'no SMTP server configured (SMTP_URL)'],
    ]);
    await t.http().delete(`/api/v1/alert-rules/${rule.id}`).set(bearer(fleetManager)).expect(204);
  });

  it('device_silent: a charge point without data for X days opens one alert; its next message resolves it', async () => {
    const coop = await cooperative();
    const coopKey = await t.keyFor('cooperative', coop);
    const chargePointId = await registerChargePoint(t, coop, 'cp-silent');
    await device.publish('fleet/v1/chargepoints/cp-silent/status', { ts: new Date().toISOString(), connectorId: 1, status: 'Available' });
    // Four seconds, as days: the kind's unit is days, and a test cannot wait for one.
    const rule = await createRule(coopKey, { kind: 'device_silent', name: 'Silent', params: { days: 4 / 86_400 } });
    expect(rule.subjectKind).toBe('charge_point');
    const [opened] = await waitForAlerts(t, coopKey, rule.id, (alerts) => alerts.length === 1);
    expect(opened.subjectId).toBe(chargePointId);
    await stillSingle(coopKey, rule.id);

    await device.publish('fleet/v1/chargepoints/cp-silent/status', { ts: new Date().toISOString(), connectorId: 1, status: 'Available' });
    await waitForAlerts(t, coopKey, rule.id, (alerts) => alerts.length === 1 && alerts[0].resolvedAt !== null);
    await t.http().delete(`/api/v1/alert-rules/${rule.id}`).set(bearer(coopKey)).expect(204);
  });

  it('connector_fault: a connector Faulted longer than X opens one alert per connector; Available resolves it', async () => {
    const coop = await cooperative();
    const coopKey = await t.keyFor('cooperative', coop);
    const chargePointId = await registerChargePoint(t, coop, 'cp-fault');
    const rule = await createRule(coopKey, { kind: 'connector_fault', name: 'Faulted 2 s', params: { minutes: 2 / 60 } });
    await device.publish('fleet/v1/chargepoints/cp-fault/status', { ts: new Date().toISOString(), connectorId: 2, status: 'Faulted', errorCode: 'GroundFailure' });
    const [opened] = await waitForAlerts(t, coopKey, rule.id, (alerts) => alerts.length === 1);
    expect([opened.subjectId, opened.subjectPart]).toEqual([chargePointId, '2']);
    await stillSingle(coopKey, rule.id);

    await device.publish('fleet/v1/chargepoints/cp-fault/status', { ts: new Date().toISOString(), connectorId: 2, status: 'Available' });
    await waitForAlerts(t, coopKey, rule.id, (alerts) => alerts.length === 1 && alerts[0].resolvedAt !== null);
    await t.http().delete(`/api/v1/alert-rules/${rule.id}`).set(bearer(coopKey)).expect(204);
  });

  it('availability_below: a charge point available less than Y % of N days opens one alert; availability back above Y + margin resolves it', async () => {
    const coop = await cooperative();
    const coopKey = await t.keyFor('cooperative', coop);
    const chargePointId = await registerChargePoint(t, coop, 'cp-avail');
    // Nothing heard in the last day: 0 % available.
    const rule = await createRule(coopKey, { kind: 'availability_below', name: 'Below 50 %', params: { pct: 50, days: 1, marginPct: 5 } });
    const [opened] = await waitForAlerts(t, coopKey, rule.id, (alerts) => alerts.length === 1);
    expect(opened.subjectId).toBe(chargePointId);
    await stillSingle(coopKey, rule.id);

    // Available (online: heartbeat 24 h) from 20 hours ago until now: 83 % of the last day.
    const now = Date.now();
    await device.publish('fleet/v1/chargepoints/cp-avail/status', [
      { ts: new Date(now - 20 * 3_600_000).toISOString(), connectorId: 1, status: 'Available' },
      { ts: new Date(now - 20 * 3_600_000).toISOString(), connectorId: 2, status: 'Available' },
      { ts: new Date(now).toISOString(), connectorId: 1, status: 'Available' },
    ]);
    await waitForAlerts(t, coopKey, rule.id, (alerts) => alerts.length === 1 && alerts[0].resolvedAt !== null, 30_000);
    await t.http().delete(`/api/v1/alert-rules/${rule.id}`).set(bearer(coopKey)).expect(204);
  });

  it('dead_letter_rate: more than N dead letters of a device in an hour open one alert; an hour later it resolves', async () => {
    const departmentId = await department();
    const vehicleId = await vehicle(departmentId, 'veh-garbage');
    const rule = await createRule(fleetManager, { kind: 'dead_letter_rate', name: 'Garbage', organizationId: departmentId, params: { perHour: 2 } });
    for (let i = 0; i < 3; i++) await device.publish('fleet/v1/vehicles/veh-garbage/telemetry', { ts: `not a time ${i}` });
    const [opened] = await waitForAlerts(t, fleetManager, rule.id, (alerts) => alerts.length === 1);
    expect(opened.subjectId).toBe(vehicleId);
    for (let i = 3; i < 6; i++) await device.publish('fleet/v1/vehicles/veh-garbage/telemetry', { ts: `not a time ${i}` });
    await stillSingle(fleetManager, rule.id);

    // The service's clock an hour on: the last hour holds none of them.
    const clock = t.app.get(Clock);
    jest.spyOn(clock, 'now').mockImplementation(() => new Date(Date.now() + 3_700_000));
    await waitForAlerts(t, fleetManager, rule.id, (alerts) => alerts.length === 1 && alerts[0].resolvedAt !== null);
    await t.http().delete(`/api/v1/alert-rules/${rule.id}`).set(bearer(fleetManager)).expect(204);
  });

  it('resolves only after resolveAfterSeconds of clear condition (hysteresis in time), and keeps the resolved alert as history', async () => {
    const coop = await cooperative();
    const coopKey = await t.keyFor('cooperative', coop);
    await registerChargePoint(t, coop, 'cp-flap');
    const rule = await createRule(coopKey, { kind: 'connector_fault', name: 'Unavailable', params: { minutes: 1 / 60 }, resolveAfterSeconds: 3 });
    await device.publish('fleet/v1/chargepoints/cp-flap/status', { ts: new Date().toISOString(), connectorId: 1, status: 'Unavailable' });
    await waitForAlerts(t, coopKey, rule.id, (alerts) => alerts.length === 1);
    // A short recovery and relapse within the resolve delay: still the one alert.
    await device.publish('fleet/v1/chargepoints/cp-flap/status', { ts: new Date().toISOString(), connectorId: 1, status: 'Available' });
    await sleep(1000);
    await device.publish('fleet/v1/chargepoints/cp-flap/status', { ts: new Date().toISOString(), connectorId: 1, status: 'Unavailable' });
    await sleep(4000);
    const during = await alertsOf(t, coopKey, rule.id);
    expect(during).toHaveLength(1);
    expect(during[0].resolvedAt).toBeNull();

    const clearedAt = Date.now();
    await device.publish('fleet/v1/chargepoints/cp-flap/status', { ts: new Date().toISOString(), connectorId: 1, status: 'Available' });
    const [resolved] = await waitForAlerts(t, coopKey, rule.id, (alerts) => alerts.length === 1 && alerts[0].resolvedAt !== null);
    expect(Date.parse(resolved.resolvedAt!) - clearedAt).toBeGreaterThanOrEqual(3000);
    const history = (await t.http().get('/api/v1/alerts?state=resolved').set(bearer(coopKey)).expect(200)).body.items;
    expect(history.map((a: AlertRow) => a.id)).toEqual([resolved.id]);
  });
});
