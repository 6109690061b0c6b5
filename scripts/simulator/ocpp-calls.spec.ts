import { createValidator } from 'ocpp-rpc';
import schemas from 'ocpp-rpc/lib/schemas/ocpp1_6.json';
import { parseFleet } from './fleet';
import { GenerateOptions, SimMessage, Traffic, generateMessages, generateTraffic, isOcppCall } from './generator';
import { OcppCall, bootNotification, requestOf } from './ocpp-calls';
import { osloMidnight } from './oslo-time';

const fleet = parseFleet(`
vehicles:
  - { registration: "EB10004", vehicleClass: passenger_car, energyCarrier: electricity, department: "941209807", inServiceFrom: "2017-02-06", deviceId: "veh-ev" }
chargePoints:
  - { deviceId: "cp-one", cooperative: "916292376", connectors: 1, maxKw: 7.4, commissionedOn: "2018-06-01", protocol: ocpp }
  - { deviceId: "cp-two", cooperative: "916292376", connectors: 2, maxKw: 22, commissionedOn: "2019-01-15", protocol: ocpp }
  - { deviceId: "cp-new", cooperative: "902208488", connectors: 2, maxKw: 11, commissionedOn: "2019-03-30" }
`);
const OCPP = new Set(fleet.chargePoints.map((point) => point.deviceId));
// Friday to Wednesday, over the switch to summer time and a weekend; cp-new is commissioned inside it.
const FROM = osloMidnight('2019-03-29');
const TO = osloMidnight('2019-04-03');
const options = (overrides: Partial<GenerateOptions> = {}): GenerateOptions => ({ fleet, seed: 7, from: FROM, to: TO, topicRoot: 'fleet', maxSamples: 500, ...overrides });
const callsOf = (traffic: Traffic[]): OcppCall[] => traffic.filter(isOcppCall);

/** A central system as the spec has it: ids from a counter, a re-sent StartTransaction gets the id it got before. */
class CentralSystem {
  private readonly ids = new Map<string, number>();
  private next = 1000;
  /** Per device: simulated transaction -> issued id, as the client keeps it. */
  readonly issued = new Map<string, Map<string, number>>();

  answer(call: OcppCall): Record<string, unknown> {
    const request = requestOf(call, this.issued.get(call.deviceId) ?? new Map());
    if (call.action !== 'StartTransaction') return request;
    const key = `${call.deviceId}|${String(request.connectorId)}|${String(request.timestamp)}|${String(request.meterStart)}`;
    if (!this.ids.has(key)) this.ids.set(key, (this.next += 1));
    const ids = this.issued.get(call.deviceId) ?? new Map<string, number>();
    ids.set(call.transaction!, this.ids.get(key)!);
    this.issued.set(call.deviceId, ids);
    return request;
  }
}

interface Row {
  deviceId: string;
  stream: string;
  sample: Record<string, unknown>;
}

/** The rows the MQTT path gives: every sample of the charge points' status, meter and transaction streams. */
function mqttRows(messages: SimMessage[]): Row[] {
  return messages.flatMap((message) => {
    const [, , , deviceId, stream] = message.topic.split('/');
    if (typeof message.samples === 'string' || !deviceId.startsWith('cp-')) return [];
    return message.samples.map((sample) => ({ deviceId, stream, sample }));
  });
}

/**
 * The rows the OCPP calls stand for, read the way the spec stores them (one meter sample per
 * meterValue element, the Wh register as energyWh, W as powerW), with the issued transaction ids
 * put back to the simulator's so that both paths can be compared.
 */
