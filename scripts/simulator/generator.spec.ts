import { parseTopic } from '../../src/telemetry/contract/topics';
import { normaliseMeterSample, normaliseStatusSample, normaliseTransactionEvent, normaliseVehicleSample } from '../../src/telemetry/contract/samples';
import { BAERUM_BOX } from './baerum';
import { SimFleet, parseFleet, selectDevices } from './fleet';
import { GenerateOptions, SimMessage, encodePayload, generateMessages } from './generator';
import { osloMidnight } from './oslo-time';

/** Every kind of device the simulator knows, and service dates that start and end inside the range. */
const FLEET_YAML = `
vehicles:
  - { registration: "BR10001", vehicleClass: passenger_car, energyCarrier: petrol, department: "970984380", inServiceFrom: "2015-05-04", nominalConsumptionPerKm: 0.07, deviceId: "veh-petrol" }
  - { registration: "BR10002", vehicleClass: passenger_car, energyCarrier: diesel, department: "970984380", inServiceFrom: "2012-01-09", inServiceTo: "2019-03-31", nominalConsumptionPerKm: 0.06, deviceId: "veh-retired" }
  - { registration: "EC10003", vehicleClass: passenger_car, energyCarrier: electricity, department: "970984380", inServiceFrom: "2019-04-01", nominalConsumptionPerKm: 0.17, replaces: "BR10002", deviceId: "veh-ev-new" }
  - { registration: "EB10004", vehicleClass: passenger_car, energyCarrier: electricity, department: "941209807", inServiceFrom: "2017-02-06", nominalConsumptionPerKm: 0.18, deviceId: "veh-ev" }
  - { registration: "BS10005", vehicleClass: passenger_car, energyCarrier: plugin_hybrid, department: "941209807", inServiceFrom: "2018-06-04", nominalConsumptionPerKm: 0.05, deviceId: "veh-phev" }
  - { registration: "DN10006", vehicleClass: van, energyCarrier: diesel, department: "949334554", inServiceFrom: "2014-03-03", nominalConsumptionPerKm: 0.09, deviceId: "veh-van" }
  - { registration: "DN10007", vehicleClass: van, energyCarrier: hvo, department: "949334554", inServiceFrom: "2016-03-07", nominalConsumptionPerKm: 0.09, deviceId: "veh-hvo-van" }
  - { registration: "EV10008", vehicleClass: van, energyCarrier: electricity, department: "902042776", inServiceFrom: "2016-09-05", nominalConsumptionPerKm: 0.24, deviceId: "veh-ev-van" }
  - { registration: "KH10009", vehicleClass: truck, energyCarrier: biogas, department: "949334554", inServiceFrom: "2019-01-07", nominalConsumptionPerKm: 0.33, deviceId: "veh-biogas" }
  - { registration: "KH10010", vehicleClass: truck, energyCarrier: diesel, department: "902042776", inServiceFrom: "2010-01-04", nominalConsumptionPerKm: 0.36, deviceId: "veh-truck" }
chargePoints:
  - { deviceId: "cp-one", name: "A", cooperative: "916292376", connectors: 1, maxKw: 7.4, commissionedOn: "2018-06-01" }
  - { deviceId: "cp-two", name: "B", cooperative: "916292376", connectors: 2, maxKw: 22, commissionedOn: "2019-01-15" }
  - { deviceId: "cp-new", name: "C", cooperative: "902208488", connectors: 2, maxKw: 11, commissionedOn: "2019-04-01" }
`;

const fleet: SimFleet = parseFleet(FLEET_YAML);
// Friday to Wednesday, over the switch to summer time (31 March) and a weekend.
const FROM = osloMidnight('2019-03-29');
const TO = osloMidnight('2019-04-03');

const options = (overrides: Partial<GenerateOptions> = {}): GenerateOptions => ({ fleet, seed: 42, from: FROM, to: TO, topicRoot: 'fleet', maxSamples: 500, ...overrides });
const run = (overrides: Partial<GenerateOptions> = {}): SimMessage[] => [...generateMessages(options(overrides))];
const wire = (messages: SimMessage[]) => messages.map((message) => ({ topic: message.topic, payload: encodePayload(message), retain: message.retain }));

