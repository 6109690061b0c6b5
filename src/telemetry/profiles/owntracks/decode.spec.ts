import { normaliseVehicleSample } from '../../contract/samples';
import { decodeOwnTracks } from './decode';

const NOW = Date.parse('2026-12-03T12:00:00Z');
const context = { now: NOW, horizonMs: 800 * 86_400_000, futureToleranceMs: 5 * 60_000, idTagSecret: 'secret' };
const json = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('OwnTracks decoder', () => {
  it('turns a tracker location into a sample the contract accepts, tst in seconds to ts in ms', () => {
    const decoded = decodeOwnTracks(
      'owntracks/fleet/KK-1234',
      json({ _type: 'location', tid: '34', tst: 1764763200, lat: 59.8912, lon: 10.5235, vel: 42, batt: 81, acc: 12, odometer: 48211.4, ign: true, t: 'i' }),
    );
    expect(decoded).toEqual({
      kind: 'telemetry',
      identity: 'fleet/KK-1234',
      body: { ts: 1764763200000, lat: 59.8912, lon: 10.5235, speedKmh: 42, odometerKm: 48211.4, ignition: true },
    });
    if (decoded.kind !== 'telemetry') throw new Error('expected telemetry');
    expect(normaliseVehicleSample(decoded.body, context)).toMatchObject({ ts: Date.parse('2025-12-03T12:00:00Z'), speedKmh: 42, socPct: null });
  });

  it('never takes the phone battery (batt) as the state of charge', () => {
    const decoded = decodeOwnTracks('owntracks/jane/phone', json({ _type: 'location', tst: 1764763200, lat: 59.9, lon: 10.5, batt: 55 }));
    expect(decoded.kind === 'telemetry' && Object.values(decoded.body)).not.toContain(55);
    expect(decoded).toMatchObject({ kind: 'telemetry', body: { ts: 1764763200000, lat: 59.9, lon: 10.5 } });
    expect(decoded.kind === 'telemetry' && 'socPct' in decoded.body).toBe(false);
  });

  it('reads a missing vel as 0 km/h (the apps leave it out when it is 0) and text values as values', () => {
    expect(decodeOwnTracks('owntracks/u/d', json({ _type: 'location', tst: 1764763200, lat: 59.9, lon: 10.5 }))).toMatchObject({ body: { speedKmh: 0 } });
    expect(decodeOwnTracks('owntracks/u/d', json({ _type: 'location', tst: '1.7647632e+09', lat: '59.9', lon: '10.5', vel: '12', ign: 'false', odometer: '1e+03' }))).toEqual({
      kind: 'telemetry',
      identity: 'u/d',
      body: { ts: 1764763200000, lat: 59.9, lon: 10.5, speedKmh: 12, ignition: false, odometerKm: 1000 },
    });
  });

  it('keeps an empty value unknown, not 0 or false', () => {
    const decoded = decodeOwnTracks('owntracks/u/d', json({ _type: 'location', tst: 1764763200, lat: 59.9, lon: 10.5, vel: 3, odometer: '', ign: '' }));
    expect(decoded).toEqual({ kind: 'telemetry', identity: 'u/d', body: { ts: 1764763200000, lat: 59.9, lon: 10.5, speedKmh: 3 } });
  });

  it('makes an lwt an offline event at receipt (its tst is when the app connected)', () => {
    expect(decodeOwnTracks('owntracks/u/d', json({ _type: 'lwt', tst: 1764700000 }))).toEqual({ kind: 'connection', identity: 'u/d', state: 'offline', ts: null });
  });

  it('ignores other types, subtopics and an empty (cleared retained) payload', () => {
    expect(decodeOwnTracks('owntracks/u/d', json({ _type: 'transition', event: 'leave', tst: 1 }))).toEqual({ kind: 'ignored', identity: 'u/d', reason: 'owntracks _type transition' });
    expect(decodeOwnTracks('owntracks/u/d/event', json({ _type: 'transition' }))).toMatchObject({ kind: 'ignored', identity: 'u/d', reason: 'owntracks subtopic event' });
    expect(decodeOwnTracks('owntracks/u/d', Buffer.alloc(0))).toMatchObject({ kind: 'ignored', identity: 'u/d' });
  });

  it('makes a dead letter of what the booklet does not describe', () => {
    expect(decodeOwnTracks('owntracks/u/d', Buffer.from('{"_type":'))).toMatchObject({ kind: 'invalid', identity: 'u/d', detail: expect.stringMatching(/^owntracks: malformed JSON/) });
    expect(decodeOwnTracks('owntracks/u/d', json([1]))).toMatchObject({ kind: 'invalid', detail: 'owntracks: expected a JSON object' });
    expect(decodeOwnTracks('owntracks/u/d', json({ tst: 1 }))).toMatchObject({ kind: 'invalid', detail: 'owntracks: _type missing' });
    expect(decodeOwnTracks('owntracks/u/d', json({ _type: 'location', lat: 1, lon: 2 }))).toMatchObject({ kind: 'invalid', detail: 'owntracks tst: required in a location' });
    expect(decodeOwnTracks('owntracks/u/d', json({ _type: 'location', tst: 1, lat: 'north', lon: 2 }))).toMatchObject({ kind: 'invalid', detail: 'owntracks lat: expected a number, got "north"' });
    expect(decodeOwnTracks('owntracks/u/d', json({ _type: 'location', tst: 1, ign: 'maybe' }))).toMatchObject({ kind: 'invalid', detail: expect.stringMatching(/^owntracks ign/) });
    expect(decodeOwnTracks('owntracks/u', json({ _type: 'location' }))).toMatchObject({ kind: 'invalid', identity: null });
    expect(decodeOwnTracks('other/u/d', json({ _type: 'location' }))).toMatchObject({ kind: 'invalid', identity: null });
  });

  it('leaves range checks to the contract, so a value out of range is its schema_violation', () => {
    const decoded = decodeOwnTracks('owntracks/u/d', json({ _type: 'location', tst: 1764763200, lat: 59.9, lon: 10.5, vel: 400 }));
    if (decoded.kind !== 'telemetry') throw new Error('expected telemetry');
    expect(() => normaliseVehicleSample(decoded.body, context)).toThrow(expect.objectContaining({ reason: 'schema_violation', detail: expect.stringMatching(/^speedKmh/) }));
  });
});
