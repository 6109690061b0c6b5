import { DEFAULT_SEED, parseSimulatorArgs } from './args';
import { parseFleet } from './fleet';
import { backfillStreams, liveStart, ocppPoints, onlyDevices, simulatedNow } from './main';

describe('simulator arguments', () => {
  it('defaults to a live run against the configured broker', () => {
    const config = parseSimulatorArgs([], { MQTT_URL: 'mqtt://broker:1883', MQTT_TOPIC_ROOT: 'bk' });
    expect(config).toMatchObject({
      mode: 'live',
      from: null,
      to: null,
      speed: null,
      rate: 0,
      devices: null,
      seed: DEFAULT_SEED,
      url: 'mqtt://broker:1883',
      topicRoot: 'bk',
      dryRun: false,
      batch: 500,
    });
    expect(parseSimulatorArgs([], {})).toMatchObject({ url: 'mqtt://127.0.0.1:1883', topicRoot: 'fleet', fleetFile: 'demo/baerum-fleet.yaml' });
  });

  it('reads a backfill with its options', () => {
    const config = parseSimulatorArgs(['--from', '2018-01-01', '--to', '2020-01-01', '--rate', '2000', '--devices', '12', '--seed', '7', '--dry-run', '--topic-root', 'x']);
    expect(config).toMatchObject({ mode: 'backfill', from: '2018-01-01', to: '2020-01-01', rate: 2000, devices: 12, seed: 7, dryRun: true, topicRoot: 'x' });
    expect(parseSimulatorArgs(['--devices', 'veh-a, cp-b']).devices).toEqual(['veh-a', 'cp-b']);
    expect(config.sampling).toBe('coarse');
    expect(parseSimulatorArgs(['--from', '2018-01-01', '--to', '2018-02-01', '--sampling', 'fine']).sampling).toBe('fine');
    expect(parseSimulatorArgs(['--from', '2018-01-01', '--to', '2018-02-01', '--speed', '60']).sampling).toBe('fine');
    expect(parseSimulatorArgs([]).sampling).toBe('fine');
  });

  it('keeps charge points on MQTT unless told to speak OCPP', () => {
    expect(parseSimulatorArgs([], {})).toMatchObject({ protocol: 'mqtt', ocppUrl: 'ws://127.0.0.1:9220/ocpp', ocppPasswords: null });
    const config = parseSimulatorArgs(['--protocol', 'fleet', '--ocpp-passwords', 'p.json'], { OCPP_URL: 'ws://cs:9999/ocpp' });
    expect(config).toMatchObject({ protocol: 'fleet', ocppUrl: 'ws://cs:9999/ocpp', ocppPasswords: 'p.json' });
    expect(() => parseSimulatorArgs(['--protocol', 'ocpp2'])).toThrow(/--protocol/);
    const fleet = parseFleet(`
chargePoints:
  - { deviceId: "cp-a", cooperative: "916292376", connectors: 1, maxKw: 7.4, commissionedOn: "2018-06-01", protocol: ocpp }
  - { deviceId: "cp-b", cooperative: "916292376", connectors: 1, maxKw: 7.4, commissionedOn: "2018-06-01" }
`);
    expect([...ocppPoints(fleet, 'mqtt')]).toEqual([]);
    expect([...ocppPoints(fleet, 'fleet')]).toEqual(['cp-a']);
    expect([...ocppPoints(fleet, 'ocpp')]).toEqual(['cp-a', 'cp-b']);
    expect(() => parseFleet('chargePoints:\n  - { deviceId: "cp-c", connectors: 1, maxKw: 7.4, commissionedOn: "2018-06-01", protocol: modbus }')).toThrow(/protocol/);
  });

  it('runs the MQTT devices and the OCPP charge points apart when asked to', () => {
    expect(parseSimulatorArgs([]).only).toBeNull();
    expect(parseSimulatorArgs(['--only', 'ocpp']).only).toBe('ocpp');
    expect(() => parseSimulatorArgs(['--only', 'vehicles'])).toThrow(/--only/);
    const fleet = parseFleet(`
vehicles:
  - { registration: "EB10004", vehicleClass: passenger_car, energyCarrier: electricity, department: "941209807", inServiceFrom: "2017-02-06", deviceId: "veh-ev" }
chargePoints:
  - { deviceId: "cp-a", cooperative: "916292376", connectors: 1, maxKw: 7.4, commissionedOn: "2018-06-01", protocol: ocpp }
  - { deviceId: "cp-b", cooperative: "916292376", connectors: 1, maxKw: 7.4, commissionedOn: "2018-06-01" }
`);
    const ids = (part: ReturnType<typeof onlyDevices>) => [...part.vehicles, ...part.chargePoints].map((device) => device.deviceId);
    expect(ids(onlyDevices(fleet, ocppPoints(fleet, 'fleet'), 'mqtt'))).toEqual(['veh-ev', 'cp-b']);
    expect(ids(onlyDevices(fleet, ocppPoints(fleet, 'fleet'), 'ocpp'))).toEqual(['cp-a']);
    expect(ids(onlyDevices(fleet, ocppPoints(fleet, 'fleet'), null))).toEqual(['veh-ev', 'cp-a', 'cp-b']);
    expect(ids(onlyDevices(fleet, ocppPoints(fleet, 'mqtt'), 'ocpp'))).toEqual([]);
    // A backfill sends each OCPP point as a stream of its own, beside the MQTT devices'; a paced run one stream.
    expect(backfillStreams(fleet, ocppPoints(fleet, 'fleet'), false).map(ids)).toEqual([['veh-ev', 'cp-b'], ['cp-a']]);
    expect(backfillStreams(fleet, ocppPoints(fleet, 'ocpp'), false).map(ids)).toEqual([['veh-ev'], ['cp-a'], ['cp-b']]);
    expect(backfillStreams(onlyDevices(fleet, ocppPoints(fleet, 'fleet'), 'ocpp'), ocppPoints(fleet, 'fleet'), false).map(ids)).toEqual([['cp-a']]);
    expect(backfillStreams(fleet, ocppPoints(fleet, 'fleet'), true).map(ids)).toEqual([['veh-ev', 'cp-a', 'cp-b']]);
  });

  it('refuses what it cannot do', () => {
    expect(() => parseSimulatorArgs(['--from', '2018-01-01'])).toThrow(/together/);
    expect(() => parseSimulatorArgs(['--from', '2018-02-30', '--to', '2018-03-01'])).toThrow(/--from/);
    expect(() => parseSimulatorArgs(['--from', '2018-03-01', '--to', '2018-03-01'])).toThrow(/after/);
    expect(() => parseSimulatorArgs(['--speed', '0'])).toThrow(/--speed/);
    expect(() => parseSimulatorArgs(['--batch', '501'])).toThrow(/--batch/);
    expect(() => parseSimulatorArgs(['--topic-root', 'a/#'])).toThrow(/topic root/);
    expect(() => parseSimulatorArgs(['--sampling', 'rough'])).toThrow(/--sampling/);
    expect(() => parseSimulatorArgs(['--bogus'])).toThrow();
    expect(() => parseSimulatorArgs(['--dialect', 'traccar'])).toThrow(/--dialect: expected one of klimaklok-v1, teslamate/);
  });

  it('reads the dialect, klimaklok-v1 being the contract itself', () => {
    expect(parseSimulatorArgs([]).dialect).toBeNull();
    expect(parseSimulatorArgs(['--dialect', 'klimaklok-v1']).dialect).toBeNull();
    expect(parseSimulatorArgs(['--dialect', 'teltonika-json']).dialect).toBe('teltonika-json');
  });
});

describe('live clock', () => {
  const now = Date.UTC(2026, 10, 28, 12, 0, 0);

  it('starts at the real clock at speed 1, and in the past when compressed', () => {
    expect(liveStart(now, 1, 60)).toBe(now);
    expect(liveStart(now, 60, 60)).toBe(now - 59 * 3_600_000);
  });

  it('never runs ahead of the real clock, and catches up with it after the catch-up time', () => {
    const from = liveStart(now, 60, 60);
    for (let elapsed = 0; elapsed <= 3 * 3_600_000; elapsed += 60_000) {
      expect(simulatedNow(from, now, 60, now + elapsed)).toBeLessThanOrEqual(now + elapsed);
    }
    expect(simulatedNow(from, now, 60, now + 60_000)).toBe(from + 3_600_000);
    expect(simulatedNow(from, now, 60, now + 3_600_000)).toBe(now + 3_600_000);
    expect(simulatedNow(from, now, 60, now + 7_200_000)).toBe(now + 7_200_000);
  });
});