interface Received {
  deviceId: string;
  stream: string;
  sample: Record<string, unknown>;
  ms: number;
}

/** Samples as the service would see them, each checked by the service's own contract code. */
function receive(messages: SimMessage[]): Received[] {
  const context = { now: TO + 60_000, horizonMs: 3650 * 86_400_000, futureToleranceMs: 300_000, idTagSecret: 'test' };
  const received: Received[] = [];
  for (const message of messages) {
    const address = parseTopic(message.topic, 'fleet');
    if (!('deviceId' in address)) throw new Error(`bad topic ${message.topic}: ${address.detail}`);
    const payload = encodePayload(message);
    if (Buffer.byteLength(payload) > 256 * 1024) throw new Error(`${message.topic}: payload over 256 KiB`);
    if (address.stream === 'connection') {
      if (!['online', 'offline'].includes(payload) || !message.retain) throw new Error(`${message.topic}: ${payload}, retain ${message.retain}`);
      continue;
    }
    const parsed = JSON.parse(payload) as unknown;
    const samples = (Array.isArray(parsed) ? parsed : [parsed]) as Record<string, unknown>[];
    if (samples.length < 1 || samples.length > 500) throw new Error(`${message.topic}: ${samples.length} samples in one message`);
    for (const sample of samples) {
      // Plain checks, not expect(): there are thousands of samples.
      const ms = Date.parse(String(sample.ts));
      if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(String(sample.ts)) || !(ms >= FROM && ms < TO)) {
        throw new Error(`${message.topic}: ts ${String(sample.ts)} not RFC 3339 UTC in the range`);
      }
      const normalise = { telemetry: normaliseVehicleSample, status: normaliseStatusSample, meter: normaliseMeterSample, transaction: normaliseTransactionEvent }[address.stream];
      try {
        normalise(sample, context);
      } catch (rejection) {
        throw new Error(`${message.topic} ${JSON.stringify(sample)}: ${JSON.stringify(rejection)}`);
      }
      received.push({ deviceId: address.deviceId, stream: address.stream, sample, ms });
    }
  }
  return received;
}

const group = <T>(items: T[], key: (item: T) => string): Map<string, T[]> => {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const members = groups.get(k);
    if (members) members.push(item);
    else groups.set(k, [item]);
  }
  return groups;
};

