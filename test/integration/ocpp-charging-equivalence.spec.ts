import { isDeepStrictEqual } from 'node:util';
import { RPCClient } from 'ocpp-rpc';
import { OcppEndpointService } from '../../src/ocpp/ocpp-endpoint.service';
import { aCooperative } from '../support/builders';
import { registerChargePoint, settled } from '../support/charging-fixture';
import { TestPublisher } from '../support/mqtt-publisher';
import { connectChargePoint } from '../support/ocpp-client';
import { TestApp, bearer, startTestApp } from '../support/test-app';

/**
 * One charging month (October 2026, Europe/Oslo) driven once over MQTT and once over OCPP 1.6J:
 * the charging-usage report must give the two charge points every figure alike (ocpp-1.6j.md,
 * "Figures"). The OCPP side sends what an OCPP charge point sends: registers in kWh and power in
 * kW beside per-phase values, timestamps partly without offset, a re-sent StartTransaction.
 */
describe('charging: the same month over MQTT and over OCPP gives the same report', () => {
  let t: TestApp;
  let device: TestPublisher;
  let ocpp: RPCClient;
  let admin: Record<string, string>;
  let cooperativeId: string;
  let mqttId: string;
  let ocppId: string;

  beforeAll(async () => {
    t = await startTestApp();
    admin = bearer(t.adminKey);
    cooperativeId = (await t.http().post('/api/v1/organizations').set(admin).send(aCooperative()).expect(201)).body.id;
    mqttId = await registerChargePoint(t, cooperativeId, 'cp-month-mqtt');
    ocppId = await registerChargePoint(t, cooperativeId, 'cp-month-ocpp', { protocol: 'ocpp' });
    const { password } = (await t.http().post(`/api/v1/chargepoints/${ocppId}/ocpp-password`).set(admin).send({}).expect(201)).body;
    device = await TestPublisher.connect(t.broker.url);
    ocpp = await connectChargePoint(t.app.get(OcppEndpointService).port, 'cp-month-ocpp', password);
  });

  afterAll(async () => {
    await ocpp?.close({ force: true });
    await device?.close();
    await t?.close();
  });

  /** The month as the charge point's events: each is sent over MQTT in the contract's form and over OCPP as its action. */
  type Event =
    | { kind: 'status'; ts: string; connectorId: number; status: string; errorCode?: string }
    | { kind: 'meter'; ts: string; connectorId: number; energyWh: number; powerW?: number }
    | { kind: 'start'; ts: string; connectorId: number; meterWh: number; idTag: string; key: string }
    | { kind: 'stop'; ts: string; meterWh: number; key: string; reason?: string };

  const month: Event[] = [];
  const day = (d: number, time: string) => `2026-10-${String(d).padStart(2, '0')}T${time}Z`;
  // Sessions with transactions, most days of the month, on two connectors and two users.
  for (let d = 1; d <= 30; d += 2) {
    const connectorId = 1 + (d % 2 === 1 && d % 4 === 1 ? 1 : 0);
    const base = 100_000 + d * 20_000;
    const key = `tx-${d}`;
    month.push(
      { kind: 'status', ts: day(d, '16:58:00'), connectorId, status: 'Preparing' },
      { kind: 'start', ts: day(d, '17:00:00'), connectorId, meterWh: base, idTag: d % 3 === 0 ? 'TAG-ALICE' : 'TAG-BOB', key },
      { kind: 'status', ts: day(d, '17:00:30'), connectorId, status: 'Charging' },
      { kind: 'meter', ts: day(d, '18:00:00'), connectorId, energyWh: base + 7_100, powerW: 7_100 },
      { kind: 'status', ts: day(d, '19:10:00'), connectorId, status: 'SuspendedEV' },
      { kind: 'meter', ts: day(d, '19:30:00'), connectorId, energyWh: base + 12_650, powerW: 0 },
      { kind: 'stop', ts: day(d, '20:15:00'), meterWh: base + 12_700, key, reason: 'EVDisconnected' },
      { kind: 'status', ts: day(d, '20:15:30'), connectorId, status: 'Finishing' },
      { kind: 'status', ts: day(d, '20:16:00'), connectorId, status: 'Available' },
    );
  }
  // A session seen only through statuses and meter values, and a fault that makes the charge point unavailable.
  month.push(
    { kind: 'status', ts: day(22, '09:00:00'), connectorId: 2, status: 'Preparing' },
    { kind: 'meter', ts: day(22, '09:00:00'), connectorId: 2, energyWh: 900_000 },
    { kind: 'status', ts: day(22, '09:01:00'), connectorId: 2, status: 'Charging' },
    { kind: 'meter', ts: day(22, '10:00:00'), connectorId: 2, energyWh: 904_400 },
    { kind: 'status', ts: day(22, '10:30:00'), connectorId: 2, status: 'Available' },
    { kind: 'status', ts: day(26, '10:00:00'), connectorId: 1, status: 'Faulted', errorCode: 'GroundFailure' },
    { kind: 'status', ts: day(26, '14:00:00'), connectorId: 1, status: 'Available' },
  );

  async function sendOverMqtt(deviceId: string) {
    const topic = (stream: string) => `fleet/v1/chargepoints/${deviceId}/${stream}`;
    const connectors = new Map<string, number>();
    for (const event of month) {
      if (event.kind === 'status') await device.publish(topic('status'), { ts: event.ts, connectorId: event.connectorId, status: event.status, errorCode: event.errorCode });
      if (event.kind === 'meter') await device.publish(topic('meter'), { ts: event.ts, connectorId: event.connectorId, energyWh: event.energyWh, powerW: event.powerW });
      if (event.kind === 'start') {
        connectors.set(event.key, event.connectorId);
        await device.publish(topic('transaction'), { ts: event.ts, event: 'start', connectorId: event.connectorId, transactionId: event.key, meterWh: event.meterWh, idTag: event.idTag });
      }
      if (event.kind === 'stop') {
        await device.publish(topic('transaction'), { ts: event.ts, event: 'stop', connectorId: connectors.get(event.key), transactionId: event.key, meterWh: event.meterWh, reason: event.reason });
      }
    }
  }

  async function sendOverOcpp() {
    const ids = new Map<string, number>();
    let offsetless = false;
    // Every other timestamp without its offset: OCPP says UTC.
    const time = (ts: string) => {
      offsetless = !offsetless;
      return offsetless ? ts.slice(0, -1) : ts;
    };
    for (const event of month) {
      if (event.kind === 'status') {
        await ocpp.call('StatusNotification', { connectorId: event.connectorId, status: event.status, errorCode: event.errorCode ?? 'NoError', timestamp: time(event.ts) });
      }
      if (event.kind === 'meter') {
        const sampledValue = [
          { value: String(event.energyWh / 1000), measurand: 'Energy.Active.Import.Register', unit: 'kWh', context: 'Sample.Periodic', location: 'Outlet' },
          { value: String(event.energyWh / 3000), measurand: 'Energy.Active.Import.Register', unit: 'kWh', phase: 'L1' },
        ];
        if (event.powerW !== undefined) sampledValue.push({ value: String(event.powerW / 1000), measurand: 'Power.Active.Import', unit: 'kW' } as (typeof sampledValue)[number]);
        await ocpp.call('MeterValues', { connectorId: event.connectorId, meterValue: [{ timestamp: time(event.ts), sampledValue }] });
      }
      if (event.kind === 'start') {
        const start = { connectorId: event.connectorId, idTag: event.idTag, meterStart: event.meterWh, timestamp: time(event.ts) };
        const { transactionId } = (await ocpp.call('StartTransaction', start)) as { transactionId: number };
        // Re-sent after a lost answer: the same id, one start.
        expect(((await ocpp.call('StartTransaction', start)) as { transactionId: number }).transactionId).toBe(transactionId);
        ids.set(event.key, transactionId);
      }
      if (event.kind === 'stop') {
        await ocpp.call('StopTransaction', { transactionId: ids.get(event.key), meterStop: event.meterWh, timestamp: time(event.ts), reason: event.reason });
      }
    }
  }

  it('gives both charge points every figure of the charging-usage report alike', async () => {
    await sendOverMqtt('cp-month-mqtt');
    await sendOverOcpp();
    const rowsOf = async () => {
      const body = (await t.http().get(`/api/v1/reports/charging-usage?organizationId=${cooperativeId}&from=2026-10-01&to=2026-10-31`).set(admin).expect(200)).body;
      const row = (id: string) => body.chargePoints.find((candidate: { chargePointId: string }) => candidate.chargePointId === id) as Record<string, unknown> | undefined;
      return { mqtt: row(mqttId), ocpp: row(ocppId) };
    };
    const expectedSessions = month.filter((event) => event.kind === 'start').length + 1;
    // Numbers to 9 decimals: PostgreSQL sums floats in the order it reads the rows, which differs
    // between the two points' tables (194.89999999999995 against 194.89999999999998 kWh was seen).
    const figures = (row: Record<string, unknown> | undefined) => {
      const { chargePointId: _id, name: _name, deviceId: _deviceId, ...rest } = row ?? {};
      void [_id, _name, _deviceId];
      return Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, typeof value === 'number' ? Number(value.toFixed(9)) : value]));
    };
    // The two charge points' data arrive at different times and derive on their own: wait until both
    // are derived (a timeout shows the rows as they were).
    const rows = await settled(rowsOf, ({ mqtt, ocpp }) => mqtt?.sessions === expectedSessions && ocpp?.sessions === expectedSessions && isDeepStrictEqual(figures(mqtt), figures(ocpp)), 90_000);
    process.stdout.write(`[ocpp equivalence] both charge points: ${JSON.stringify(figures(rows.ocpp))}\n`);
    expect(figures(rows.mqtt)).toEqual(figures(rows.ocpp));
    expect(figures(rows.mqtt)).toMatchObject({ sessions: expectedSessions, uniqueUsers: 2 });
    expect(Number(figures(rows.mqtt).energyKwh)).toBeCloseTo(15 * 12.7 + 4.4, 6);
    expect(Number(figures(rows.mqtt).availabilityPct)).toBeGreaterThan(0);
  });
});
