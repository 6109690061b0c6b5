import fs from 'node:fs';
import path from 'node:path';
import { normaliseVehicleSample, parseConnectionEvent, VehicleSample } from '../contract/samples';
import { DecodedDelivery } from './decoded-delivery';
import { decodeOwnTracks } from './owntracks/decode';
import { decodeTeltonika } from './teltonika-json/decode';

/**
 * The recorded streams of the one-document-per-delivery publishers (test/fixtures/profiles, written
 * from the publishers' own code and docs) decode to the same samples as the same drive written in
 * contract v1 beside them. The assembled profiles are checked through the broker by the ingest's tests.
 */
const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/profiles');
const context = { now: Date.parse('2026-11-25T00:00:00Z'), horizonMs: 800 * 86_400_000, futureToleranceMs: 5 * 60_000, idTagSecret: 'secret' };

interface Line {
  topic: string;
  payload: string;
}
const lines = (profile: string, file: string): Line[] =>
  fs
    .readFileSync(path.join(FIXTURES, profile, file), 'utf8')
    .trim()
    .split('\n')
    .map((text) => JSON.parse(text) as Line);

type Outcome = { kind: 'sample'; sample: VehicleSample } | { kind: 'connection'; state: string };

function fromDecoded(decoded: DecodedDelivery): Outcome {
  if (decoded.kind === 'telemetry') return { kind: 'sample', sample: normaliseVehicleSample(decoded.body, context) };
  if (decoded.kind === 'connection') return { kind: 'connection', state: decoded.state };
  throw new Error(`unexpected ${JSON.stringify(decoded)}`);
}

function fromContract(line: Line): Outcome {
  if (line.topic.endsWith('/connection')) {
    const event = parseConnectionEvent(line.payload, context);
    if (!('state' in event)) throw new Error(event.detail);
    return { kind: 'connection', state: event.state };
  }
  return { kind: 'sample', sample: normaliseVehicleSample(JSON.parse(line.payload), context) };
}

describe('recorded publisher streams against the same drive in contract v1', () => {
  it('OwnTracks (Queclink via qtripp): every delivery gives the contract sample or event', () => {
    const stream = lines('owntracks', 'stream.jsonl');
    const decoded = stream.map((line) => fromDecoded(decodeOwnTracks(line.topic, Buffer.from(line.payload))));
    expect(decoded).toEqual(lines('owntracks', 'contract-v1.jsonl').map(fromContract));
    expect(decoded.filter((outcome) => outcome.kind === 'sample').every((outcome) => outcome.kind === 'sample' && outcome.sample.socPct === null)).toBe(true);
  });

  it('Teltonika Codec JSON: every record gives the contract sample, the no-fix record without a position', () => {
    const stream = lines('teltonika-json', 'stream.jsonl');
    const decoded = stream.map((line) => fromDecoded(decodeTeltonika(line.topic.split('/')[0], Buffer.from(line.payload))));
    expect(decoded).toEqual(lines('teltonika-json', 'contract-v1.jsonl').map(fromContract));
    expect(decoded[0]).toMatchObject({ kind: 'sample', sample: { lat: null, lon: null, odometerKm: 104322.871 } });
  });

  it('agrees with the figures in expected.json (distance from the odometer, trips from ignition)', () => {
    for (const profile of ['owntracks', 'teltonika-json']) {
      const expected = JSON.parse(fs.readFileSync(path.join(FIXTURES, profile, 'expected.json'), 'utf8')) as { figures: { distanceKm: number; trips: number } };
      const samples = lines(profile, 'contract-v1.jsonl')
        .map(fromContract)
        .flatMap((outcome) => (outcome.kind === 'sample' ? [outcome.sample] : []));
      const odometers = samples.map((sample) => sample.odometerKm!);
      const trips = samples.filter((sample, index) => sample.ignition && !(samples[index - 1]?.ignition ?? false)).length;
      expect(Math.round((odometers[odometers.length - 1] - odometers[0]) * 1000) / 1000).toBe(expected.figures.distanceKm);
      expect(trips).toBe(expected.figures.trips);
    }
  });
});