function ocppRows(calls: OcppCall[], central: CentralSystem): Row[] {
  const rows: Row[] = [];
  const simulated = (deviceId: string, issued: unknown) => [...(central.issued.get(deviceId) ?? [])].find(([, id]) => id === issued)?.[0];
  for (const call of calls) {
    const request = central.answer(call);
    const row = (stream: string, sample: Record<string, unknown>) => rows.push({ deviceId: call.deviceId, stream, sample });
    if (call.action === 'StatusNotification') {
      row('status', { ts: request.timestamp, connectorId: request.connectorId, status: request.status, errorCode: request.errorCode });
    } else if (call.action === 'StartTransaction' && call.samples === 1) {
      row('transaction', { ts: request.timestamp, event: 'start', connectorId: request.connectorId, transactionId: call.transaction, meterWh: request.meterStart, idTag: request.idTag });
    } else if (call.action === 'StopTransaction') {
      const start = calls.find((other) => other.deviceId === call.deviceId && other.action === 'StartTransaction' && other.transaction === call.transaction)!;
      row('transaction', {
        ts: request.timestamp,
        event: 'stop',
        connectorId: start.payload.connectorId,
        transactionId: simulated(call.deviceId, request.transactionId),
        meterWh: request.meterStop,
        reason: request.reason,
      });
    }
    // MeterValues' meterValue, and a StopTransaction's transactionData on its transaction's connector.
    const meterValues = call.action === 'MeterValues' ? request.meterValue : call.action === 'StopTransaction' ? (request.transactionData ?? []) : [];
    const connectorId =
      call.action === 'StopTransaction'
        ? calls.find((other) => other.deviceId === call.deviceId && other.action === 'StartTransaction' && other.transaction === call.transaction)!.payload.connectorId
        : request.connectorId;
    for (const value of meterValues as { timestamp: string; sampledValue: { value: string; measurand: string; unit: string }[] }[]) {
      const of = (measurand: string, unit: string) => Number(value.sampledValue.find((v) => v.measurand === measurand && v.unit === unit)!.value);
      const transaction = request.transactionId === undefined ? {} : { transactionId: simulated(call.deviceId, request.transactionId) };
      row('meter', { ts: value.timestamp, connectorId, energyWh: of('Energy.Active.Import.Register', 'Wh'), powerW: of('Power.Active.Import', 'W'), ...transaction });
    }
  }
  return rows;
}

const key = (row: Row) => `${row.deviceId}|${row.stream}|${JSON.stringify(Object.fromEntries(Object.entries(row.sample).sort(([a], [b]) => a.localeCompare(b))))}`;

