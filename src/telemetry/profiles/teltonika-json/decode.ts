/**
 * Teltonika FMx trackers with the MQTT "Codec JSON" (firmware 03.28 and later): each record is one
 * JSON document `{"state":{"reported":{...}}}` on the topic configured on the tracker (default
 * `<imei>/data`); the identity is the IMEI, which the ingest takes from the topic.
 * Sources: Teltonika wiki "Codec JSON" and the FMB "Data Sending Parameters ID" tables (AVL ids,
 * units); shared/spec/device-profiles.md.
 *
 * | reported key                        | contract v1                                          |
 * |-------------------------------------|------------------------------------------------------|
 * | `ts` (epoch **ms**, number or text) | `ts`                                                 |
 * | `latlng` `"lat,lon"`                | `lat`, `lon`; `0,0` (no GNSS fix) is no position     |
 * | `sp` (km/h)                         | `speedKmh`                                           |
 * | `239` Ignition (0/1)                | `ignition`                                           |
 * | `16` Total Odometer (m)             | `odometerKm` = m / 1000                              |
 * | `66` External Voltage (mV)          | `externalVoltageV` = mV / 1000, an extra field (ignored and counted by the contract) |
 * | `pr`, `alt`, `ang`, `sat`, `evt`, other AVL ids | not taken                                |
 * | empty payload                       | ignored: nothing is known                            |
 */
import type { DecodedDelivery } from '../decoded-delivery';
import { UnreadableValue, booleanValue, jsonObject, numberValue, setKnown } from '../values';

export function decodeTeltonika(imei: string, payload: Buffer): DecodedDelivery {
  const identity = imei;
  if (payload.length === 0) return { kind: 'ignored', identity, reason: 'teltonika-json: empty payload (retained message cleared)' };
  const document = jsonObject(payload);
  if (typeof document === 'string') return { kind: 'invalid', identity, detail: `teltonika-json: ${document}` };
  const state = document.state as Record<string, unknown> | undefined;
  const reported = state !== null && typeof state === 'object' ? state.reported : undefined;
  if (reported === null || typeof reported !== 'object' || Array.isArray(reported)) {
    return { kind: 'invalid', identity, detail: 'teltonika-json: expected {"state":{"reported":{...}}}' };
  }
  const record = reported as Record<string, unknown>;
  try {
    const ts = numberValue('teltonika-json ts', record.ts);
    if (ts === null) return { kind: 'invalid', identity, detail: 'teltonika-json ts: required' };
    const body: Record<string, unknown> = { ts: Math.round(ts) };
    const position = positionOf(record.latlng);
    if (position) Object.assign(body, position);
    setKnown(body, 'speedKmh', numberValue('teltonika-json sp', record.sp));
    setKnown(body, 'ignition', booleanValue('teltonika-json 239 (ignition)', record['239']));
    const odometerM = numberValue('teltonika-json 16 (total odometer)', record['16']);
    if (odometerM !== null) body.odometerKm = odometerM / 1000;
    const externalMv = numberValue('teltonika-json 66 (external voltage)', record['66']);
    if (externalMv !== null) body.externalVoltageV = externalMv / 1000;
    return { kind: 'telemetry', identity, body };
  } catch (error) {
    if (error instanceof UnreadableValue) return { kind: 'invalid', identity, detail: error.message };
    throw error;
  }
}

/** `"lat,lon"`; null for an unknown position, including the 0,0 a tracker reports without a fix. */
function positionOf(raw: unknown): { lat: number; lon: number } | null {
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) return null;
  const parts = typeof raw === 'string' ? raw.split(',') : [];
  if (parts.length !== 2) throw new UnreadableValue(`teltonika-json latlng: expected "lat,lon", got ${JSON.stringify(String(raw)).slice(0, 60)}`);
  const lat = numberValue('teltonika-json latlng (latitude)', parts[0]);
  const lon = numberValue('teltonika-json latlng (longitude)', parts[1]);
  if (lat === null || lon === null) throw new UnreadableValue(`teltonika-json latlng: expected "lat,lon", got ${JSON.stringify(raw)}`);
  return lat === 0 && lon === 0 ? null : { lat, lon };
}
