import { decodeMessage } from './decode-message';

const NOW = Date.parse('2019-03-04T12:00:00Z');
const context = {
  now: NOW,
  horizonMs: 800 * 86_400_000,
  futureToleranceMs: 5 * 60_000,
  idTagSecret: 'secret',
  topicRoot: 'fleet',
  devices: { find: (deviceId: string) => (deviceId === 'veh-1' ? { vehicle: 'vehicle-uuid' } : undefined) },
};
const TOPIC = 'fleet/v1/vehicles/veh-1/telemetry';

describe('decodeMessage', () => {
  it('keeps the good samples of an array and dead-letters a bad one as its own JSON', () => {
    const { rows } = decodeMessage(TOPIC, Buffer.from('[{"ts":1551700000000,"speedKmh":5},{"ts":1551700000001,"speedKmh":300}]'), context);
    expect(rows.vehicleSamples).toHaveLength(1);
    expect(rows.deadLetters).toMatchObject([{ reason: 'schema_violation', sampleIndex: 1 }]);
    expect(rows.deadLetters[0].payload.toString()).toBe('{"ts":1551700000001,"speedKmh":300}');
  });

  // Found by the fuzz run: these threw out of decodeMessage, so the message was never acknowledged and blocked its connection.
  it.each([
    ['an array nested 50,000 deep', `${'['.repeat(50_000)}${']'.repeat(50_000)}`],
    ['an object with a non-function toString nested deep inside', `{"toString":1,"x":${'['.repeat(50_000)}${']'.repeat(50_000)}}`],
  ])('dead-letters %s in a sample array with the whole payload', (_what, element) => {
    const payload = Buffer.from(`[{"ts":1551700000000,"speedKmh":5},${element}]`);
    const { rows } = decodeMessage(TOPIC, payload, context);
    expect(rows.vehicleSamples).toHaveLength(1);
    expect(rows.deadLetters).toMatchObject([{ reason: 'schema_violation', sampleIndex: 1, payloadBytes: payload.length }]);
  });

  // Whatever the decoder's own bugs: the message is dead-lettered (and so acknowledged), never left holding its connection.
  it('dead-letters a message it fails to read as decode_error, with the error', () => {
    const broken = {
      ...context,
      devices: {
        find: (): never => {
          throw new TypeError('directory broken');
        },
      },
    };
    const { rows } = decodeMessage(TOPIC, Buffer.from('{"ts":1551700000000,"speedKmh":5}'), broken);
    expect(rows.vehicleSamples).toHaveLength(0);
    expect(rows.deadLetters).toMatchObject([{ reason: 'decode_error', deviceId: 'veh-1', detail: expect.stringContaining('TypeError: directory broken') }]);
  });

  it('keeps the other samples of an array when it fails to read one', () => {
    let reads = 0;
    const flaky = Object.defineProperty({ ...context }, 'horizonMs', {
      get: () => {
        if (++reads === 2) throw new RangeError('bad luck');
        return context.horizonMs;
      },
    });
    const { rows } = decodeMessage(TOPIC, Buffer.from('[{"ts":1551700000000,"speedKmh":5},{"ts":1551700000001,"speedKmh":6},{"ts":1551700000002,"speedKmh":7}]'), flaky);
    expect(rows.vehicleSamples.map((sample) => sample.speedKmh)).toEqual([5, 7]);
    expect(rows.deadLetters).toMatchObject([{ reason: 'decode_error', sampleIndex: 1 }]);
  });
});
