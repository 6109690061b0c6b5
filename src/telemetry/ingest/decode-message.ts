import { createHash } from 'node:crypto';
import { Sample } from '../contract/fields';
import { decodeSamples, decodeText, isSampleObject } from '../contract/message';
import { Rejection, RejectionReason } from '../contract/rejection';
import {
  NormaliseContext,
  normaliseMeterSample,
  normaliseStatusSample,
  normaliseTransactionEvent,
  normaliseVehicleSample,
  parseConnectionEvent,
  redactIdTags,
  unknownFieldCount,
} from '../contract/samples';
import { DeviceKind, TopicAddress, deviceIdOfTopic, parseTopic } from '../contract/topics';
import { DeadLetterRow, RawBatch, emptyBatch } from '../storage/raw-batch';

const DEAD_LETTER_PAYLOAD_BYTES = 4096;
/** How far ahead of the receive time a sample's `ts` may be (device clocks drift). */
export const FUTURE_TOLERANCE_MS = 5 * 60_000;
/**
 * A message refused only because its device is not registered (or registered as the other kind)
 * is kept whole: it is the one a registration turns into samples on replay (amendment 1.1), and a
 * truncated payload could not be replayed. Payloads are at most 256 KiB (`payload_too_large`).
 */
const REGISTRY_REJECTION_PAYLOAD_BYTES = Number.MAX_SAFE_INTEGER;

/** The ingest's in-memory view of the registry: device id and kind to the vehicle's or charge point's id. */
export interface DeviceLookup {
  find(deviceId: string): { vehicle?: string; chargePoint?: string } | undefined;
}

export interface DecodeContext extends NormaliseContext {
  topicRoot: string;
  devices: DeviceLookup;
}

export interface DecodedMessage {
  rows: RawBatch;
  /** Fields the contract does not know, ignored (a metric, not an error). */
  unknownFields: number;
}

/**
 * One MQTT message to the rows it stores and the dead letters it leaves: a bad message is one
 * dead letter; in an array the good samples are kept and each bad one is a dead letter of its own.
 */
export function decodeMessage(topic: string, payload: Buffer, context: DecodeContext): DecodedMessage {
  try {
    return decode(topic, payload, context);
  } catch (error) {
    const rows = emptyBatch();
    const detail = `the service could not read this message: ${errorText(error)}`;
    rows.deadLetters.push(deadLetter(topic, deviceIdOfTopic(topic, context.topicRoot), 'decode_error', detail, null, redactIdTags(payload, context.idTagSecret), context.now));
    return { rows, unknownFields: 0 };
  }
}

function decode(topic: string, payload: Buffer, context: DecodeContext): DecodedMessage {
  const rows = emptyBatch();
  const receivedAt = context.now;
  const reject = (rejection: Rejection, deviceId: string | null, sampleIndex: number | null = null, body: Buffer = payload, keepBytes = DEAD_LETTER_PAYLOAD_BYTES) =>
    rows.deadLetters.push(deadLetter(topic, deviceId, rejection.reason, rejection.detail, sampleIndex, redactIdTags(body, context.idTagSecret), receivedAt, keepBytes));

  const address = addressOf(topic, context.topicRoot);
  if (address instanceof Rejection) {
    reject(address, deviceIdOfTopic(topic, context.topicRoot));
    return { rows, unknownFields: 0 };
  }
  const { deviceId, kind, stream } = address;
  const device = context.devices.find(deviceId);
  const ref = kind === 'vehicle' ? device?.vehicle : device?.chargePoint;
  if (!ref) {
    const other = kind === 'vehicle' ? device?.chargePoint : device?.vehicle;
    const rejection = other
      ? new Rejection('device_kind_mismatch', `${deviceId} is registered as a ${kind === 'vehicle' ? 'charge point' : 'vehicle'}, not a ${kind.replace('_', ' ')}`)
      : new Rejection('unknown_device', `no ${kind.replace('_', ' ')} is registered with device id ${deviceId}`);
    reject(rejection, deviceId, null, payload, REGISTRY_REJECTION_PAYLOAD_BYTES);
    return { rows, unknownFields: 0 };
  }

  if (stream === 'connection') {
    const text = decodeText(payload);
    const event = text instanceof Rejection ? text : parseConnectionEvent(text, context);
    if (event instanceof Rejection) {
      reject(event, deviceId);
      return { rows, unknownFields: 0 };
    }
    // Without a stated time the event happened when it was received.
    rows.connectionEvents.push({ deviceKind: kind as DeviceKind, deviceRef: ref, ts: event.ts ?? receivedAt, receivedAt, state: event.state });
    return { rows, unknownFields: event.unknownFields };
  }

  const samples = decodeSamples(payload);
  if (samples instanceof Rejection) {
    reject(samples, deviceId);
    return { rows, unknownFields: 0 };
  }
  let unknownFields = 0;
  const single = samples.length === 1;
  samples.forEach((sample: Sample, index) => {
    const sampleIndex = single ? null : index;
    try {
      if (!isSampleObject(sample)) throw new Rejection('schema_violation', 'a sample must be a JSON object');
      unknownFields += unknownFieldCount(sample, stream);
      switch (stream) {
        // The registry id is added to the normalised sample itself: spreading it into a copy cost the ingest time.
        case 'telemetry':
          rows.vehicleSamples.push(Object.assign(normaliseVehicleSample(sample, context), { vehicleId: ref }));
          break;
        case 'status':
          rows.statusSamples.push(Object.assign(normaliseStatusSample(sample, context), { chargePointId: ref }));
          break;
        case 'meter':
          rows.meterSamples.push(Object.assign(normaliseMeterSample(sample, context), { chargePointId: ref }));
          break;
        case 'transaction':
          rows.transactionEvents.push(Object.assign(normaliseTransactionEvent(sample, context), { chargePointId: ref }));
          break;
      }
    } catch (error) {
      const rejection = error instanceof Rejection ? error : new Rejection('decode_error', `the service could not read this sample: ${errorText(error)}`);
      // The sample's own JSON only for a dead letter: stringifying every good sample costs the ingest time.
      reject(rejection, deviceId, sampleIndex, single ? payload : (sampleJson(sample) ?? payload));
    }
  });
  return { rows, unknownFields };
}

