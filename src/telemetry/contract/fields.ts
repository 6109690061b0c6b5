import { Rejection } from './rejection';

/**
 * Field readers for the contract's common rules: numbers as JSON numbers or numeric strings,
 * booleans as true/false or "true"/"false", timestamps as RFC 3339 with offset or epoch ms.
 * Each returns undefined when the field is absent and throws a Rejection naming the field when
 * it is present but wrong.
 */
// Linear in the input: with `\d+\.?\d*` a long run of digits could split between the two
// `\d` in quadratically many ways before failing, and a 256 KiB payload stalled the ingest for minutes.
const NUMERIC_STRING = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

export type Sample = Record<string, unknown>;

function present(sample: Sample, field: string): boolean {
  return Object.prototype.hasOwnProperty.call(sample, field) && sample[field] !== null && sample[field] !== undefined;
}

function violation(field: string, expected: string, value: unknown): Rejection {
  return new Rejection('schema_violation', `${field}: expected ${expected}, got ${describe(value)}`);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object';
  return String(value);
}

export function readNumber(sample: Sample, field: string, range: { min?: number; max?: number } = {}): number | undefined {
  if (!present(sample, field)) return undefined;
  const raw = sample[field];
  let value: number;
  if (typeof raw === 'number') value = raw;
  else if (typeof raw === 'string' && NUMERIC_STRING.test(raw)) value = Number(raw);
  else throw violation(field, 'a number', raw);
  if (!Number.isFinite(value)) throw violation(field, 'a finite number', raw);
  const { min, max } = range;
  if ((min !== undefined && value < min) || (max !== undefined && value > max)) {
    const bounds = max === undefined ? `>= ${min}` : min === undefined ? `<= ${max}` : `${min}..${max}`;
    throw violation(field, `a number ${bounds}`, raw);
  }
  return value;
}

export function readInteger(sample: Sample, field: string, min: number, max: number): number | undefined {
  const value = readNumber(sample, field, { min, max });
  if (value !== undefined && !Number.isInteger(value)) throw violation(field, 'an integer', sample[field]);
  return value;
}

export function readBoolean(sample: Sample, field: string): boolean | undefined {
  if (!present(sample, field)) return undefined;
  const raw = sample[field];
  if (raw === true || raw === 'true') return true;
  if (raw === false || raw === 'false') return false;
  throw violation(field, 'true or false', raw);
}

export function readString(sample: Sample, field: string, minLength: number, maxLength: number): string | undefined {
  if (!present(sample, field)) return undefined;
  const raw = sample[field];
  // Identifiers such as OCPP transaction ids are often integers on the wire.
  const value = typeof raw === 'number' && Number.isSafeInteger(raw) ? String(raw) : raw;
  if (typeof value !== 'string' || value.length < minLength || value.length > maxLength) {
    throw violation(field, `a string of ${minLength}..${maxLength} characters`, raw);
  }
  // PostgreSQL text cannot hold NUL: refused here, not by the database, whose refusal makes the
  // ingest rewrite the whole batch message by message (slow enough to drop its connections).
  if (value.includes('\u0000')) throw violation(field, 'text without NUL characters', raw);
  return value;
}

export function readEnum<T extends string>(sample: Sample, field: string, allowed: readonly T[]): T | undefined {
  if (!present(sample, field)) return undefined;
  const raw = sample[field];
  if (typeof raw !== 'string' || !allowed.includes(raw as T)) throw violation(field, `one of ${allowed.join(', ')}`, raw);
  return raw as T;
}

export function required<T>(value: T | undefined, field: string): T {
  if (value === undefined) throw new Rejection('schema_violation', `${field}: required`);
  return value;
}

export interface TimeWindow {
  /** Server time the sample is judged against. */
  now: number;
  /** How far back samples are accepted (backfill horizon), ms. */
  horizonMs: number;
  /** How far ahead of the server clock a sample may be, ms. */
  futureToleranceMs: number;
}

/** The sample's `ts` as epoch ms, checked against the accepted window. */
export function readTimestamp(sample: Sample, window: TimeWindow): number {
  if (!present(sample, 'ts')) throw new Rejection('schema_violation', 'ts: required');
  const raw = sample.ts;
  let ms: number;
  if (typeof raw === 'string' && RFC3339.test(raw)) {
    const [, year, month, day, hour, minute, second] = RFC3339.exec(raw)!.map(Number);
    ms = Date.parse(raw.replace(' ', 'T'));
    // Date.parse rolls 2019-02-30 over to March; the contract wants a real calendar instant.
    const valid = month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month) && hour <= 23 && minute <= 59 && second <= 59;
    if (!valid || Number.isNaN(ms)) throw violation('ts', 'a valid RFC 3339 timestamp', raw);
  } else if (typeof raw === 'number' || (typeof raw === 'string' && /^\d{1,16}$/.test(raw))) {
    ms = Number(raw);
    if (!Number.isFinite(ms) || !Number.isInteger(ms) || ms < 0) throw violation('ts', 'epoch milliseconds', raw);
  } else {
    throw violation('ts', 'an RFC 3339 timestamp with offset or epoch milliseconds', raw);
  }
  if (ms > window.now + window.futureToleranceMs) {
    throw new Rejection('timestamp_in_future', `ts ${instant(ms)} is more than ${window.futureToleranceMs / 60000} min ahead of the server clock`);
  }
  if (ms < window.now - window.horizonMs) {
    throw new Rejection('timestamp_too_old', `ts ${instant(ms)} is older than the backfill horizon of ${Math.round(window.horizonMs / 86_400_000)} days`);
  }
  return ms;
}

/** An instant for a rejection's detail; 16-digit epoch ms reach beyond the years a Date can hold (toISOString would throw). */
function instant(ms: number): string {
  return Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : `${ms} ms`;
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
