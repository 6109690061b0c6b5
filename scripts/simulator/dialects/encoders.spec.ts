import { decodeOwnTracks } from '../../../src/telemetry/profiles/owntracks/decode';
import { decodeTeltonika } from '../../../src/telemetry/profiles/teltonika-json/decode';
import { parseFleet, SimChargePoint, SimVehicle } from '../fleet';
import type { Sample, SimMessage } from '../generator';
import { DialectEncoders, dialectOf, defaultIdentity } from './encoders';
import { EvccEncoder } from './evcc';
import { cppG6, OvmsEncoder } from './ovms-v3';
import { OwnTracksEncoder } from './owntracks';
import { TeltonikaEncoder } from './teltonika-json';
import { TeslaMateEncoder } from './teslamate';
import { WireMessage } from './wire';

const T0 = Date.parse('2026-11-24T07:00:00Z');
const ts = (s: number) => new Date(T0 + s * 1000).toISOString().replace('.000Z', 'Z');
const telemetry = (deviceId: string, sample: Sample): SimMessage => ({
  topic: `fleet/v1/vehicles/${deviceId}/telemetry`,
  samples: [sample],
  single: true,
  retain: false,
  at: Date.parse(String(sample.ts)),
  deviceId,
});
const connection = (deviceId: string, state: 'online' | 'offline', at = T0): SimMessage => ({
  topic: `fleet/v1/vehicles/${deviceId}/connection`,
  samples: state,
  single: true,
  retain: true,
  at,
  deviceId,
});
const pairs = (wires: WireMessage[]) => wires.map((wire) => [wire.topic.slice(wire.topic.lastIndexOf('/', wire.topic.length - 1) + 1), wire.payload]);

const parked = { ts: ts(0), odometerKm: 48211.42, speedKmh: 0, lat: 59.895, lon: 10.52, ignition: false, socPct: 80.4, energyConsumedKwh: 5151.2, energyChargedKwh: 5724.3, charging: false };
const driving = { ...parked, ts: ts(60), odometerKm: 48212.1, speedKmh: 48.6, lat: 59.8961, lon: 10.5213, ignition: true, socPct: 80.1, energyConsumedKwh: 5151.35 };

describe('TeslaMate dialect', () => {
  it('publishes changed values per summary, healthy every time and not retained, all QoS 1', () => {
    const encoder = new TeslaMateEncoder('teslamate/cars/7/', 'veh-a');
    const first = encoder.encode(telemetry('veh-a', parked));
    expect(Object.fromEntries(pairs(first))).toEqual({
      state: 'online',
      odometer: '48211.42',
      latitude: '59.895',
      longitude: '10.52',
      location: '{"latitude":59.895,"longitude":10.52}',
      battery_level: '80',
      charging_state: 'Disconnected',
      healthy: 'true',
    });
    expect(first.every((wire) => wire.qos === 1 && wire.retain === !wire.topic.endsWith('/healthy') && wire.topic.startsWith('teslamate/cars/7/'))).toBe(true);
    expect(pairs(encoder.encode(telemetry('veh-a', { ...parked, ts: ts(30) })))).toEqual([['healthy', 'true']]);
    const moving = Object.fromEntries(pairs(encoder.encode(telemetry('veh-a', driving))));
    expect(moving).toMatchObject({ state: 'driving', odometer: '48212.1', speed: '49' });
    // Parked again: speed becomes nil, which TeslaMate does not publish; odometer 48213 keeps a fraction.
    const stopped = Object.fromEntries(pairs(encoder.encode(telemetry('veh-a', { ...driving, ts: ts(90), odometerKm: 48213, speedKmh: 0, ignition: false }))));
    expect(stopped).toMatchObject({ state: 'online', odometer: '48213.0' });
    expect(stopped).not.toHaveProperty('speed');
    expect(pairs(encoder.encode(connection('veh-a', 'offline')))).toEqual([['healthy', 'false']]);
  });

  it('restarts charge_energy_added at each session and keeps its final value', () => {
    const encoder = new TeslaMateEncoder('teslamate/cars/7/', 'veh-a');
    const at = (s: number, grid: number, charging: boolean) => Object.fromEntries(pairs(encoder.encode(telemetry('veh-a', { ...parked, ts: ts(s), energyChargedKwh: grid, charging }))));
    expect(at(0, 5724.3, false)).not.toHaveProperty('charge_energy_added');
    expect(at(60, 5724.3, true)).toMatchObject({ state: 'charging', charging_state: 'Charging', charge_energy_added: '0.0' });
    expect(at(120, 5725.5, true)).toMatchObject({ charge_energy_added: '1.2' });
    expect(at(180, 5726.04, false)).toMatchObject({ state: 'online', charging_state: 'Complete', charge_energy_added: '1.74' });
    expect(at(240, 5726.04, false)).toEqual({ healthy: 'true' });
  });
});