describe('simulator generator', () => {
  const messages = run();
  const received = receive(messages);
  const telemetry = received.filter((r) => r.stream === 'telemetry');
  const ofDevice = group(telemetry, (r) => r.deviceId);

  it('publishes the same messages for the same seed, and others for another seed', () => {
    expect(wire(run())).toEqual(wire(messages));
    expect(wire(run({ seed: 43 }))).not.toEqual(wire(messages));
  });

  it('produces the same samples whether batched or one per message, and in time order when paced', () => {
    const paced = run({ maxSamples: 1 });
    expect(paced.every((message, index) => index === 0 || message.at >= paced[index - 1].at)).toBe(true);
    const key = (r: Received) => `${r.deviceId}|${r.stream}|${JSON.stringify(r.sample)}`;
    expect(receive(paced).map(key).sort()).toEqual(received.map(key).sort());
  });

  it('never sends two samples of a device and stream at the same second (the service would keep one)', () => {
    const keys = received.map((r) => `${r.deviceId}|${r.stream}|${String(r.sample.connectorId ?? '')}|${String(r.sample.ts)}`);
    expect(keys.length - new Set(keys).size).toBe(0);
  });

  it('does not depend on where the range is cut', () => {
    const split = osloMidnight('2019-04-01');
    const parts = [...run({ to: split }), ...run({ from: split })];
    // Charge points open a run with a status snapshot; everything else must match exactly.
    const key = (r: Received) => `${r.deviceId}|${r.stream}|${JSON.stringify(r.sample)}`;
    const noSnapshot = (r: Received) => !(r.stream === 'status' && r.ms === split);
    expect(receive(parts).filter(noSnapshot).map(key).sort()).toEqual(received.filter(noSnapshot).map(key).sort());
  });

  it('opens a run that starts mid-day with where every vehicle in service stands, then goes on as the full day does', () => {
    // Monday 1 April 2019, 10:07:30 in Oslo: vehicles are out on their tours or parked between samples.
    const start = osloMidnight('2019-04-01') + (10 * 60 + 7.5) * 60_000;
    const live = receive(run({ from: start, to: start + 3_600_000, maxSamples: 1 })).filter((r) => r.stream === 'telemetry');
    const whole = receive(run({ from: osloMidnight('2019-04-01'), to: start + 3_600_000, maxSamples: 1 })).filter((r) => r.stream === 'telemetry');
    const inService = fleet.vehicles.filter((v) => v.inServiceFrom <= '2019-04-01' && (v.inServiceTo === null || v.inServiceTo >= '2019-04-01')).map((v) => v.deviceId);
    const opening = live.filter((r) => r.ms === start);
    expect(opening.map((r) => r.deviceId).sort()).toEqual([...inService].sort());
    expect(opening.some((r) => Number(r.sample.speedKmh) > 0)).toBe(true);
    for (const snapshot of opening) {
      // The state of the vehicle's last sample before the start, stamped with the start.
      const before = whole.filter((r) => r.deviceId === snapshot.deviceId && r.ms < start).pop()!;
      expect({ ...snapshot.sample, ts: before.sample.ts }).toEqual(before.sample);
    }
    const key = (r: Received) => `${r.deviceId}|${JSON.stringify(r.sample)}`;
    expect(live.filter((r) => r.ms > start).map(key)).toEqual(whole.filter((r) => r.ms > start).map(key));
  });

  it('thins vehicle samples when coarse, keeping every ignition and charging change and the counters of each day', () => {
    const coarse = receive(run({ coarse: true }));
    const vehicles = (list: Received[]) => list.filter((r) => r.stream === 'telemetry');
    expect(vehicles(coarse).length).toBeLessThan(vehicles(received).length * 0.4);
    // Every coarse sample is one of the fine samples, unchanged.
    const key = (r: Received) => `${r.deviceId}|${JSON.stringify(r.sample)}`;
    const fine = new Set(vehicles(received).map(key));
    expect(vehicles(coarse).every((r) => fine.has(key(r)))).toBe(true);
    const transitions = (list: Received[]) => {
      const out: string[] = [];
      const byDevice = new Map<string, Received[]>();
      for (const r of vehicles(list)) byDevice.set(r.deviceId, [...(byDevice.get(r.deviceId) ?? []), r]);
      for (const [deviceId, samples] of byDevice) {
        samples.forEach((r, i) => {
          const previous = samples[i - 1]?.sample;
          if (previous && (previous.ignition !== r.sample.ignition || previous.charging !== r.sample.charging)) out.push(`${deviceId}|${r.ms}|${String(r.sample.ignition)}`);
        });
      }
      return out.sort();
    };
    expect(transitions(coarse)).toEqual(transitions(received));
    const lastOdometer = (list: Received[], deviceId: string) =>
      vehicles(list)
        .filter((r) => r.deviceId === deviceId)
        .at(-1)!.sample.odometerKm;
    for (const deviceId of ['veh-petrol', 'veh-ev', 'veh-truck']) expect(lastOdometer(coarse, deviceId)).toBe(lastOdometer(received, deviceId));
  });

  it('keeps every vehicle in Bærum, its counters growing and its timestamps unique and increasing', () => {
    for (const [deviceId, samples] of ofDevice) {
      for (let i = 0; i < samples.length; i += 1) {
        const { sample, ms } = samples[i];
        const [lat, lon] = [sample.lat as number, sample.lon as number];
        if (!(lat >= BAERUM_BOX.minLat && lat <= BAERUM_BOX.maxLat && lon >= BAERUM_BOX.minLon && lon <= BAERUM_BOX.maxLon)) {
          throw new Error(`${deviceId}: ${lat}, ${lon} outside Bærum at ${String(sample.ts)}`);
        }
        if (i === 0) continue;
        const previous = samples[i - 1];
        if (ms <= previous.ms) throw new Error(`${deviceId}: ${String(sample.ts)} after ${String(previous.sample.ts)}`);
        for (const counter of ['odometerKm', 'fuelUsedL', 'gasUsedKg', 'energyConsumedKwh', 'energyChargedKwh']) {
          if (sample[counter] === undefined) continue;
          if ((sample[counter] as number) < (previous.sample[counter] as number)) throw new Error(`${deviceId}: ${counter} fell at ${String(sample.ts)}`);
        }
        // Speed and distance agree: no jumps while parked, none faster than the speed allows.
        const km = (sample.odometerKm as number) - (previous.sample.odometerKm as number);
        if (km > ((ms - previous.ms) / 3_600_000) * 130 + 0.02) throw new Error(`${deviceId}: ${km} km in ${(ms - previous.ms) / 1000} s at ${String(sample.ts)}`);
      }
    }
  });

  it('reports the counters of each carrier', () => {
    const fields = (deviceId: string) => Object.keys(ofDevice.get(deviceId)![0].sample).sort();
    const base = ['ignition', 'lat', 'lon', 'odometerKm', 'speedKmh', 'ts'];
    expect(fields('veh-petrol')).toEqual([...base, 'fuelLevelPct', 'fuelUsedL'].sort());
    expect(fields('veh-hvo-van')).toEqual([...base, 'fuelLevelPct', 'fuelUsedL'].sort());
    expect(fields('veh-biogas')).toEqual([...base, 'gasUsedKg'].sort());
    expect(fields('veh-ev')).toEqual([...base, 'charging', 'energyChargedKwh', 'energyConsumedKwh', 'socPct'].sort());
    expect(fields('veh-phev')).toEqual([...base, 'charging', 'energyChargedKwh', 'energyConsumedKwh', 'fuelLevelPct', 'fuelUsedL', 'socPct'].sort());
  });

  it('drives on working days only, with the ignition on while moving, and charges batteries at the depot', () => {
    const weekend = (ms: number) => ms >= osloMidnight('2019-03-30') && ms < osloMidnight('2019-04-01');
    expect(telemetry.filter((r) => weekend(r.ms) && (r.sample.ignition || (r.sample.speedKmh as number) > 0))).toEqual([]);
    expect(telemetry.filter((r) => (r.sample.speedKmh as number) > 0 && !r.sample.ignition)).toEqual([]);
    expect(telemetry.filter((r) => r.sample.charging && r.sample.ignition)).toEqual([]);
    for (const deviceId of ['veh-petrol', 'veh-van', 'veh-truck', 'veh-ev', 'veh-ev-van']) {
      const samples = ofDevice.get(deviceId)!;
      const km = (samples[samples.length - 1].sample.odometerKm as number) - (samples[0].sample.odometerKm as number);
      // Three working days (Fri, Mon, Tue); a vehicle may stand unused on one of them.
      expect(km).toBeGreaterThan(20);
      expect(km).toBeLessThan(3 * 165);
      expect(samples.some((r) => r.sample.ignition)).toBe(true);
    }
    for (const deviceId of ['veh-ev', 'veh-ev-van']) {
      const samples = ofDevice.get(deviceId)!;
      expect(samples.some((r) => r.sample.charging)).toBe(true);
      const [first, last] = [samples[0].sample, samples[samples.length - 1].sample];
      const consumed = (last.energyConsumedKwh as number) - (first.energyConsumedKwh as number);
      const charged = (last.energyChargedKwh as number) - (first.energyChargedKwh as number);
      // Every evening the battery is charged back: grid energy = consumed / 0.9.
      expect(charged).toBeCloseTo(consumed / 0.9, 1);
      expect(last.socPct).toBe(first.socPct);
    }
  });

  it('respects service dates', () => {
    const retired = ofDevice.get('veh-retired')!;
    expect(Math.max(...retired.map((r) => r.ms))).toBeLessThan(osloMidnight('2019-04-01'));
    const offline = messages.find((m) => m.topic === 'fleet/v1/vehicles/veh-retired/connection' && m.samples === 'offline');
    expect(offline?.at).toBe(osloMidnight('2019-04-01'));
    expect(Math.min(...ofDevice.get('veh-ev-new')!.map((r) => r.ms))).toBeGreaterThanOrEqual(osloMidnight('2019-04-01'));
    const newPoint = received.filter((r) => r.deviceId === 'cp-new');
    expect(newPoint.length).toBeGreaterThan(0);
    expect(Math.min(...newPoint.map((r) => r.ms))).toBeGreaterThanOrEqual(osloMidnight('2019-04-01'));
    // Each device says it is online (retained) before its first sample.
    for (const deviceId of new Set(received.map((r) => r.deviceId))) {
      const index = messages.findIndex((m) => m.deviceId === deviceId);
      expect(messages[index].samples).toBe('online');
    }
  });

  it('runs charge point sessions the OCPP way, with unique transactions and growing registers', () => {
    const points = received.filter((r) => r.deviceId.startsWith('cp-'));
    for (const [key, samples] of group(points, (r) => `${r.deviceId}|${r.stream}|${String(r.sample.connectorId)}`)) {
      const times = samples.map((r) => r.ms);
      expect(new Set(times).size).toBe(times.length);
      if (key.includes('|meter|')) {
        const ordered = [...samples].sort((a, b) => a.ms - b.ms);
        ordered.forEach((r, i) => {
          if (i > 0 && (r.sample.energyWh as number) < (ordered[i - 1].sample.energyWh as number)) throw new Error(`${key}: energyWh fell at ${String(r.sample.ts)}`);
        });
      }
    }
    const transactions = points.filter((r) => r.stream === 'transaction');
    expect(transactions.length).toBeGreaterThan(0);
    for (const [deviceId, events] of group(transactions, (r) => r.deviceId)) {
      const starts = events.filter((r) => r.sample.event === 'start');
      expect(new Set(starts.map((r) => r.sample.transactionId)).size).toBe(starts.length);
      for (const stop of events.filter((r) => r.sample.event === 'stop')) {
        const start = starts.find((r) => r.sample.transactionId === stop.sample.transactionId);
        if (!start) continue; // started before the range
        expect(stop.ms).toBeGreaterThan(start.ms);
        expect(stop.sample.connectorId).toBe(start.sample.connectorId);
        expect(stop.sample.meterWh as number).toBeGreaterThan(start.sample.meterWh as number);
      }
      expect(starts.every((r) => /^04[0-9A-F]{12}$/.test(String(r.sample.idTag)))).toBe(true);
      expect(deviceId).toMatch(/^cp-/);
    }
    const allowed: Record<string, string[]> = {
      Available: ['Preparing', 'Faulted'],
      Preparing: ['Charging'],
      Charging: ['SuspendedEV', 'Finishing'],
      SuspendedEV: ['Finishing'],
      Finishing: ['Available'],
      Faulted: ['Available'],
    };
    for (const [key, statuses] of group(
      points.filter((r) => r.stream === 'status'),
      (r) => `${r.deviceId}|${String(r.sample.connectorId)}`,
    )) {
      const ordered = [...statuses].sort((a, b) => a.ms - b.ms).map((r) => String(r.sample.status));
      ordered.forEach((status, i) => {
        if (i > 0 && !allowed[ordered[i - 1]].includes(status)) throw new Error(`${key}: ${ordered[i - 1]} -> ${status}`);
      });
    }
  });
});

describe('device selection', () => {
  it('takes a mix of device kinds that report in the period', () => {
    const chosen = selectDevices(fleet, 4, { from: '2019-04-02', to: '2019-04-05' });
    const ids = [...chosen.vehicles, ...chosen.chargePoints].map((device) => device.deviceId);
    expect(ids).toHaveLength(4);
    expect(ids).not.toContain('veh-retired');
    expect(chosen.chargePoints.length).toBeGreaterThan(0);
    expect(new Set(chosen.vehicles.map((v) => `${v.vehicleClass}/${v.energyCarrier}`)).size).toBe(chosen.vehicles.length);
    expect(selectDevices(fleet, ['cp-one', 'veh-ev']).vehicles.map((v) => v.deviceId)).toEqual(['veh-ev']);
    expect(() => selectDevices(fleet, ['nope'])).toThrow(/nope/);
  });
});
