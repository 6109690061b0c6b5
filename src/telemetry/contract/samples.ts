import { createHmac } from 'node:crypto';
import { Sample, TimeWindow, readBoolean, readEnum, readInteger, readNumber, readString, readTimestamp, required } from './fields';
import { Rejection } from './rejection';

/** Normalised samples, one type per stream; units are the contract's. Absent fields are null. */
export interface VehicleSample {
  ts: number;
  odometerKm: number | null;
  speedKmh: number | null;
  lat: number | null;
  lon: number | null;
  ignition: boolean | null;
  socPct: number | null;
  energyConsumedKwh: number | null;
  energyChargedKwh: number | null;
  fuelUsedL: number | null;
  gasUsedKg: number | null;
  fuelLevelPct: number | null;
  charging: boolean | null;
}

export const OCPP_STATUSES = ['Available', 'Preparing', 'Charging', 'SuspendedEVSE', 'SuspendedEV', 'Finishing', 'Reserved', 'Unavailable', 'Faulted'] as const;
export type ConnectorStatus = (typeof OCPP_STATUSES)[number];

export const OCPP_ERROR_CODES = [
  'ConnectorLockFailure',
  'EVCommunicationError',
  'GroundFailure',
  'HighTemperature',
  'InternalError',
  'LocalListConflict',
  'NoError',
  'OtherError',
  'OverCurrentFailure',
  'OverVoltage',
  'PowerMeterFailure',
  'PowerSwitchFailure',
  'ReaderFailure',
  'ResetFailure',
  'UnderVoltage',
  'WeakSignal',
] as const;

export interface StatusSample {
  ts: number;
  connectorId: number;
  status: ConnectorStatus;
  errorCode: string;
  /** OCPP StatusNotification's `vendorErrorCode` (the MQTT contract has none). */
  vendorErrorCode?: string | null;
}

export interface MeterSample {
  ts: number;
  connectorId: number;
  energyWh: number | null;
  powerW: number | null;
  transactionId: string | null;
  /** OCPP `SoC` (the MQTT contract has none). */
  socPct?: number | null;
  /** OCPP sampled values without a field of their own (other measurands, per-phase values), by measurand[.phase][@location] [(unit)]. */
  extra?: Record<string, number> | null;
}

export interface TransactionEvent {
  ts: number;
  event: 'start' | 'stop';
  connectorId: number;
  transactionId: string;
  meterWh: number;
  /** HMAC-SHA256 of the idTag under the configured secret: the clear idTag is never kept. */
  idTagHash: Buffer | null;
  reason: string | null;
}

export interface NormaliseContext extends TimeWindow {
  idTagSecret: string;
  /**
   * The payload is a kept dead letter, whose idTags redactIdTags already replaced by their keyed
   * hash: replay reads that hash back instead of hashing it again. (An idTag that was itself at
   * fault, e.g. too long, cannot be told apart any more, and one with JSON escapes was hashed as
   * written; such a hash is stored as it is.)
   */
  idTagsHashed?: boolean;
}

const KNOWN_FIELDS = {
  telemetry: new Set(['ts', 'odometerKm', 'speedKmh', 'lat', 'lon', 'ignition', 'socPct', 'energyConsumedKwh', 'energyChargedKwh', 'fuelUsedL', 'gasUsedKg', 'fuelLevelPct', 'charging']),
  status: new Set(['ts', 'connectorId', 'status', 'errorCode']),
  meter: new Set(['ts', 'connectorId', 'energyWh', 'powerW', 'transactionId']),
  transaction: new Set(['ts', 'event', 'connectorId', 'transactionId', 'meterWh', 'idTag', 'reason']),
};
const CONNECTOR_MAX = 1000;