describe('OVMS v3 dialect', () => {
  it('formats floats as the module does (%g, 6 digits)', () => {
    expect([23422, 23415.6, 5151.36, 1234567.8, 82, 0.5, 0].map(cppG6)).toEqual(['23422', '23415.6', '5151.36', '1.23457e+06', '82', '0.5', '0']);
  });

  it('publishes the changed metrics of each round, QoS 0 and retained, booleans as yes/no', () => {
    const encoder = new OvmsEncoder('ovms/sim/veh-a/', 'veh-a');
    expect(pairs(encoder.encode(connection('veh-a', 'online')))).toEqual([['connected', 'yes']]);
    const first = encoder.encode(telemetry('veh-a', parked));
    expect(first.map((wire) => [wire.topic, wire.payload])).toEqual([
      ['ovms/sim/veh-a/metric/v/p/odometer', '48211.4'],
      ['ovms/sim/veh-a/metric/v/p/speed', '0'],
      ['ovms/sim/veh-a/metric/v/p/latitude', '59.895000'],
      ['ovms/sim/veh-a/metric/v/p/longitude', '10.520000'],
      ['ovms/sim/veh-a/metric/v/b/soc', '80.4'],
      ['ovms/sim/veh-a/metric/v/e/on', 'no'],
      ['ovms/sim/veh-a/metric/v/c/charging', 'no'],
      ['ovms/sim/veh-a/metric/v/c/kwh/grid/total', '5724.3'],
      ['ovms/sim/veh-a/metric/v/b/energy/used/total', '5151.2'],
    ]);
    expect(first.every((wire) => wire.qos === 0 && wire.retain)).toBe(true);
    expect(pairs(encoder.encode(telemetry('veh-a', driving))).map(([metric]) => metric)).toEqual(['odometer', 'speed', 'latitude', 'longitude', 'soc', 'on', 'total']);
  });
});

