import { Sample } from './fields';
import { Rejection } from './rejection';

export const MAX_PAYLOAD_BYTES = 256 * 1024;
export const MAX_SAMPLES_PER_MESSAGE = 500;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Payload bytes as text, refusing oversized payloads and invalid UTF-8. */
export function decodeText(payload: Buffer): string | Rejection {
  if (payload.length > MAX_PAYLOAD_BYTES) {
    return new Rejection('payload_too_large', `${payload.length} bytes, at most ${MAX_PAYLOAD_BYTES} allowed`);
  }
  try {
    return utf8.decode(payload);
  } catch {
    return new Rejection('malformed_json', 'payload is not valid UTF-8');
  }
}

/** A sample payload: one JSON object or an array of up to 500. */
export function decodeSamples(payload: Buffer): Sample[] | Rejection {
  const text = decodeText(payload);
  if (text instanceof Rejection) return text;
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    return new Rejection('malformed_json', (error as Error).message.slice(0, 200));
  }
  if (Array.isArray(document)) {
    if (document.length === 0) return new Rejection('empty_sample', 'empty array');
    if (document.length > MAX_SAMPLES_PER_MESSAGE) {
      return new Rejection('schema_violation', `array of ${document.length} samples, at most ${MAX_SAMPLES_PER_MESSAGE} allowed`);
    }
    return document as Sample[];
  }
  if (document === null || typeof document !== 'object') return new Rejection('schema_violation', 'payload must be a JSON object or an array of objects');
  return [document as Sample];
}

export function isSampleObject(value: unknown): value is Sample {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