/** Topics repeat (a device publishes on a few): each is parsed once. Bounded, since anyone may publish any topic. */
const TOPIC_CACHE_SIZE = 100_000;
const addresses = new Map<string, Map<string, TopicAddress | Rejection>>();

function addressOf(topic: string, root: string): TopicAddress | Rejection {
  let known = addresses.get(root);
  if (!known) addresses.set(root, (known = new Map()));
  let address = known.get(topic);
  if (address === undefined) {
    if (known.size >= TOPIC_CACHE_SIZE) known.clear();
    address = parseTopic(topic, root);
    known.set(topic, address);
  }
  return address;
}

export function deadLetter(
  topic: string,
  deviceId: string | null,
  reason: RejectionReason,
  detail: string,
  sampleIndex: number | null,
  payload: Buffer,
  receivedAt: number,
  keepBytes = DEAD_LETTER_PAYLOAD_BYTES,
): DeadLetterRow {
  return {
    key: deadLetterKey(topic, payload, sampleIndex),
    receivedAt,
    topic: withoutNul(topic),
    deviceId,
    reason,
    // PostgreSQL text cannot hold NUL characters; a hostile payload must not make its own dead letter unstorable.
    detail: withoutNul(detail).slice(0, 500),
    sampleIndex,
    payload: payload.subarray(0, keepBytes),
    payloadBytes: payload.length,
  };
}

/**
 * What identifies a dead letter, so that a broker's re-delivery of an unacknowledged message does
 * not write its dead letters again: the topic, the rejected payload as it arrived (with idTags
 * already replaced by their keyed hash, so the key reveals nothing the row does not) before
 * truncation, and the sample's index in its array. All three are the same on every delivery; the
 * receive time is not, so it is not part of the key. Two publications of the very same bytes on
 * the same topic are one dead letter: they carry the same samples (deduplicated when stored too)
 * or the same fault, and the metrics still count each rejection.
 */
export function deadLetterKey(topic: string, payload: Buffer, sampleIndex: number | null): Buffer {
  return createHash('sha256')
    .update(topic)
    .update('\u0000')
    .update(payload)
    .update(`\u0000${sampleIndex ?? ''}`)
    .digest();
}

function withoutNul(text: string): string {
  return text.replaceAll('\u0000', '\uFFFD');
}

/**
 * A rejected array element as JSON; undefined when it is nested too deeply to write out (the whole
 * payload is kept instead). Never String(): that recurses as deep, and throws for an object whose
 * own `toString` is not a function.
 */
function sampleJson(value: unknown): Buffer | undefined {
  try {
    return Buffer.from(JSON.stringify(value));
  } catch {
    return undefined;
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error';
}