describe('OwnTracks and Teltonika dialects', () => {
  it('OwnTracks: a tracker location per sample, retained, ignition changes as t i/I, lwt when the device goes', () => {
    const encoder = new OwnTracksEncoder('owntracks/sim/veh-a', '-a', 'veh-a');
    const [first] = encoder.encode(telemetry('veh-a', parked));
    expect(first).toMatchObject({ topic: 'owntracks/sim/veh-a', retain: true, qos: 1, json: true });
    expect(first.payload).toBe('{"_type":"location","tid":"-a","lat":59.895000,"lon":10.520000,"vel":0.0,"tst":1795503600,"odometer":48211.4,"ign":false}');
    expect(JSON.parse(encoder.encode(telemetry('veh-a', driving))[0].payload)).toMatchObject({ t: 'i', ign: true, vel: 48.6 });
    expect(encoder.encode(telemetry('veh-a', { ts: ts(90), odometerKm: 1 }))).toEqual([]);
    expect(encoder.encode(connection('veh-a', 'online'))).toEqual([]);
    expect(encoder.encode(connection('veh-a', 'offline', T0 + 5000))[0]).toMatchObject({ payload: '{"_type":"lwt","tst":1795503605}', retain: false });
  });

  it('Teltonika: one record per sample with ts in ms, AVL ids after the GNSS keys, 0,0 without a position', () => {
    const encoder = new TeltonikaEncoder('352093089612345/data', 'veh-a');
    const [first] = encoder.encode(telemetry('veh-a', parked));
    expect(first.payload).toBe('{"state":{"reported":{"ts":1795503600000,"pr":0,"latlng":"59.895000,10.520000","alt":0,"ang":0,"sat":10,"sp":0,"evt":0,"239":0,"240":0,"66":12600,"16":48211420}}}');
    expect(first).toMatchObject({ retain: false, qos: 1 });
    expect(JSON.parse(encoder.encode(telemetry('veh-a', driving))[0].payload).state.reported).toMatchObject({ evt: 239, pr: 1, '239': 1, sp: 49 });
    expect(JSON.parse(encoder.encode(telemetry('veh-a', { ts: ts(90), ignition: true, odometerKm: 48213 }))[0].payload).state.reported.latlng).toBe('0.000000,0.000000');
    expect(encoder.encode(connection('veh-a', 'offline'))).toEqual([]);
  });

  it('decodes back to the samples with the profile decoders', () => {
    const tracks = new OwnTracksEncoder('owntracks/sim/veh-a', '-a', 'veh-a');
    const teltonika = new TeltonikaEncoder('352093089612345/data', 'veh-a');
    for (const sample of [parked, driving]) {
      const [track] = tracks.encode(telemetry('veh-a', sample));
      expect(decodeOwnTracks(track.topic, Buffer.from(track.payload))).toMatchObject({
        kind: 'telemetry',
        identity: 'sim/veh-a',
        body: { ts: Date.parse(sample.ts), lat: sample.lat, lon: sample.lon, speedKmh: sample.speedKmh, ignition: sample.ignition },
      });
      const [record] = teltonika.encode(telemetry('veh-a', sample));
      expect(decodeTeltonika('352093089612345', Buffer.from(record.payload))).toMatchObject({
        kind: 'telemetry',
        body: { ts: Date.parse(sample.ts), lat: sample.lat, lon: sample.lon, ignition: sample.ignition, odometerKm: sample.odometerKm },
      });
    }
  });
});

describe('evcc dialect', () => {
  it('publishes updated and the loadpoint values after every event, retained, QoS 1', () => {
    const encoder = new EvccEncoder('sim/cp-a', '1', 'cp-a');
    const event = (stream: string, sample: Sample): SimMessage => ({ topic: `fleet/v1/chargepoints/cp-a/${stream}`, samples: [sample], single: true, retain: false, at: 0, deviceId: 'cp-a' });
    expect(encoder.encode(connection('cp-a', 'online'))[0]).toMatchObject({ topic: 'sim/cp-a/status', payload: 'online', retain: true, qos: 1 });
    encoder.encode(event('meter', { ts: ts(0), connectorId: 0, energyWh: 4711204 }));
    encoder.encode(event('transaction', { ts: ts(60), event: 'start', connectorId: 1, transactionId: '1', meterWh: 4711204 }));
    const charging = encoder.encode(event('status', { ts: ts(60), connectorId: 1, status: 'Charging' }));
    const metered = encoder.encode(event('meter', { ts: ts(960), connectorId: 1, energyWh: 4713954, powerW: 11000, transactionId: '1' }));
    expect(charging.map((wire) => [wire.topic, wire.payload])).toEqual([
      ['sim/cp-a/updated', '1795503660'],
      ['sim/cp-a/loadpoints/1/connected', 'true'],
      ['sim/cp-a/loadpoints/1/charging', 'true'],
      ['sim/cp-a/loadpoints/1/chargePower', '0'],
      ['sim/cp-a/loadpoints/1/sessionEnergy', '0'],
      ['sim/cp-a/loadpoints/1/chargedEnergy', '0'],
      ['sim/cp-a/loadpoints/1/chargeTotalImport', '4711.204'],
    ]);
    expect(Object.fromEntries(pairs(metered))).toMatchObject({ updated: '1795504560', chargePower: '11000', sessionEnergy: '2750', chargeTotalImport: '4713.954' });
    expect(metered.every((wire) => wire.retain && wire.qos === 1)).toBe(true);
    const done = Object.fromEntries(pairs(encoder.encode(event('status', { ts: ts(1000), connectorId: 1, status: 'Available' }))));
    expect(done).toMatchObject({ connected: 'false', charging: 'false', chargePower: '0', sessionEnergy: '0' });
  });
});

