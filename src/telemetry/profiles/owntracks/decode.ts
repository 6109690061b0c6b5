/**
 * OwnTracks (the apps in MQTT mode, and vehicle trackers such as Queclink through qtripp): one JSON
 * document per delivery on `owntracks/<user>/<device>`; the identity is `<user>/<device>`.
 * Sources: owntracks/booklet docs/tech/json.md (types, topics, `location` and Queclink elements,
 * `lwt`); shared/spec/device-profiles.md.
 *
 * | OwnTracks                         | contract v1                                           |
 * |-----------------------------------|-------------------------------------------------------|
 * | `_type` `location`                | a telemetry sample                                    |
 * |   `tst` (epoch s of the fix)      | `ts` (epoch ms)                                       |
 * |   `lat`, `lon` (degrees)          | `lat`, `lon`                                          |
 * |   `vel` (km/h)                    | `speedKmh`; absent is 0, since the apps leave it out when it is 0 |
 * |   `odometer` (km, trackers)       | `odometerKm`                                          |
 * |   `ign` (bool, trackers)          | `ignition`                                            |
 * |   `batt` (the phone's battery %)  | nothing: it is not the vehicle's state of charge      |
 * | `_type` `lwt`                     | connection `offline`, at receipt: its `tst` is when the app first connected, not when it went away |
 * | any other `_type`, or a subtopic (`/event`, `/cmd`, `/step`, ...) | ignored (counted)       |
 * | empty payload (a retained message cleared) | ignored: nothing is known                    |
 */
import type { DecodedDelivery } from '../decoded-delivery';
import { UnreadableValue, booleanValue, jsonObject, numberValue, setKnown } from '../values';

const SEGMENT = /^[^/#+]+$/;

export function decodeOwnTracks(topic: string, payload: Buffer): DecodedDelivery {
  const levels = topic.split('/');
  if (levels.length < 3 || levels[0] !== 'owntracks' || !SEGMENT.test(levels[1]) || !SEGMENT.test(levels[2])) {
    return { kind: 'invalid', identity: null, detail: `owntracks: topic ${JSON.stringify(topic)} is not owntracks/<user>/<device>` };
  }
  const identity = `${levels[1]}/${levels[2]}`;
  if (levels.length > 3) return { kind: 'ignored', identity, reason: `owntracks subtopic ${levels.slice(3).join('/')}` };
  if (payload.length === 0) return { kind: 'ignored', identity, reason: 'owntracks: empty payload (retained message cleared)' };
  const document = jsonObject(payload);
  if (typeof document === 'string') return { kind: 'invalid', identity, detail: `owntracks: ${document}` };
  const type = document._type;
  if (typeof type !== 'string') return { kind: 'invalid', identity, detail: 'owntracks: _type missing' };
  if (type === 'lwt') return { kind: 'connection', identity, state: 'offline', ts: null };
  if (type !== 'location') return { kind: 'ignored', identity, reason: `owntracks _type ${type}` };
  try {
    const tst = numberValue('owntracks tst', document.tst);
    if (tst === null) return { kind: 'invalid', identity, detail: 'owntracks tst: required in a location' };
    const body: Record<string, unknown> = { ts: Math.round(tst * 1000) };
    setKnown(body, 'lat', numberValue('owntracks lat', document.lat));
    setKnown(body, 'lon', numberValue('owntracks lon', document.lon));
    // The booklet: `vel` (like acc, alt, cog) is only added when it is not zero.
    setKnown(body, 'speedKmh', document.vel === undefined ? 0 : numberValue('owntracks vel', document.vel));
    setKnown(body, 'odometerKm', numberValue('owntracks odometer', document.odometer));
    setKnown(body, 'ignition', booleanValue('owntracks ign', document.ign));
    return { kind: 'telemetry', identity, body };
  } catch (error) {
    if (error instanceof UnreadableValue) return { kind: 'invalid', identity, detail: error.message };
    throw error;
  }
}