/** Number of fields in the sample that the contract does not know (ignored, counted in metrics). */
export function unknownFieldCount(sample: Sample, stream: 'telemetry' | 'status' | 'meter' | 'transaction'): number {
  const known = KNOWN_FIELDS[stream];
  let unknown = 0;
  // A loop, not Object.keys().filter(): this runs for every sample the ingest takes.
  for (const key in sample) if (!known.has(key)) unknown++;
  return unknown;
}

const orNull = <T>(value: T | undefined): T | null => (value === undefined ? null : value);

export function normaliseVehicleSample(sample: Sample, context: NormaliseContext): VehicleSample {
  const ts = readTimestamp(sample, context);
  const lat = readNumber(sample, 'lat', { min: -90, max: 90 });
  const lon = readNumber(sample, 'lon', { min: -180, max: 180 });
  if ((lat === undefined) !== (lon === undefined)) throw new Rejection('schema_violation', 'lat, lon: both or neither');
  const normalised: VehicleSample = {
    ts,
    odometerKm: orNull(readNumber(sample, 'odometerKm', { min: 0 })),
    speedKmh: orNull(readNumber(sample, 'speedKmh', { min: 0, max: 250 })),
    lat: orNull(lat),
    lon: orNull(lon),
    ignition: orNull(readBoolean(sample, 'ignition')),
    socPct: orNull(readNumber(sample, 'socPct', { min: 0, max: 100 })),
    energyConsumedKwh: orNull(readNumber(sample, 'energyConsumedKwh', { min: 0 })),
    energyChargedKwh: orNull(readNumber(sample, 'energyChargedKwh', { min: 0 })),
    fuelUsedL: orNull(readNumber(sample, 'fuelUsedL', { min: 0 })),
    gasUsedKg: orNull(readNumber(sample, 'gasUsedKg', { min: 0 })),
    fuelLevelPct: orNull(readNumber(sample, 'fuelLevelPct', { min: 0, max: 100 })),
    charging: orNull(readBoolean(sample, 'charging')),
  };
  let present = 0;
  for (const key in normalised) if (normalised[key as keyof VehicleSample] !== null) present++;
  if (present === 1) throw new Rejection('empty_sample', 'no field besides ts'); // ts is always there
  return normalised;
}

export function normaliseStatusSample(sample: Sample, context: NormaliseContext): StatusSample {
  const ts = readTimestamp(sample, context);
  return {
    ts,
    connectorId: required(readInteger(sample, 'connectorId', 0, CONNECTOR_MAX), 'connectorId'),
    status: required(readEnum(sample, 'status', OCPP_STATUSES), 'status'),
    errorCode: readEnum(sample, 'errorCode', OCPP_ERROR_CODES) ?? 'NoError',
  };
}

export function normaliseMeterSample(sample: Sample, context: NormaliseContext): MeterSample {
  const ts = readTimestamp(sample, context);
  const connectorId = required(readInteger(sample, 'connectorId', 0, CONNECTOR_MAX), 'connectorId');
  const energyWh = orNull(readNumber(sample, 'energyWh', { min: 0 }));
  const powerW = orNull(readNumber(sample, 'powerW', { min: 0 }));
  const transactionId = orNull(readString(sample, 'transactionId', 1, 64));
  if (energyWh === null && powerW === null) throw new Rejection('empty_sample', 'neither energyWh nor powerW');
  return { ts, connectorId, energyWh, powerW, transactionId };
}

export function normaliseTransactionEvent(sample: Sample, context: NormaliseContext): TransactionEvent {
  const ts = readTimestamp(sample, context);
  const idTagHash = context.idTagsHashed ? readHashedIdTag(sample) : undefined;
  const idTag = idTagHash === undefined ? readString(sample, 'idTag', 1, 64) : undefined;
  return {
    ts,
    event: required(readEnum(sample, 'event', ['start', 'stop'] as const), 'event'),
    connectorId: required(readInteger(sample, 'connectorId', 0, CONNECTOR_MAX), 'connectorId'),
    transactionId: required(readString(sample, 'transactionId', 1, 64), 'transactionId'),
    meterWh: required(readNumber(sample, 'meterWh', { min: 0 }), 'meterWh'),
    idTagHash: idTagHash ?? (idTag === undefined ? null : hashIdTag(idTag, context.idTagSecret)),
    reason: orNull(readString(sample, 'reason', 1, 64)),
  };
}

