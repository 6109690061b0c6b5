import { normaliseVehicleSample, unknownFieldCount } from '../../contract/samples';
import { decodeTeltonika } from './decode';

const NOW = Date.parse('2026-12-03T12:00:00Z');
const context = { now: NOW, horizonMs: 800 * 86_400_000, futureToleranceMs: 5 * 60_000, idTagSecret: 'secret' };
const IMEI = '352093089612345';
const record = (reported: Record<string, unknown>) => Buffer.from(JSON.stringify({ state: { reported } }));

describe('Teltonika Codec JSON decoder', () => {
  it('turns a record into a sample the contract accepts: ts in ms, latlng, km/h, ignition, odometer m to km, voltage mV to V', () => {
    const decoded = decodeTeltonika(
      IMEI,
      record({ ts: 1764763200000, pr: 0, latlng: '59.891200,10.523500', alt: 41, ang: 270, sat: 11, sp: 42, evt: 0, '239': 1, '240': 1, '16': 48211400, '66': 13875 }),
    );
    expect(decoded).toEqual({
      kind: 'telemetry',
      identity: IMEI,
      body: { ts: 1764763200000, lat: 59.8912, lon: 10.5235, speedKmh: 42, ignition: true, odometerKm: 48211.4, externalVoltageV: 13.875 },
    });
    if (decoded.kind !== 'telemetry') throw new Error('expected telemetry');
    expect(normaliseVehicleSample(decoded.body, context)).toMatchObject({ ts: 1764763200000, odometerKm: 48211.4, ignition: true, lat: 59.8912 });
    expect(unknownFieldCount(decoded.body, 'telemetry')).toBe(1);
  });

  it('takes ts as text and values as text', () => {
    expect(decodeTeltonika(IMEI, record({ ts: '1764763200000', latlng: '59.9,10.5', sp: '0', '239': '0', '16': '1e+06' }))).toEqual({
      kind: 'telemetry',
      identity: IMEI,
      body: { ts: 1764763200000, lat: 59.9, lon: 10.5, speedKmh: 0, ignition: false, odometerKm: 1000 },
    });
  });

  it('reads a 0,0 fix as no position, keeping the rest of the record', () => {
    expect(decodeTeltonika(IMEI, record({ ts: 1764763200000, latlng: '0.000000,0.000000', sp: 0, '239': 0, '16': 5000 }))).toEqual({
      kind: 'telemetry',
      identity: IMEI,
      body: { ts: 1764763200000, speedKmh: 0, ignition: false, odometerKm: 5 },
    });
  });

  it('keeps empty values unknown, and ignores an empty payload', () => {
    expect(decodeTeltonika(IMEI, record({ ts: 1764763200000, latlng: '', sp: '', '239': '', '16': 5000 }))).toEqual({ kind: 'telemetry', identity: IMEI, body: { ts: 1764763200000, odometerKm: 5 } });
    expect(decodeTeltonika(IMEI, Buffer.alloc(0))).toMatchObject({ kind: 'ignored', identity: IMEI });
  });

  it('makes a dead letter of what the codec does not describe', () => {
    expect(decodeTeltonika(IMEI, Buffer.from('{"state":'))).toMatchObject({ kind: 'invalid', identity: IMEI, detail: expect.stringMatching(/^teltonika-json: malformed JSON/) });
    expect(decodeTeltonika(IMEI, Buffer.from('{"ts":1764763200000}'))).toMatchObject({ kind: 'invalid', detail: 'teltonika-json: expected {"state":{"reported":{...}}}' });
    expect(decodeTeltonika(IMEI, record({ sp: 3 }))).toMatchObject({ kind: 'invalid', detail: 'teltonika-json ts: required' });
    expect(decodeTeltonika(IMEI, record({ ts: 1764763200000, latlng: '59.9;10.5' }))).toMatchObject({ kind: 'invalid', detail: expect.stringMatching(/^teltonika-json latlng/) });
    expect(decodeTeltonika(IMEI, record({ ts: 1764763200000, '239': 2 }))).toMatchObject({ kind: 'invalid', detail: expect.stringMatching(/^teltonika-json 239/) });
    expect(decodeTeltonika(IMEI, record({ ts: 'yesterday', sp: 3 }))).toMatchObject({ kind: 'invalid', detail: 'teltonika-json ts: expected a number, got "yesterday"' });
  });

  it('leaves a record with nothing the contract knows to its empty_sample', () => {
    const decoded = decodeTeltonika(IMEI, record({ ts: 1764763200000, latlng: '0,0', evt: 240, '240': 0 }));
    if (decoded.kind !== 'telemetry') throw new Error('expected telemetry');
    expect(() => normaliseVehicleSample(decoded.body, context)).toThrow(expect.objectContaining({ reason: 'empty_sample' }));
  });
});
