import { RPCClient } from 'ocpp-rpc';
import { OcppEndpointService } from '../../src/ocpp/ocpp-endpoint.service';
import { Clock } from '../../src/platform/time/clock';
import { AlertRow, alertsOf, sleep, waitForAlerts } from '../support/alerts-fixture';
import { aCooperative } from '../support/builders';
import { registerChargePoint } from '../support/charging-fixture';
import { connectChargePoint } from '../support/ocpp-client';
import { Sql } from '../support/sql';
import { TestApp, bearer, startTestApp } from '../support/test-app';

const EVALUATION_MS = 300;
/** availability_below's window in these tests: N days are ten seconds, as a test cannot wait for days. */
const WINDOW_MS = 10_000;
const open = (alerts: AlertRow[]) => alerts.filter((a) => a.resolvedAt === null);

/**
 * The charge-point rule kinds driven by a charge point that reports over OCPP 1.6J (issue 22):
 * the same life cycle as over MQTT (alerts-rules.spec.ts): it fires once, stays one alert over
 * many evaluation cycles while the condition lasts, and resolves when it clears. The rule kinds
 * that watch charge points are all here (connector_fault, device_silent, availability_below,
 * dead_letter_rate); vehicle_offline and budget_status have no charge point subject.
 */
describe('alerts: rule kinds over OCPP', () => {
  let t: TestApp;
  let admin: string;
  let sql: Sql;
  const clients: RPCClient[] = [];

  beforeAll(async () => {
    t = await startTestApp({ ALERT_EVALUATION_INTERVAL: `${EVALUATION_MS}ms`, CHARGEPOINT_HEARTBEAT: '24h' });
    admin = t.adminKey;
    sql = await Sql.connect(t.database.url);
  });

  afterEach(() => jest.restoreAllMocks());

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close({ force: true })));
    await sql?.close();
    await t?.close();
  });

  const createRule = async (key: string, body: Record<string, unknown>) => (await t.http().post('/api/v1/alert-rules').set(bearer(key)).send(body).expect(201)).body;
  /** A cooperative with one OCPP charge point, and the charge point's password. */
  const ocppChargePoint = async (deviceId: string) => {
    const coop = (await t.http().post('/api/v1/organizations').set(bearer(admin)).send(aCooperative()).expect(201)).body.id as string;
    const coopKey = await t.keyFor('cooperative', coop);
    const chargePointId = await registerChargePoint(t, coop, deviceId, { protocol: 'ocpp' });
    const { password } = (await t.http().post(`/api/v1/chargepoints/${chargePointId}/ocpp-password`).set(bearer(admin)).send({}).expect(201)).body;
    return { coopKey, chargePointId, password: password as string };
  };
  const connect = async (deviceId: string, password: string) => {
    const client = await connectChargePoint(t.app.get(OcppEndpointService).port, deviceId, password);
    clients.push(client);
    return client;
  };
  const status = (client: RPCClient, connectorId: number, value: string, errorCode = 'NoError', at = new Date()) =>
    client.call('StatusNotification', { connectorId, status: value, errorCode, timestamp: at.toISOString() });
  const stillSingle = async (key: string, ruleId: string) => {
    await sleep(EVALUATION_MS * 5);
    const alerts = await alertsOf(t, key, ruleId);
    expect(alerts).toHaveLength(1);
    expect(open(alerts)).toHaveLength(1);
    return alerts[0];
  };

  it('connector_fault: a StatusNotification Faulted held longer than X opens one alert for the connector; Available resolves it', async () => {
    const { coopKey, chargePointId, password } = await ocppChargePoint('cp-ocpp-fault');
    const client = await connect('cp-ocpp-fault', password);
    await status(client, 1, 'Available');
    await status(client, 2, 'Available');
    const rule = await createRule(coopKey, { kind: 'connector_fault', name: 'Faulted 2 s', params: { minutes: 2 / 60 } });
    await status(client, 2, 'Faulted', 'GroundFailure');
    const [opened] = await waitForAlerts(t, coopKey, rule.id, (alerts) => alerts.length === 1);
    expect([opened.subjectId, opened.subjectPart]).toEqual([chargePointId, '2']);
    // The OCPP errorCode is carried into the alert.
    expect((opened as AlertRow & { message: string }).message).toMatch(/^Faulted \(GroundFailure\) since /);
    const single = await stillSingle(coopKey, rule.id);
    expect(single.id).toBe(opened.id);

    await status(client, 2, 'Available');
    const [resolved] = await waitForAlerts(t, coopKey, rule.id, (alerts) => alerts.length === 1 && alerts[0].resolvedAt !== null);
    expect(resolved.id).toBe(opened.id);
    await t.http().delete(`/api/v1/alert-rules/${rule.id}`).set(bearer(coopKey)).expect(204);
  });

  it('device_silent: a charge point that closed its OCPP connection and sent nothing for X opens one alert; its next StatusNotification resolves it', async () => {
    const { coopKey, chargePointId, password } = await ocppChargePoint('cp-ocpp-silent');
    // A second apart from the registration, from which a charge point never heard from counts.
    await sleep(1100);
    const heardFrom = new Date();
    heardFrom.setUTCMilliseconds(0);
    const first = await connect('cp-ocpp-silent', password);
    await status(first, 1, 'Available');
    await first.close();
    // The charge point's live state has taken the message (a loaded machine derives it seconds later).
    await sql.waitForCount(`SELECT 1 FROM charge_point_state WHERE charge_point_id = $1 AND last_message_at IS NOT NULL`, 1, [chargePointId], 30_000);
    // Four seconds, as days: the kind's unit is days, and a test cannot wait for one.
    const rule = await createRule(coopKey, { kind: 'device_silent', name: 'Silent', params: { days: 4 / 86_400 } });
    const [opened] = await waitForAlerts(t, coopKey, rule.id, (alerts) => alerts.length === 1);
    expect(opened.subjectId).toBe(chargePointId);
    // Silent since what it sent over OCPP, not since its registration.
    const since = /^no data since (\S+)$/.exec((opened as AlertRow & { message: string }).message)?.[1];
    expect(Date.parse(since ?? '')).toBeGreaterThanOrEqual(heardFrom.getTime());
    await stillSingle(coopKey, rule.id);

    const again = await connect('cp-ocpp-silent', password);
    await status(again, 1, 'Available');
    await waitForAlerts(t, coopKey, rule.id, (alerts) => alerts.length === 1 && alerts[0].resolvedAt !== null);
    await t.http().delete(`/api/v1/alert-rules/${rule.id}`).set(bearer(coopKey)).expect(204);
  });

  it('availability_below: StatusNotifications Faulted bring the availability of the last N days below Y %: one alert; Available brings it back above Y + margin: resolved', async () => {
    const { coopKey, chargePointId, password } = await ocppChargePoint('cp-ocpp-avail');
    const client = await connect('cp-ocpp-avail', password);
    // Heard from (heartbeat 24 h: online the whole window) with both connectors usable: 100 %.
    await status(client, 1, 'Available');
    await status(client, 2, 'Available');
    await sql.waitForCount(`SELECT 1 FROM charge_point_availability WHERE charge_point_id = $1 AND started_at <= now() AND ended_at > now()`, 1, [chargePointId], 30_000);
    const rule = await createRule(coopKey, { kind: 'availability_below', name: 'Below 50 %', params: { pct: 50, days: WINDOW_MS / 86_400_000, marginPct: 25 } });
    await sleep(EVALUATION_MS * 5);
    expect(await alertsOf(t, coopKey, rule.id)).toEqual([]);

    // Connector 1 faulted: the charge point is unavailable from now on, below 50 % of the window half a window later.
    await status(client, 1, 'Faulted', 'ConnectorLockFailure');
    const [opened] = await waitForAlerts(t, coopKey, rule.id, (alerts) => alerts.length === 1, 30_000);
    expect(opened.subjectId).toBe(chargePointId);
    expect((opened as AlertRow & { message: string }).message).toMatch(/^available \d+(\.\d)? % of the last /);
    // A whole window on: availability down to 0 %, still the one alert.
    await sleep(WINDOW_MS);
    const single = await stillSingle(coopKey, rule.id);
    expect(single.id).toBe(opened.id);

    // Usable again: the availability climbs through the band between 50 % and 75 % with the alert open, and resolves above 75 %.
    const availableAt = new Date();
    await status(client, 1, 'Available', 'NoError', availableAt);
    const [resolved] = await waitForAlerts(t, coopKey, rule.id, (alerts) => alerts.length === 1 && alerts[0].resolvedAt !== null, 30_000);
    expect(resolved.id).toBe(opened.id);
    expect(Date.parse(resolved.resolvedAt!) - availableAt.getTime()).toBeGreaterThanOrEqual(0.75 * WINDOW_MS);
    await t.http().delete(`/api/v1/alert-rules/${rule.id}`).set(bearer(coopKey)).expect(204);
  });

  it('dead_letter_rate: OCPP calls the central system refuses (a charge point clock a day ahead) above N in an hour open one alert; an hour later it resolves', async () => {
    const { coopKey, chargePointId, password } = await ocppChargePoint('cp-ocpp-garbage');
    const client = await connect('cp-ocpp-garbage', password);
    const rule = await createRule(coopKey, { kind: 'dead_letter_rate', name: 'Refused calls', params: { perHour: 2 } });
    expect(rule.subjectKind).toBe('charge_point');
    const tomorrow = () => new Date(Date.now() + 86_400_000);
    const refused = async (count: number) => {
      for (let i = 0; i < count; i++) await expect(status(client, 1, 'Available', 'NoError', tomorrow())).rejects.toThrow(/future/);
    };
    await refused(3);
    const [opened] = await waitForAlerts(t, coopKey, rule.id, (alerts) => alerts.length === 1);
    expect(opened.subjectId).toBe(chargePointId);
    expect((opened as AlertRow & { message: string }).message).toBe('3 dead letters in the last hour');
    await refused(3);
    const single = await stillSingle(coopKey, rule.id);
    expect(single.id).toBe(opened.id);

    // The service's clock an hour on: the last hour holds none of them.
    jest.spyOn(t.app.get(Clock), 'now').mockImplementation(() => new Date(Date.now() + 3_700_000));
    const [resolved] = await waitForAlerts(t, coopKey, rule.id, (alerts) => alerts.length === 1 && alerts[0].resolvedAt !== null);
    expect(resolved.id).toBe(opened.id);
    await t.http().delete(`/api/v1/alert-rules/${rule.id}`).set(bearer(coopKey)).expect(204);
  });
});
