import { Rejection } from './rejection';
import { decodeSamples } from './message';
import { normaliseMeterSample, normaliseStatusSample, normaliseTransactionEvent, normaliseVehicleSample, parseConnectionEvent, hashIdTag, redactIdTags } from './samples';
import { parseTopic } from './topics';

const NOW = Date.parse('2019-03-04T12:00:00Z');
const context = { now: NOW, horizonMs: 800 * 86_400_000, futureToleranceMs: 5 * 60_000, idTagSecret: 'secret' };

function rejectionOf(work: () => unknown): Rejection {
  try {
    work();
  } catch (error) {
    if (error instanceof Rejection) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('vehicle samples', () => {
  it('normalises the contract example', () => {
    const sample = normaliseVehicleSample(
      { ts: '2019-03-04T07:15:02Z', odometerKm: 48211.4, speedKmh: 42.5, lat: 59.8912, lon: 10.5235, ignition: true, socPct: 81.5, energyConsumedKwh: 7312.9, energyChargedKwh: 8125.4 },
      context,
    );
    expect(sample).toEqual({
      ts: Date.parse('2019-03-04T07:15:02Z'),
      odometerKm: 48211.4,
      speedKmh: 42.5,
      lat: 59.8912,
      lon: 10.5235,
      ignition: true,
      socPct: 81.5,
      energyConsumedKwh: 7312.9,
      energyChargedKwh: 8125.4,
      fuelUsedL: null,
      gasUsedKg: null,
      fuelLevelPct: null,
      charging: null,
    });
  });

  it('takes both timestamp forms, numeric strings and boolean strings', () => {
    const offset = normaliseVehicleSample({ ts: '2019-03-04T08:15:02+01:00', odometerKm: '12.5', charging: 'false' }, context);
    const epoch = normaliseVehicleSample({ ts: Date.parse('2019-03-04T07:15:02Z'), odometerKm: 12.5, charging: false }, context);
    expect(offset).toEqual(epoch);
    expect(offset.ts).toBe(Date.parse('2019-03-04T07:15:02Z'));
  });

  it.each([
    [{ ts: '2019-03-04T07:15:02Z', speedKmh: 251 }, 'schema_violation', /speedKmh/],
    [{ ts: '2019-03-04T07:15:02Z', socPct: -1 }, 'schema_violation', /socPct/],
    [{ ts: '2019-03-04T07:15:02Z', odometerKm: 'twelve' }, 'schema_violation', /odometerKm/],
    [{ ts: '2019-03-04T07:15:02Z', odometerKm: Infinity }, 'schema_violation', /odometerKm/],
    [{ ts: '2019-03-04T07:15:02Z', ignition: 'yes' }, 'schema_violation', /ignition/],
    [{ ts: '2019-03-04T07:15:02Z', lat: 59.9 }, 'schema_violation', /lat, lon/],
    [{ ts: '2019-03-04T07:15:02', odometerKm: 1 }, 'schema_violation', /^ts/],
    [{ ts: '2019-02-30T07:15:02Z', odometerKm: 1 }, 'schema_violation', /^ts/],
    [{ odometerKm: 1 }, 'schema_violation', /^ts: required/],
    [{ ts: '2019-03-04T12:06:00Z', odometerKm: 1 }, 'timestamp_in_future', /ahead/],
    // Epoch ms of 16 digits reach beyond the years a Date can hold.
    // eslint-disable-next-line no-loss-of-precision -- the 16 digits a device sends; they parse to 1e16, as from JSON
    [{ ts: 9999999999999999, odometerKm: 1 }, 'timestamp_in_future', /ahead/],
    [{ ts: '9999999999999999', odometerKm: 1 }, 'timestamp_in_future', /ahead/],
    [{ ts: '2016-12-01T00:00:00Z', odometerKm: 1 }, 'timestamp_too_old', /horizon/],
    [{ ts: '2019-03-04T07:15:02Z' }, 'empty_sample', /besides ts/],
    [{ ts: '2019-03-04T07:15:02Z', colour: 'red' }, 'empty_sample', /besides ts/],
  ])('rejects %j as %s', (sample, reason, detail) => {
    const rejection = rejectionOf(() => normaliseVehicleSample(sample, context));
    expect(rejection.reason).toBe(reason);
    expect(rejection.detail).toMatch(detail);
  });

  it('refuses a numeric-looking string of 200,000 digits at once', () => {
    const started = Date.now();
    expect(rejectionOf(() => normaliseVehicleSample({ ts: '2019-03-04T07:15:02Z', odometerKm: `${'1'.repeat(200_000)}x` }, context)).reason).toBe('schema_violation');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('accepts a sample 4 minutes ahead of the server clock', () => {
    expect(normaliseVehicleSample({ ts: '2019-03-04T12:04:00Z', speedKmh: 0 }, context).speedKmh).toBe(0);
  });
});

describe('charge-point samples', () => {
  it('normalises status with the default error code', () => {
    expect(normaliseStatusSample({ ts: NOW, connectorId: '1', status: 'Charging' }, context)).toEqual({ ts: NOW, connectorId: 1, status: 'Charging', errorCode: 'NoError' });
  });

  it('rejects an unknown status, a fractional connector and a missing connector', () => {
    expect(rejectionOf(() => normaliseStatusSample({ ts: NOW, connectorId: 1, status: 'Busy' }, context)).detail).toMatch(/^status/);
    expect(rejectionOf(() => normaliseStatusSample({ ts: NOW, connectorId: 1.5, status: 'Available' }, context)).detail).toMatch(/^connectorId/);
    expect(rejectionOf(() => normaliseMeterSample({ ts: NOW, energyWh: 5 }, context)).detail).toMatch(/^connectorId: required/);
  });

  it('requires energy or power in a meter sample', () => {
    expect(rejectionOf(() => normaliseMeterSample({ ts: NOW, connectorId: 1 }, context)).reason).toBe('empty_sample');
  });

  it('keeps only a keyed hash of the idTag', () => {
    const event = normaliseTransactionEvent({ ts: '2019-03-04T07:15:02Z', event: 'start', connectorId: 1, transactionId: 4711, meterWh: 1234567, idTag: '04A2B3C4D5' }, context);
    expect(event).toMatchObject({ event: 'start', connectorId: 1, transactionId: '4711', meterWh: 1234567, reason: null });
    expect(event.idTagHash).toEqual(hashIdTag('04A2B3C4D5', 'secret'));
    expect(JSON.stringify(event)).not.toContain('04A2B3C4D5');
  });

  it('refuses NUL characters in text fields, which PostgreSQL cannot store', () => {
    const event = { ts: '2019-03-04T07:15:02Z', event: 'stop', connectorId: 1, transactionId: '4711', meterWh: 1 };
    expect(rejectionOf(() => normaliseTransactionEvent({ ...event, transactionId: 'tx\u00001' }, context)).detail).toMatch(/^transactionId: .*NUL/);
    expect(rejectionOf(() => normaliseTransactionEvent({ ...event, reason: 'Local\u0000' }, context)).detail).toMatch(/^reason: .*NUL/);
    expect(rejectionOf(() => normaliseMeterSample({ ts: '2019-03-04T07:15:02Z', connectorId: 1, energyWh: 1, transactionId: '\u0000' }, context)).reason).toBe('schema_violation');
  });

  it('requires event, transactionId and meterWh in transactions', () => {
    for (const field of ['event', 'transactionId', 'meterWh']) {
      const sample: Record<string, unknown> = { ts: NOW, event: 'stop', connectorId: 1, transactionId: 'x', meterWh: 1 };
      delete sample[field];
      expect(rejectionOf(() => normaliseTransactionEvent(sample, context)).detail).toBe(`${field}: required`);
    }
  });
});

describe('messages and topics', () => {
  it('decodes one sample or an array, and refuses the rest', () => {
    expect(decodeSamples(Buffer.from('{"ts":1}'))).toEqual([{ ts: 1 }]);
    expect(decodeSamples(Buffer.from('[{"ts":1},{"ts":2}]'))).toHaveLength(2);
    expect((decodeSamples(Buffer.from('{"ts":')) as Rejection).reason).toBe('malformed_json');
    expect((decodeSamples(Buffer.from([0x7b, 0xff, 0x7d])) as Rejection).reason).toBe('malformed_json');
    expect((decodeSamples(Buffer.alloc(256 * 1024 + 1, 0x20)) as Rejection).reason).toBe('payload_too_large');
    expect((decodeSamples(Buffer.from('[]')) as Rejection).reason).toBe('empty_sample');
    expect((decodeSamples(Buffer.from(JSON.stringify(new Array(501).fill({ ts: 1 })))) as Rejection).reason).toBe('schema_violation');
    expect((decodeSamples(Buffer.from('42')) as Rejection).reason).toBe('schema_violation');
  });

  it('routes the contract topics', () => {
    expect(parseTopic('fleet/v1/vehicles/veh-1/telemetry', 'fleet')).toEqual({ kind: 'vehicle', deviceId: 'veh-1', stream: 'telemetry' });
    expect(parseTopic('fleet/v1/chargepoints/cp.1/transaction', 'fleet')).toEqual({ kind: 'charge_point', deviceId: 'cp.1', stream: 'transaction' });
    for (const topic of [
      'fleet/v1/vehicles/veh-1/meter',
      'fleet/v2/vehicles/veh-1/telemetry',
      'fleet/v1/vehicles/veh 1/telemetry',
      'fleet/v1/vehicles/veh-1/telemetry/x',
      'other/v1/vehicles/veh-1/telemetry',
    ]) {
      expect((parseTopic(topic, 'fleet') as Rejection).reason).toBe('unknown_topic');
    }
  });

  it('reads connection states, plain or as JSON with an optional stated time (amendment 1.1)', () => {
    const window = { now: Date.parse('2026-12-03T12:00:00Z'), horizonMs: 800 * 86_400_000, futureToleranceMs: 300_000 };
    const parse = (text: string) => parseConnectionEvent(text, window);
    expect(parse('online')).toEqual({ state: 'online', ts: null, unknownFields: 0 });
    expect(parse(' "offline"\n')).toEqual({ state: 'offline', ts: null, unknownFields: 0 });
    expect(parse('{"state":"online","ts":"2026-12-01T08:00:00+01:00"}')).toEqual({ state: 'online', ts: Date.parse('2026-12-01T07:00:00Z'), unknownFields: 0 });
    expect(parse('{"state":"offline","ts":1764576000000,"rssi":-70}')).toEqual({ state: 'offline', ts: 1764576000000, unknownFields: 1 });
    expect(parse('{"state":"online"}')).toEqual({ state: 'online', ts: null, unknownFields: 0 });
    const reason = (text: string) => (parse(text) as Rejection).reason;
    expect(reason('maybe')).toBe('schema_violation');
    expect(reason('{"state":"up","ts":1764576000000}')).toBe('schema_violation');
    expect(reason('{"ts":1764576000000}')).toBe('schema_violation');
    expect(reason('{"state":"online","ts":"yesterday"}')).toBe('schema_violation');
    expect(reason('{"state":"online"')).toBe('schema_violation');
    expect(reason('{"state":"online","ts":"2026-12-03T12:06:00Z"}')).toBe('timestamp_in_future');
    expect(reason('{"state":"online","ts":"2024-01-01T00:00:00Z"}')).toBe('timestamp_too_old');
  });
});

describe('redactIdTags', () => {
  const hex = (tag: string) => `hmac-sha256:${hashIdTag(tag, 'secret').toString('hex')}`;

  it('replaces every idTag of a JSON payload by its keyed hash and keeps the rest', () => {
    const payload = Buffer.from(JSON.stringify([{ ts: 1, event: 'start', idTag: '04A2B3C4D5', meterWh: 'x' }, { idTag: 'AB\\"C' }]));
    const redacted = JSON.parse(redactIdTags(payload, 'secret').toString('utf8'));
    // An escaped value is hashed as written in the JSON text.
    expect(redacted).toEqual([{ ts: 1, event: 'start', idTag: hex('04A2B3C4D5'), meterWh: 'x' }, { idTag: hex('AB\\\\\\"C') }]);
  });

  it('redacts numbers, malformed and truncated payloads too', () => {
    expect(redactIdTags(Buffer.from('{"idTag": 1234567, "x":1}'), 'secret').toString()).toBe(`{"idTag": "${hex('1234567')}", "x":1}`);
    const broken = redactIdTags(Buffer.from('{"event":"start","idTag":"04A2B3C4D5",'), 'secret').toString();
    expect(broken).not.toContain('04A2B3C4D5');
    expect(redactIdTags(Buffer.from('{"event":"start","idTag":"04A2B3'), 'secret').toString()).not.toContain('04A2B3');
    const plain = Buffer.from('{"ts":1}');
    expect(redactIdTags(plain, 'secret')).toBe(plain);
  });
});

describe('replaying a kept transaction', () => {
  it('reads a redacted idTag back as the hash the ingest would have stored, and hashes nothing twice', () => {
    const sample = { ts: '2019-03-04T10:00:00Z', event: 'start', connectorId: 1, transactionId: 'T1', meterWh: 10, idTag: '04A2B3C4D5' };
    const asArrived = normaliseTransactionEvent(sample, context);
    const kept = JSON.parse(redactIdTags(Buffer.from(JSON.stringify(sample)), 'secret').toString('utf8'));
    expect(normaliseTransactionEvent(kept, { ...context, idTagsHashed: true })).toEqual(asArrived);
    // From a device, the hashed form is an idTag like any other (and too long for one).
    expect(rejectionOf(() => normaliseTransactionEvent(kept, context)).reason).toBe('schema_violation');
  });
});