describe('dialect per device', () => {
  const fleet = parseFleet(`
vehicles:
  - { registration: EL1, vehicleClass: passenger_car, energyCarrier: electricity, inServiceFrom: 2018-01-01, deviceId: veh-a, profile: teslamate, profileIdentity: "42" }
  - { registration: EL2, vehicleClass: van, energyCarrier: electricity, inServiceFrom: 2018-01-01, profile: ovms-v3, profileIdentity: kommune/EVAN07, profileTopic: ovms/k/EVAN07/ }
  - { registration: DI1, vehicleClass: van, energyCarrier: diesel, inServiceFrom: 2018-01-01, deviceId: veh-c }
chargePoints:
  - { deviceId: cp-a, cooperative: "1", connectors: 1, maxKw: 11, commissionedOn: 2018-01-01 }
  - { deviceId: cp-b, cooperative: "1", connectors: 2, maxKw: 22, commissionedOn: 2018-01-01 }
`);
  const [teslaCar, ovmsVan, dieselVan] = fleet.vehicles as [SimVehicle, SimVehicle, SimVehicle];
  const [single, double] = fleet.chargePoints as [SimChargePoint, SimChargePoint];

  it('reads profile, identity and topic from the fleet file, also for a device without a deviceId', () => {
    expect(teslaCar).toMatchObject({ deviceId: 'veh-a', profile: 'teslamate', profileIdentity: '42' });
    expect(ovmsVan).toMatchObject({ deviceId: 'ovms-v3:kommune/EVAN07', deviceIdFromProfile: true, profileTopic: 'ovms/k/EVAN07/' });
    expect(() => parseFleet('vehicles:\n  - { registration: X, vehicleClass: van, energyCarrier: diesel, inServiceFrom: 2018-01-01, deviceId: v, profile: traccar }')).toThrow(/bad profile traccar/);
  });

  it('takes the row profile first, then --dialect where it fits the device, else the contract', () => {
    expect(dialectOf(teslaCar, 'owntracks')).toEqual({ dialect: 'teslamate', identity: '42', topic: null });
    expect(dialectOf(dieselVan, 'owntracks')).toEqual({ dialect: 'owntracks', identity: 'sim/veh-c', topic: null });
    expect(dialectOf(dieselVan, 'evcc').dialect).toBe('klimaklok-v1');
    expect(dialectOf(single, 'evcc')).toEqual({ dialect: 'evcc', identity: 'sim/cp-a/1', topic: null });
    expect(dialectOf(double, 'evcc').dialect).toBe('klimaklok-v1');
    expect(defaultIdentity('teltonika-json', 'veh-c')).toMatch(/^35[0-9]{13}$/);
    expect(defaultIdentity('teslamate', 'veh-c')).toMatch(/^[1-9][0-9]{0,8}$/);
  });

  it('sends the assembled dialects in the contract in an unpaced backfill, and nothing for a device without a deviceId', () => {
    const backfill = new DialectEncoders(fleet, { dialect: 'teltonika-json', paced: false });
    expect(backfill.encode(telemetry('veh-a', parked))).toEqual([expect.objectContaining({ topic: 'fleet/v1/vehicles/veh-a/telemetry', qos: 1, json: true })]);
    expect(backfill.encode(telemetry('ovms-v3:kommune/EVAN07', parked))).toEqual([]);
    expect(backfill.encode(telemetry('veh-c', parked))[0].topic).toBe(`${defaultIdentity('teltonika-json', 'veh-c')}/data`);
    expect(backfill.describe()).toBe('1 klimaklok-v1 (history of teslamate), 1 none (ovms-v3 without a deviceId for its history), 1 teltonika-json, 2 klimaklok-v1');
    const live = new DialectEncoders(fleet, { dialect: null, paced: true });
    expect(live.encode(telemetry('ovms-v3:kommune/EVAN07', parked))[0].topic).toBe('ovms/k/EVAN07/metric/v/p/odometer');
    expect(live.encode(telemetry('veh-a', parked))[0].topic).toBe('teslamate/cars/42/state');
  });
});