describe('OCPP calls of the simulated charge points', () => {
  const mqtt = [...generateMessages(options())];
  const traffic = [...generateTraffic(options({ ocpp: OCPP }))];
  const calls = callsOf(traffic);
  const validator = createValidator('ocpp1.6', schemas);

  it('stand for exactly the rows the MQTT path publishes for the same days, batched or paced', () => {
    const expected = mqttRows(mqtt).map(key).sort();
    expect(expected.length).toBeGreaterThan(1000);
    expect(ocppRows(calls, new CentralSystem()).map(key).sort()).toEqual(expected);
    expect(calls.reduce((sum, call) => sum + call.samples, 0)).toBe(expected.length);
    const paced = callsOf([...generateTraffic(options({ ocpp: OCPP, maxSamples: 1 }))]);
    expect(ocppRows(paced, new CentralSystem()).map(key).sort()).toEqual(expected);
    expect(paced.every((call, index) => index === 0 || call.at >= paced[index - 1].at)).toBe(true);
  });

  it('leave vehicles and MQTT charge points on MQTT', () => {
    const only = new Set(['cp-one']);
    const mixed = [...generateTraffic(options({ ocpp: only }))];
    expect(new Set(callsOf(mixed).map((call) => call.deviceId))).toEqual(only);
    const onMqtt = mixed.filter((item): item is SimMessage => !isOcppCall(item));
    expect(onMqtt.some((message) => message.topic.includes('/cp-one/'))).toBe(false);
    expect(onMqtt.map((message) => message.topic)).toEqual(mqtt.filter((message) => !message.topic.includes('/cp-one/')).map((message) => message.topic));
  });

  it('pass the OCPP 1.6 JSON schemas with the transaction ids filled in', () => {
    const central = new CentralSystem();
    for (const call of calls) {
      const request = central.answer(call);
      expect(() => validator.validate(`urn:${call.action}.req`, request)).not.toThrow();
    }
    for (const point of fleet.chargePoints) expect(() => validator.validate('urn:BootNotification.req', bootNotification(point))).not.toThrow();
  });

  it("send a transaction's meter values and stop after its start, and batch a day's samples per connector in a backfill", () => {
    for (const deviceId of OCPP) {
      const started = new Set<string>();
      for (const call of calls.filter((c) => c.deviceId === deviceId)) {
        if (call.action === 'StartTransaction') started.add(call.transaction!);
        else if (call.transaction !== undefined && !started.has(call.transaction)) throw new Error(`${deviceId}: ${call.action} before the start of ${call.transaction}`);
      }
    }
    const meterCalls = calls.filter((call) => call.action === 'MeterValues');
    const meterSamples = meterCalls.reduce((sum, call) => sum + call.samples, 0);
    expect(meterCalls.length).toBeLessThan(meterSamples / 5);
    expect(meterCalls.every((call) => (call.payload.meterValue as unknown[]).length === call.samples)).toBe(true);
    const small = callsOf([...generateTraffic(options({ ocpp: OCPP, maxSamples: 4 }))]).filter((call) => call.action === 'MeterValues');
    expect(Math.max(...small.map((call) => call.samples))).toBe(4);
  });

  it("carry a transaction's meter values in its StopTransaction in a backfill, and none when paced", () => {
    const stops = calls.filter((call) => call.action === 'StopTransaction');
    const carrying = stops.filter((call) => Array.isArray(call.payload.transactionData));
    expect(carrying.length).toBeGreaterThan(stops.length / 2);
    for (const stop of carrying) {
      const data = stop.payload.transactionData as { timestamp: string }[];
      expect(stop.samples).toBe(1 + data.length);
      expect(data.every((value) => value.timestamp <= String(stop.payload.timestamp))).toBe(true);
      // None of those samples is sent again in a MeterValues of the same transaction.
      const sent = calls
        .filter((call) => call.deviceId === stop.deviceId && call.action === 'MeterValues' && call.transaction === stop.transaction)
        .flatMap((call) => call.payload.meterValue as { timestamp: string }[]);
      expect(sent.filter((value) => data.some((held) => held.timestamp === value.timestamp))).toEqual([]);
    }
    const paced = callsOf([...generateTraffic(options({ ocpp: OCPP, maxSamples: 1 }))]);
    expect(paced.filter((call) => call.action === 'StopTransaction' && 'transactionData' in call.payload)).toEqual([]);
    expect(paced.filter((call) => call.action === 'MeterValues').length).toBeGreaterThan(calls.filter((call) => call.action === 'MeterValues').length);
  });

  it('re-send the StartTransaction of a session begun before the run, unchanged, to learn its id', () => {
    // Split where a night session runs on: the second half opens it again with the first half's StartTransaction.
    const split = osloMidnight('2019-04-01');
    const first = callsOf([...generateTraffic(options({ ocpp: OCPP, to: split }))]);
    const second = callsOf([...generateTraffic(options({ ocpp: OCPP, from: split }))]);
    const resent = second.filter((call) => call.action === 'StartTransaction' && call.samples === 0);
    expect(resent.length).toBeGreaterThan(0);
    for (const call of resent) {
      const original = first.find((other) => other.deviceId === call.deviceId && other.action === 'StartTransaction' && other.transaction === call.transaction);
      expect(original?.payload).toEqual(call.payload);
      expect(original?.samples).toBe(1);
    }
    // Both halves together store what the whole run stores, apart from the second half's status snapshot.
    const central = new CentralSystem();
    const noSnapshot = (row: Row) => !(row.stream === 'status' && row.sample.ts === '2019-03-31T22:00:00Z');
    const halves = [...ocppRows(first, central), ...ocppRows(second, central)].filter(noSnapshot);
    expect(halves.map(key).sort()).toEqual(ocppRows(calls, new CentralSystem()).filter(noSnapshot).map(key).sort());
  });
});