const HASHED_ID_TAG = /^hmac-sha256:([0-9a-f]{64})$/;

/** The hash of a redacted idTag (see redactIdTags), or undefined when the idTag is not in that form. */
function readHashedIdTag(sample: Sample): Buffer | undefined {
  const value = sample.idTag;
  const match = typeof value === 'string' ? HASHED_ID_TAG.exec(value) : null;
  return match ? Buffer.from(match[1], 'hex') : undefined;
}

/** Keyed hash of a user token (idTag, operator user token): countable, not reversible without the secret. */
export function hashIdTag(idTag: string, secret: string): Buffer {
  return createHmac('sha256', secret).update(idTag, 'utf8').digest();
}

/**
 * A payload kept as a dead letter with every `idTag` value replaced by its keyed hash: a rejected
 * transaction must not leave the clear idTag in the database. Works on the text, so that also a
 * payload that is not valid JSON (or truncated) loses its idTags.
 */
export function redactIdTags(payload: Buffer, secret: string): Buffer {
  const text = payload.toString('utf8');
  if (!text.includes('idTag')) return payload;
  const hashed = (value: string) => `"hmac-sha256:${hashIdTag(value, secret).toString('hex')}"`;
  return Buffer.from(
    text
      .replace(/("idTag"\s*:\s*)"((?:[^"\\]|\\.)*)("?)/g, (_match, key: string, value: string) => key + hashed(value))
      .replace(/("idTag"\s*:\s*)(-?[0-9][0-9.eE+-]*)/g, (_match, key: string, value: string) => key + hashed(value)),
    'utf8',
  );
}

export type ConnectionState = 'online' | 'offline';

export interface ConnectionEvent {
  state: ConnectionState;
  /** The time the device states (telemetry-v1 amendment 1.1); null: the event happened when it was received. */
  ts: number | null;
}

/**
 * The `connection` topic carries plain `online` / `offline` (a JSON string of either is accepted
 * too), or a JSON object `{"state": ..., "ts": ...}` whose optional `ts` follows the samples' rules
 * (amendment 1.1), so that a gateway can backfill a charge point's or vehicle's history.
 */
export function parseConnectionEvent(payload: string, window: TimeWindow): (ConnectionEvent & { unknownFields: number }) | Rejection {
  const text = payload.trim();
  if (!text.startsWith('{')) {
    const state = stateOf(text.replace(/^"(.*)"$/, '$1'));
    return state ? { state, ts: null, unknownFields: 0 } : new Rejection('schema_violation', 'connection payload must be "online" or "offline"');
  }
  let document: Sample;
  try {
    document = JSON.parse(text);
  } catch {
    // As for any other text that is not a state: the topic's payload is text, JSON only by choice.
    return new Rejection('schema_violation', 'connection payload must be "online", "offline" or a JSON object {"state", "ts"}');
  }
  const raw = Object.prototype.hasOwnProperty.call(document, 'state') ? document.state : undefined;
  const state = typeof raw === 'string' ? stateOf(raw) : undefined;
  if (!state) return new Rejection('schema_violation', 'state: expected "online" or "offline"');
  let unknownFields = 0;
  for (const key in document) if (key !== 'state' && key !== 'ts') unknownFields++;
  try {
    const stated = document.ts === undefined || document.ts === null ? null : readTimestamp(document, window);
    return { state, ts: stated, unknownFields };
  } catch (error) {
    if (error instanceof Rejection) return error;
    throw error;
  }
}

function stateOf(text: string): ConnectionState | undefined {
  const state = text.toLowerCase();
  return state === 'online' || state === 'offline' ? state : undefined;
}
