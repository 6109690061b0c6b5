/**
 * Reading other publishers' values, which arrive as text as often as as JSON: numbers as `42`,
 * `"42.5"`, `"1e+06"` or Elixir's `"1.0e6"`, booleans as true/false, yes/no, on/off or 1/0
 * (docs/device-profiles.md, "Rules for every profile"). An empty value means "unknown" (a cleared
 * retained value), never 0 or false.
 *
 * Two kinds of reader, for the two kinds of decoder:
 * - JSON documents (OwnTracks, Teltonika) are decoded whole: `numberValue` / `booleanValue` answer
 *   null for unknown and throw UnreadableValue, which dead-letters the document with the field named.
 * - One-value-per-topic publishers (TeslaMate, OVMS, evcc) are assembled into a contract sample:
 *   `numberText` / `booleanText` answer undefined for unknown and leave unreadable text as text, so
 *   that the contract's own check names the field in the dead letter.
 */
import { MAX_PAYLOAD_BYTES } from '../contract/message';

export class UnreadableValue extends Error {}

// As the contract's NUMERIC_STRING: linear, so a long run of digits cannot stall the ingest.
const NUMBER_TEXT = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/;

const utf8 = new TextDecoder('utf-8', { fatal: false });

const isEmpty = (raw: unknown) => raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '');

function describe(raw: unknown): string {
  if (typeof raw === 'string') return JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}...` : raw);
  if (typeof raw === 'object') return Array.isArray(raw) ? 'an array' : 'an object';
  return String(raw);
}

/** A finite number, or null when the value is unknown. */
export function numberValue(name: string, raw: unknown): number | null {
  if (isEmpty(raw)) return null;
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' && NUMBER_TEXT.test(raw) ? Number(raw) : NaN;
  if (!Number.isFinite(value)) throw new UnreadableValue(`${name}: expected a number, got ${describe(raw)}`);
  return value;
}

const TRUE = new Set(['true', 'yes', '1', 'on']);
const FALSE = new Set(['false', 'no', '0', 'off']);

/** A boolean, or null when the value is unknown. */
export function booleanValue(name: string, raw: unknown): boolean | null {
  if (isEmpty(raw)) return null;
  if (typeof raw === 'boolean') return raw;
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim().toLowerCase() : undefined;
  if (text !== undefined && TRUE.has(text)) return true;
  if (text !== undefined && FALSE.has(text)) return false;
  throw new UnreadableValue(`${name}: expected true/false, yes/no or 1/0, got ${describe(raw)}`);
}

/** A one-value-per-topic payload's text, or undefined for an empty payload (unknown). */
export function textValue(payload: Buffer): string | undefined {
  const text = utf8.decode(payload).trim();
  return text === '' ? undefined : text;
}

/** A number from publisher text; undefined when unknown; other text unchanged, for the contract's check. */
export function numberText(text: string | undefined): number | string | undefined {
  if (isEmpty(text)) return undefined;
  return NUMBER_TEXT.test(text as string) ? Number(text) : text;
}

/** A boolean from publisher text; undefined when unknown; other text unchanged, for the contract's check. */
export function booleanText(text: string | undefined): boolean | string | undefined {
  if (isEmpty(text)) return undefined;
  const word = (text as string).trim().toLowerCase();
  return TRUE.has(word) ? true : FALSE.has(word) ? false : text;
}

/** Payload bytes parsed as a JSON object; a string explaining why not otherwise. */
export function jsonObject(payload: Buffer): Record<string, unknown> | string {
  if (payload.length > MAX_PAYLOAD_BYTES) return `${payload.length} bytes, at most ${MAX_PAYLOAD_BYTES} allowed`;
  let document: unknown;
  try {
    document = JSON.parse(payload.toString('utf8'));
  } catch (error) {
    return `malformed JSON: ${(error as Error).message.slice(0, 200)}`;
  }
  if (document === null || typeof document !== 'object' || Array.isArray(document)) return 'expected a JSON object';
  return document as Record<string, unknown>;
}

/** Sets `field` only when the value is known: an absent field is what "unknown" means in a contract sample. */
export function setKnown(body: Record<string, unknown>, field: string, value: unknown): void {
  if (value !== null && value !== undefined) body[field] = value;
}
