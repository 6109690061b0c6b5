/**
 * Hostile MQTT messages for the ingest fuzz run (`npm run bench:fuzz`, test/integration/ingest-fuzz.spec.ts),
 * each with what the telemetry contract says must become of it: the samples it stores (natural
 * keys) and the dead letters it leaves (reasons). The expectation comes from how a message is
 * built (a valid sample with one defect, a topic trick, a payload from the nasty corpus), never
 * from the service's decoder, so the run checks the decoder instead of repeating it. Random JSON
 * and random bytes are judged only with the platform's own UTF-8 and JSON parsers.
 */
import fc from 'fast-check';
import { RejectionReason } from '../../../src/telemetry/contract/rejection';
import { OCPP_ERROR_CODES, OCPP_STATUSES } from '../../../src/telemetry/contract/samples';

export type RawTable = 'vehicle_samples' | 'charge_point_status' | 'charge_point_meter' | 'charge_point_transactions';

/** A sample's natural key (telemetry contract, "Duplicates"); vehicles have no connector. */
export interface SampleKey {
  table: RawTable;
  deviceId: string;
  ts: number;
  connectorId: number | null;
}

/**
 * Where a message goes: to the service, nowhere (a topic outside the service's subscription) or
 * nowhere because the broker refuses it (wildcards or invalid UTF-8 in the topic, a payload over
 * the broker's message_size_limit). Only `service` messages can leave rows or dead letters.
 */
export type Route = 'service' | 'outside_subscription' | 'refused_by_broker';

export interface FuzzMessage {
  /** Which generator made it, for the summary. */
  label: string;
  /** A Buffer only for topics that are not valid UTF-8. */
  topic: string | Buffer;
  payload: Buffer;
  qos: 1 | 2;
  route: Route;
  /** Samples it must store (none for a re-sent duplicate: the first copy stored them). */
  stored: SampleKey[];
  /** Dead letters it must leave, one per reason listed. */
  deadLetters: RejectionReason[];
  /** Per dead letter: its sample's index in an array of two or more, null when it is about the whole message. */
  deadLetterIndexes: Array<number | null>;
}

/** The registry and clock the messages are made for. */
export interface FuzzContext {
  topicRoot: string;
  vehicles: string[];
  chargePoints: string[];
  /** Registered as both a vehicle and a charge point. */
  dualDevice: string;
  /** How far back the service accepts samples (BACKFILL_HORIZON_DAYS), ms. */
  horizonMs: number;
  /** A sample time no other sample of the run has: valid, and spread over the accepted window. */
  nextTs(): number;
}

// ---------------------------------------------------------------------------------------------
// JSON written by hand, so that payloads can hold what JSON.stringify cannot write: 1e309,
// duplicate keys, own "__proto__" keys.

export class RawJson {
  constructor(readonly text: string) {}
}
export class JsonObject {
  constructor(readonly entries: Array<[string, JsonValue]>) {}
}
export type JsonValue = null | boolean | number | string | RawJson | JsonObject | JsonValue[];

export function toJson(value: JsonValue): string {
  if (value instanceof RawJson) return value.text;
  if (value instanceof JsonObject) return `{${value.entries.map(([key, v]) => `${JSON.stringify(key)}:${toJson(v)}`).join(',')}}`;
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  return JSON.stringify(value);
}

const deepArrays = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const deepObjects = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

// ---------------------------------------------------------------------------------------------
// The contract's fields, per stream

type FieldSpec = { type: 'number'; min: number; max?: number } | { type: 'integer'; min: number; max: number } | { type: 'boolean' } | { type: 'enum'; values: readonly string[] } | { type: 'string' };

type SampleStream = 'telemetry' | 'status' | 'meter' | 'transaction';

interface StreamSpec {
  table: RawTable;
  family: 'vehicles' | 'chargepoints';
  fields: Record<string, FieldSpec>;
  /** Required besides ts. */
  required: string[];
  /** At least one of these, or the sample is empty (empty_sample). */
  oneOf: string[];
}

const counter = { type: 'number', min: 0 } as const;
const percent = { type: 'number', min: 0, max: 100 } as const;
const connector = { type: 'integer', min: 0, max: 1000 } as const;

const STREAMS: Record<SampleStream, StreamSpec> = {
  telemetry: {
    table: 'vehicle_samples',
    family: 'vehicles',
    fields: {
      odometerKm: counter,
      speedKmh: { type: 'number', min: 0, max: 250 },
      lat: { type: 'number', min: -90, max: 90 },
      lon: { type: 'number', min: -180, max: 180 },
      ignition: { type: 'boolean' },
      socPct: percent,
      energyConsumedKwh: counter,
      energyChargedKwh: counter,
      fuelUsedL: counter,
      gasUsedKg: counter,
      fuelLevelPct: percent,
      charging: { type: 'boolean' },
    },
    required: [],
    oneOf: ['odometerKm', 'speedKmh', 'ignition', 'socPct', 'energyConsumedKwh', 'energyChargedKwh', 'fuelUsedL', 'gasUsedKg', 'fuelLevelPct', 'charging'],
  },
  status: {
    table: 'charge_point_status',
    family: 'chargepoints',
    fields: { connectorId: connector, status: { type: 'enum', values: OCPP_STATUSES }, errorCode: { type: 'enum', values: OCPP_ERROR_CODES } },
    required: ['connectorId', 'status'],
    oneOf: [],
  },
  meter: {
    table: 'charge_point_meter',
    family: 'chargepoints',
    fields: { connectorId: connector, energyWh: counter, powerW: counter, transactionId: { type: 'string' } },
    required: ['connectorId'],
    oneOf: ['energyWh', 'powerW'],
  },
  transaction: {
    table: 'charge_point_transactions',
    family: 'chargepoints',
    fields: {
      event: { type: 'enum', values: ['start', 'stop'] },
      connectorId: connector,
      transactionId: { type: 'string' },
      meterWh: counter,
      idTag: { type: 'string' },
      reason: { type: 'string' },
    },
    required: ['event', 'connectorId', 'transactionId', 'meterWh'],
    oneOf: [],
  },
};
const SAMPLE_STREAMS = Object.keys(STREAMS) as SampleStream[];
const KNOWN_FIELDS = new Set(['ts', ...SAMPLE_STREAMS.flatMap((stream) => Object.keys(STREAMS[stream].fields))]);

// ---------------------------------------------------------------------------------------------
// Values

const numberText = (value: number) => JSON.stringify(value);

function validValue(spec: FieldSpec): fc.Arbitrary<JsonValue> {
  switch (spec.type) {
    case 'number': {
      const value = fc.double({ min: spec.min, max: spec.max ?? Number.MAX_VALUE, noNaN: true, noDefaultInfinity: true });
      // Numbers may come as JSON numbers or numeric strings, spaces around allowed.
      return fc.oneof(
        value,
        value.map((v) => numberText(v)),
        value.map((v) => ` ${numberText(v)} `),
      );
    }
    case 'integer': {
      const value = fc.integer({ min: spec.min, max: spec.max });
      return fc.oneof(
        value,
        value.map(String),
        value.map((v) => `${v}.0`),
        value.map((v) => numberText(v) + 'e0'),
      );
    }
    case 'boolean':
      return fc.constantFrom(true, false, 'true', 'false');
    case 'enum':
      return fc.constantFrom(...spec.values);
    case 'string':
      // Any text of 1..64 UTF-16 units but NUL (refused: PostgreSQL text cannot hold it); integers are accepted as identifiers.
      return fc.oneof(
        fc.string({ unit: 'binary', minLength: 1, maxLength: 64 }).filter((s) => s.length <= 64 && !s.includes('\u0000')),
        fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }),
      );
  }
}

/** Values the field must refuse with schema_violation. `null` is not among them: it means "absent". */
function wrongValue(spec: FieldSpec): fc.Arbitrary<JsonValue> {
  const notNumbers = fc.constantFrom<JsonValue>('', ' ', 'abc', '12abc', '0x10', '1_000', '1,5', '--1', 'NaN', 'Infinity', '-Infinity', '١٢', true, false, [], [1], new JsonObject([]));
  const infinite = fc.constantFrom<JsonValue>(new RawJson('1e309'), new RawJson('-1e309'), '1e309', '-1e400');
  switch (spec.type) {
    case 'number': {
      // fast-check orders -0 below 0; JavaScript does not.
      const below = fc.double({ max: spec.min, maxExcluded: true, noNaN: true, noDefaultInfinity: true }).filter((v) => v < spec.min);
      const max = spec.max;
      const outOfRange =
        max === undefined
          ? below
          : fc.oneof(
              below,
              fc.double({ min: max, minExcluded: true, noNaN: true, noDefaultInfinity: true }).filter((v) => v > max),
            );
      return fc.oneof(notNumbers, infinite, outOfRange, outOfRange.map(numberText));
    }
    case 'integer':
      return fc.oneof(
        notNumbers,
        infinite,
        fc.constantFrom<JsonValue>(-1, 1001, 1e20, 1.5, '2.5', '-1'),
        fc.double({ min: 0.01, max: 999.99, noNaN: true }).filter((v) => !Number.isInteger(v)),
      );
    case 'boolean':
      return fc.constantFrom<JsonValue>(0, 1, 'TRUE', 'False', 'yes', '1', '', [], new JsonObject([]));
    case 'enum':
      return fc.oneof(
        fc.constantFrom<JsonValue>('', 0, true, [], new JsonObject([])),
        fc.constantFrom(...spec.values).map((v) => (v.toLowerCase() === v ? v.toUpperCase() : v.toLowerCase())),
        fc.constantFrom(...spec.values).map((v) => `${v} `),
      );
    case 'string':
      return fc.oneof(fc.constantFrom<JsonValue>('', true, [], new JsonObject([]), 1.5, 2 ** 60, new RawJson('1e309'), 'a\u0000b', '\u0000'), fc.string({ minLength: 65, maxLength: 200 }));
  }
}

/** Keys the contract does not know, the nastier the better; ignored by the service (a metric). */
const extraKey = fc
  .oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'valueOf', '', ' ts', 'TS', 'speedkmh'), fc.string({ unit: 'binary', maxLength: 20 }))
  .filter((key) => !KNOWN_FIELDS.has(key));

const smallJson: fc.Arbitrary<JsonValue> = fc.jsonValue({ maxDepth: 3 }).map((value) => value as JsonValue);
const extraValue = fc.oneof(
  { weight: 6, arbitrary: smallJson },
  { weight: 1, arbitrary: fc.integer({ min: 10, max: 5000 }).map((depth) => new RawJson(deepArrays(depth))) },
  { weight: 1, arbitrary: fc.integer({ min: 10, max: 5000 }).map((depth) => new RawJson(deepObjects(depth))) },
  { weight: 1, arbitrary: fc.constantFrom(new RawJson('1e309'), new JsonObject([['__proto__', new JsonObject([['speedKmh', 300]])]])) },
);
const extras = fc.array(fc.tuple(extraKey, extraValue), { maxLength: 3 });

// ---------------------------------------------------------------------------------------------
// Timestamps

type TsForm = 'number' | 'digits' | 'utc' | 'offset' | 'lower' | 'space';

/** ms as the contract allows it: epoch ms (number or digits) or RFC 3339 with an offset. */
function tsText(ms: number, form: TsForm, offsetMinutes: number): JsonValue {
  if (form === 'number') return ms;
  if (form === 'digits') return String(ms);
  const iso = new Date(ms).toISOString();
  if (form === 'utc') return iso;
  if (form === 'lower') return iso.replace('T', 't').replace('Z', 'z');
  if (form === 'space') return iso.replace('T', ' ');
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, -1);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
const tsForm = fc.constantFrom<TsForm>('number', 'digits', 'utc', 'offset', 'lower', 'space');
const offsetMinutes = fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 });

const DAY_MS = 86_400_000;
type TsDefect = { reason: RejectionReason; value: (ctx: FuzzContext, now: number) => JsonValue };
const MAX_DATE_MS = 8.64e15;

const tsDefect: fc.Arbitrary<TsDefect> = fc.oneof(
  // More than 5 minutes ahead (an hour at least: the message may wait in the broker), up to a
  // thousand years; and 16-digit epoch ms, beyond the last instant a JavaScript Date holds.
  fc.tuple(fc.integer({ min: 3_600_000, max: 1000 * 365 * DAY_MS }), fc.constantFrom<TsForm>('number', 'digits', 'utc')).map(([ahead, form]): TsDefect => ({
    reason: 'timestamp_in_future',
    value: (_ctx, now) => tsText(now + ahead, form, 0),
  })),
  // eslint-disable-next-line no-loss-of-precision -- the 16 digits a device sends; they parse to 1e16, as from JSON
  fc.constantFrom<JsonValue>(MAX_DATE_MS + 1, '9999999999999999', 9_999_999_999_999_999).map((value): TsDefect => ({ reason: 'timestamp_in_future', value: () => value })),
  // Back to the first century: RFC 3339 has four-digit years.
  fc.tuple(fc.integer({ min: 1, max: 700_000 }), fc.constantFrom<TsForm>('number', 'digits', 'utc', 'offset')).map(([daysOlder, form]): TsDefect => ({
    reason: 'timestamp_too_old',
    // Before 1970 only as RFC 3339: epoch ms below 0 are a schema violation.
    value: (ctx, now) => {
      const ms = now - ctx.horizonMs - daysOlder * DAY_MS;
      return tsText(ms, ms < 0 ? 'utc' : form, 90);
    },
  })),
  fc
    .constantFrom<JsonValue>(
      '2019-03-04T07:15:02',
      '2019-02-30T00:00:00Z',
      '2019-13-01T00:00:00Z',
      '2019-03-04T24:00:00Z',
      '2019-03-04T07:60:02Z',
      '2016-12-31T23:59:60Z',
      '04.03.2019 07:15',
      'yesterday',
      '',
      '12345678901234567',
      '1e12',
      -1,
      1.5,
      true,
      [],
      new JsonObject([]),
      new RawJson('1e309'),
    )
    .map((value): TsDefect => ({ reason: 'schema_violation', value: () => value })),
);

// ---------------------------------------------------------------------------------------------
// Samples

interface SampleDraft {
  entries: Array<[string, JsonValue]>;
  /** An array element that is not an object at all (then `entries` is empty). */
  notAnObject?: JsonValue;
  /** The key it is stored under, or the dead letter it must leave. */
  outcome: { stored: SampleKey } | { rejected: RejectionReason };
}
type Build<T> = (ctx: FuzzContext, deviceId: string, now: number) => T;

function validSample(stream: SampleStream): fc.Arbitrary<Build<SampleDraft>> {
  const spec = STREAMS[stream];
  const optional = Object.keys(spec.fields).filter((field) => !spec.required.includes(field) && field !== 'lat' && field !== 'lon');
  return fc
    .record({
      form: tsForm,
      offset: offsetMinutes,
      required: fc.tuple(...spec.required.map((field) => validValue(spec.fields[field]))),
      optional: fc.tuple(...optional.map((field) => fc.option(validValue(spec.fields[field]), { nil: undefined }))),
      forced: spec.oneOf.length ? fc.constantFrom(...spec.oneOf).chain((field) => validValue(spec.fields[field]).map((value): [string, JsonValue] => [field, value])) : fc.constant(undefined),
      position: stream === 'telemetry' ? fc.option(fc.tuple(validValue(spec.fields.lat), validValue(spec.fields.lon)), { nil: undefined }) : fc.constant(undefined),
      extras,
    })
    .map((plan) => (ctx, deviceId) => {
      const ts = ctx.nextTs();
      const entries: Array<[string, JsonValue]> = [['ts', tsText(ts, plan.form, plan.offset)]];
      spec.required.forEach((field, i) => entries.push([field, plan.required[i]]));
      optional.forEach((field, i) => plan.optional[i] !== undefined && entries.push([field, plan.optional[i]!]));
      // At least one field that makes the sample non-empty; the last one written wins in JSON.
      if (plan.forced && !entries.some(([field]) => spec.oneOf.includes(field))) entries.push(plan.forced);
      if (plan.position) entries.push(['lat', plan.position[0]], ['lon', plan.position[1]]);
      entries.push(...plan.extras);
      const connectorId = stream === 'telemetry' ? null : Number(toJsonNumber(entries.find(([field]) => field === 'connectorId')![1]));
      return { entries, outcome: { stored: { table: spec.table, deviceId, ts, connectorId } } };
    });
}

/** The number a valid numeric field holds (a JSON number or a numeric string). */
function toJsonNumber(value: JsonValue): number {
  return typeof value === 'number' ? value : Number(value);
}

/** A valid sample with one defect; the defect decides the reason. */
function badSample(stream: SampleStream): fc.Arbitrary<Build<SampleDraft>> {
  const spec = STREAMS[stream];
  const fields = Object.keys(spec.fields);
  const withDefect = (defect: (entries: Array<[string, JsonValue]>, ctx: FuzzContext, now: number) => RejectionReason) =>
    validSample(stream).map((build): Build<SampleDraft> => (ctx, deviceId, now) => {
      const { entries } = build(ctx, deviceId, now);
      return { entries, outcome: { rejected: defect(entries, ctx, now) } };
    });
  const set = (entries: Array<[string, JsonValue]>, field: string, value: JsonValue) => {
    const at = entries.findIndex(([key]) => key === field);
    if (at >= 0) entries[at] = [field, value];
    else entries.push([field, value]);
  };
  const defects: Array<fc.Arbitrary<Build<SampleDraft>>> = [
    // Wrong values in one to three fields.
    fc
      .array(
        fc.constantFrom(...fields).chain((field) => wrongValue(spec.fields[field]).map((value) => [field, value] as const)),
        { minLength: 1, maxLength: 3 },
      )
      .chain((wrongs) =>
        withDefect((entries) => {
          for (const [field, value] of wrongs) set(entries, field, value);
          return 'schema_violation';
        }),
      ),
    tsDefect.chain((defect) =>
      withDefect((entries, ctx, now) => {
        set(entries, 'ts', defect.value(ctx, now));
        return defect.reason;
      }),
    ),
    // A required field missing, or null (which means absent).
    fc.tuple(fc.constantFrom('ts', ...spec.required), fc.boolean()).chain(([field, asNull]) =>
      withDefect((entries) => {
        const at = entries.findIndex(([key]) => key === field);
        if (asNull) entries[at] = [field, null];
        else entries.splice(at, 1);
        return 'schema_violation';
      }),
    ),
  ];
  if (stream === 'telemetry') {
    defects.push(
      fc.tuple(fc.constantFrom('lat', 'lon'), validValue(spec.fields.lat)).chain(([field, value]) =>
        withDefect((entries) => {
          for (let i = entries.length - 1; i >= 0; i--) if (entries[i][0] === 'lat' || entries[i][0] === 'lon') entries.splice(i, 1);
          entries.push([field, value]);
          return 'schema_violation';
        }),
      ),
    );
  }
  if (spec.oneOf.length) {
    // Nothing but the required fields (and unknown ones, or nulls): empty.
    defects.push(
      fc.boolean().chain((withNulls) =>
        withDefect((entries) => {
          for (let i = entries.length - 1; i >= 0; i--) {
            const [key] = entries[i];
            if (key in spec.fields && !spec.required.includes(key)) entries.splice(i, 1);
          }
          if (withNulls) entries.push(...spec.oneOf.map((field): [string, JsonValue] => [field, null]));
          return 'empty_sample';
        }),
      ),
    );
  }
  return fc.oneof(...defects);
}

// ---------------------------------------------------------------------------------------------
// Messages

type MessageBuild = (ctx: FuzzContext) => FuzzMessage | undefined;

const pick = <T>(items: T[], index: number) => items[index % items.length];
const sampleTopic = (ctx: FuzzContext, stream: SampleStream, deviceId: string) => `${ctx.topicRoot}/v1/${STREAMS[stream].family}/${deviceId}/${stream}`;
const devicesOf = (ctx: FuzzContext, stream: SampleStream) => [...(STREAMS[stream].family === 'vehicles' ? ctx.vehicles : ctx.chargePoints), ctx.dualDevice];
const qos = fc.constantFrom<1 | 2>(1, 1, 1, 2);

function message(label: string, topic: string | Buffer, payload: string | Buffer, drafts: SampleDraft[], extra: Partial<FuzzMessage> = {}): FuzzMessage {
  return {
    label,
    topic,
    payload: Buffer.isBuffer(payload) ? payload : Buffer.from(payload, 'utf8'),
    qos: 1,
    route: 'service',
    stored: drafts.flatMap((draft) => ('stored' in draft.outcome ? [draft.outcome.stored] : [])),
    deadLetters: drafts.flatMap((draft) => ('rejected' in draft.outcome ? [draft.outcome.rejected] : [])),
    deadLetterIndexes: drafts.flatMap((draft, index) => ('rejected' in draft.outcome ? [drafts.length > 1 ? index : null] : [])),
    ...extra,
  };
}

/** A message that stores nothing and leaves these dead letters. */
function rejected(label: string, topic: string, payload: string | Buffer, reasons: RejectionReason[]): FuzzMessage {
  // A message leaves one dead letter as a whole; several are its array's samples, in order.
  return { ...message(label, topic, payload, []), deadLetters: reasons, deadLetterIndexes: reasons.map((_, i) => (reasons.length > 1 ? i : null)) };
}

const sampleJson = (draft: SampleDraft) => toJson(draft.notAnObject !== undefined ? draft.notAnObject : new JsonObject(draft.entries));
const MAX_PAYLOAD_BYTES = 256 * 1024;

/** One sample or an array of samples, valid or not, to a registered device of the stream. */
function samplesMessage(label: string, sample: (stream: SampleStream) => fc.Arbitrary<Build<SampleDraft>>, count: { min: number; max: number }): fc.Arbitrary<MessageBuild> {
  return fc.constantFrom(...SAMPLE_STREAMS).chain((stream) =>
    fc.record({ device: fc.nat(), qos, samples: fc.array(sample(stream), { minLength: count.min, maxLength: count.max }), asArray: fc.boolean() }).map((plan) => (ctx: FuzzContext) => {
      const deviceId = pick(devicesOf(ctx, stream), plan.device);
      const now = Date.now();
      const drafts = plan.samples.map((build) => build(ctx, deviceId, now));
      const payload = drafts.length === 1 && !plan.asArray ? sampleJson(drafts[0]) : `[${drafts.map(sampleJson).join(',')}]`;
      const topic = sampleTopic(ctx, stream, deviceId);
      // Long unknown fields can take a message over the limit: then it is refused whole.
      if (Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES) return rejected(`${label} ${stream}, too large`, topic, payload, ['payload_too_large']);
      return message(`${label} ${stream}`, topic, payload, drafts, { qos: plan.qos });
    }),
  );
}

const mixedSample = (stream: SampleStream) =>
  fc.oneof(
    validSample(stream),
    badSample(stream),
    // Array elements that are not samples at all.
    fc
      .oneof(
        smallJson.filter((value) => value === null || typeof value !== 'object' || Array.isArray(value)),
        fc.integer({ min: 2, max: 3000 }).map((depth) => new RawJson(deepArrays(depth))),
      )
      .map((value): Build<SampleDraft> => () => ({ entries: [], notAnObject: value, outcome: { rejected: 'schema_violation' } })),
  );

/** Dead letters a parsed document must leave when its top-level objects have no `ts`; undefined when that cannot be told without the service's rules. */
function documentReasons(document: unknown): RejectionReason[] | undefined {
  const isObject = (value: unknown) => value !== null && typeof value === 'object' && !Array.isArray(value);
  const hasTs = (value: unknown) => isObject(value) && Object.prototype.hasOwnProperty.call(value, 'ts');
  if (Array.isArray(document)) {
    if (document.length === 0) return ['empty_sample'];
    if (document.length > 500) return ['schema_violation'];
    return document.some(hasTs) ? undefined : document.map(() => 'schema_violation');
  }
  return hasTs(document) ? undefined : ['schema_violation'];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** What the contract makes of arbitrary payload bytes on a sample topic, by the platform's UTF-8 and JSON parsers. */
function bytesReasons(payload: Buffer): RejectionReason[] | undefined {
  if (payload.length > MAX_PAYLOAD_BYTES) return ['payload_too_large'];
  let text: string;
  try {
    text = utf8.decode(payload);
  } catch {
    return ['malformed_json'];
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return ['malformed_json'];
  }
  return documentReasons(document);
}

function randomPayloadMessage(label: string, payload: fc.Arbitrary<Buffer>): fc.Arbitrary<MessageBuild> {
  return fc.tuple(fc.constantFrom(...SAMPLE_STREAMS), fc.nat(), payload).map(([stream, device, bytes]) => (ctx: FuzzContext) => {
    const reasons = bytesReasons(bytes);
    if (!reasons) return undefined;
    const deviceId = pick(devicesOf(ctx, stream), device);
    return rejected(`${label} ${stream}`, sampleTopic(ctx, stream, deviceId), bytes, reasons);
  });
}

const randomJson = randomPayloadMessage(
  'random JSON',
  fc.jsonValue({ maxDepth: 6 }).map((value) => Buffer.from(JSON.stringify(value), 'utf8')),
);
const randomBytes = randomPayloadMessage(
  'random bytes',
  fc.oneof(
    fc.uint8Array({ maxLength: 2000 }).map((bytes) => Buffer.from(bytes)),
    // Valid JSON with one byte changed: mostly invalid UTF-8 or broken JSON.
    fc.tuple(fc.jsonValue({ maxDepth: 3 }), fc.nat(), fc.integer({ min: 0, max: 255 })).map(([value, at, byte]) => {
      const bytes = Buffer.from(JSON.stringify(value), 'utf8');
      bytes[at % bytes.length] = byte;
      return bytes;
    }),
  ),
);

const connectionMessage: fc.Arbitrary<MessageBuild> = fc
  .record({
    family: fc.constantFrom('vehicles', 'chargepoints'),
    device: fc.nat(),
    payload: fc.oneof(
      fc.constantFrom('online', 'offline', '"online"', ' offline\n', 'ONLINE', '{"state":"online"}').map((text) => ({ text, reasons: [] as RejectionReason[] })),
      fc.constantFrom('maybe', '', '{"state":"up"}', '{"state":"online","ts":"now"}', '1', 'on line', 'online!').map((text) => ({ text, reasons: ['schema_violation'] as RejectionReason[] })),
      fc
        .string({ unit: 'binary', maxLength: 100 })
        .filter((text) => !/online|offline/i.test(text))
        .map((text) => ({ text, reasons: ['schema_violation'] as RejectionReason[] })),
    ),
    invalidUtf8: fc.boolean(),
  })
  .map((plan) => (ctx: FuzzContext) => {
    const deviceId = pick(plan.family === 'vehicles' ? ctx.vehicles : ctx.chargePoints, plan.device);
    const topic = `${ctx.topicRoot}/v1/${plan.family}/${deviceId}/connection`;
    if (plan.invalidUtf8) return rejected('connection, invalid UTF-8', topic, Buffer.from([0x6f, 0x6e, 0xff, 0xfe]), ['malformed_json']);
    return rejected('connection', topic, plan.payload.text, plan.payload.reasons);
  });

/** Any payload at all: a topic defect is decided before the payload is read. */
const anyPayload = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value)),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
);

const deviceIdLike = fc.stringMatching(/^[A-Za-z0-9._-]{1,64}$/);

const topicTricks: fc.Arbitrary<MessageBuild> = fc.oneof(
  // Well-formed device ids that are not registered, prototype names among them.
  fc.tuple(fc.oneof(fc.constantFrom('__proto__', 'hasOwnProperty', 'toString', '..', '.', '-'), deviceIdLike), fc.constantFrom(...SAMPLE_STREAMS), anyPayload).map(
    ([deviceId, stream, payload]) =>
      (ctx: FuzzContext) =>
        [...ctx.vehicles, ...ctx.chargePoints, ctx.dualDevice].includes(deviceId) ? undefined : rejected('unknown device', sampleTopic(ctx, stream, deviceId), payload, ['unknown_device']),
  ),
  // A vehicle's id on a charge point's topic and the other way round.
  fc.tuple(fc.nat(), fc.constantFrom<SampleStream>('status', 'meter', 'transaction'), fc.boolean(), anyPayload).map(([device, cpStream, vehicleOnCp, payload]) => (ctx: FuzzContext) => {
    const topic = vehicleOnCp ? sampleTopic(ctx, cpStream, pick(ctx.vehicles, device)) : sampleTopic(ctx, 'telemetry', pick(ctx.chargePoints, device));
    return rejected('device kind mismatch', topic, payload, ['device_kind_mismatch']);
  }),
  // Topics under the root that the contract does not have.
  fc
    .tuple(
      fc.nat(),
      fc.constantFrom(
        (root: string, id: string) => `${root}/v1/vehicles/${id}/telemetry/extra`,
        (root: string, id: string) => `${root}/v1/vehicles/${id}`,
        (root: string, id: string) => `${root}/v1/vehicles/${id}/status`,
        (root: string, id: string) => `${root}/v1/chargepoints/${id}/telemetry`,
        (root: string, id: string) => `${root}/v1/trucks/${id}/telemetry`,
        (root: string, id: string) => `${root}/v1//${id}/telemetry`,
        (root: string, id: string) => `${root}/v1/vehicles//telemetry/${id}`,
        (root: string) => `${root}/v1`,
        (root: string) => `${root}/v1/`,
        (root: string, id: string) => `${root}/v1/vehicles/${id} /telemetry`,
        (root: string, id: string) => `${root}/v1/vehicles/${id}é/telemetry`,
        (root: string, id: string) => `${root}/v1/vehicles/${id}%2F/telemetry`,
        (root: string) => `${root}/v1/vehicles/${'x'.repeat(65)}/telemetry`,
        (root: string) => `${root}/v1/vehicles/${'x'.repeat(60_000)}/telemetry`,
        // 200 '/', the most Mosquitto takes (see the refused topics below).
        (root: string) => `${root}/v1/${'level/'.repeat(198)}telemetry`,
      ),
      anyPayload,
    )
    .map(
      ([device, topicOf, payload]) =>
        (ctx: FuzzContext) =>
          rejected('unknown topic', topicOf(ctx.topicRoot, pick(ctx.vehicles, device)), payload, ['unknown_topic']),
    ),
  // Topics outside the service's subscription: never delivered to it.
  fc
    .tuple(
      fc.nat(),
      fc.constantFrom(
        (root: string, id: string) => `${root}/v2/vehicles/${id}/telemetry`,
        (root: string, id: string) => `${root.toUpperCase()}/v1/vehicles/${id}/telemetry`,
        (root: string, id: string) => `${root}x/v1/vehicles/${id}/telemetry`,
        (root: string, id: string) => `/${root}/v1/vehicles/${id}/telemetry`,
        (_root: string, id: string) => `v1/vehicles/${id}/telemetry`,
      ),
    )
    .map(([device, topicOf]) => (ctx: FuzzContext) => {
      const deviceId = pick(ctx.vehicles, device);
      return message('outside the subscription', topicOf(ctx.topicRoot, deviceId), JSON.stringify({ ts: ctx.nextTs(), speedKmh: 1 }), [], { route: 'outside_subscription' });
    }),
  // Topics the broker refuses: wildcards in the device id, NUL, invalid UTF-8, more than 200 '/'
  // (Mosquitto's TOPIC_HIERARCHY_LIMIT).
  fc.tuple(fc.nat(), fc.constantFrom('+', '#', 'a+b', 'a#', '\u0000', 'bad\u0000id', 'utf8', 'levels')).map(([device, trick]) => (ctx: FuzzContext) => {
    const prefix = `${ctx.topicRoot}/v1/vehicles/`;
    const topic =
      trick === 'utf8'
        ? Buffer.concat([Buffer.from(`${prefix}${pick(ctx.vehicles, device)}`), Buffer.from([0xc3, 0x28]), Buffer.from('/telemetry')])
        : trick === 'levels'
          ? `${prefix}${'level/'.repeat(9000)}telemetry`
          : `${prefix}${trick}/telemetry`;
    return message('topic refused by the broker', topic, JSON.stringify({ ts: ctx.nextTs(), speedKmh: 1 }), [], { route: 'refused_by_broker' });
  }),
);

/** Hand-made payloads at the edges of the contract and of the parsers, on a registered vehicle's topic. */
const KIB = 1024;
const storedAt = (deviceId: string, ts: number): SampleDraft => ({ entries: [], outcome: { stored: { table: 'vehicle_samples', deviceId, ts, connectorId: null } } });
const nastyCorpus: fc.Arbitrary<MessageBuild> = fc.tuple(fc.nat(), fc.nat()).chain(([device, variant]) =>
  fc
    .constantFrom<(ctx: FuzzContext, deviceId: string) => FuzzMessage>(
      // At the size limit and one byte over it.
      (ctx, deviceId) => {
        const ts = ctx.nextTs();
        const body = (size: number) => {
          const head = `{"ts":${ts},"speedKmh":10,"padding":"`;
          return `${head}${'x'.repeat(size - head.length - 2)}"}`;
        };
        return variant % 2
          ? message('exactly 256 KiB', sampleTopic(ctx, 'telemetry', deviceId), body(256 * KIB), [storedAt(deviceId, ts)])
          : rejected('256 KiB + 1', sampleTopic(ctx, 'telemetry', deviceId), body(256 * KIB + 1), ['payload_too_large']);
      },
      (ctx, deviceId) => message('over the broker limit', sampleTopic(ctx, 'telemetry', deviceId), Buffer.alloc(1024 * KIB + 1, 0x20), [], { route: 'refused_by_broker' }),
      // Nesting as deep as 256 KiB allows, as the payload, in a sample array and in a valid sample's unknown field.
      (ctx, deviceId) => rejected('deep arrays', sampleTopic(ctx, 'telemetry', deviceId), deepArrays(100_000 + (variant % 31_000)), ['schema_violation']),
      (ctx, deviceId) => rejected('deep objects', sampleTopic(ctx, 'telemetry', deviceId), deepObjects(40_000), ['schema_violation']),
      (ctx, deviceId) => {
        const ts = ctx.nextTs();
        const payload = `[{"ts":${ts},"odometerKm":1},${deepArrays(50_000)}]`;
        return message('deep array in a sample array', sampleTopic(ctx, 'telemetry', deviceId), payload, [storedAt(deviceId, ts), { entries: [], outcome: { rejected: 'schema_violation' } }]);
      },
      (ctx, deviceId) => {
        const ts = ctx.nextTs();
        return message('deep unknown field', sampleTopic(ctx, 'telemetry', deviceId), `{"ts":${ts},"socPct":50,"x":${deepArrays(50_000)}}`, [storedAt(deviceId, ts)]);
      },
      // Numbers: beyond double, the largest double, and a long numeric-looking string.
      (ctx, deviceId) => rejected('1e309', sampleTopic(ctx, 'telemetry', deviceId), `{"ts":${ctx.nextTs()},"odometerKm":1e309}`, ['schema_violation']),
      (ctx, deviceId) => {
        const ts = ctx.nextTs();
        return message('largest double', sampleTopic(ctx, 'telemetry', deviceId), `{"ts":${ts},"odometerKm":1.7976931348623157e308}`, [storedAt(deviceId, ts)]);
      },
      (ctx, deviceId) =>
        rejected('long numeric string', sampleTopic(ctx, 'telemetry', deviceId), `{"ts":${ctx.nextTs()},"odometerKm":"${'1'.repeat(100_000 + (variant % 100_000))}x"}`, ['schema_violation']),
      // Prototype keys that must neither pollute nor count as fields.
      (ctx, deviceId) => {
        const ts = ctx.nextTs();
        const payload = `{"__proto__":{"speedKmh":300,"ts":1},"constructor":{"prototype":{"socPct":1}},"ts":${ts},"ignition":true}`;
        return message('__proto__ and constructor keys', sampleTopic(ctx, 'telemetry', deviceId), payload, [storedAt(deviceId, ts)]);
      },
      (ctx, deviceId) => rejected('only __proto__ fields', sampleTopic(ctx, 'telemetry', deviceId), `{"ts":${ctx.nextTs()},"__proto__":{"speedKmh":5}}`, ['empty_sample']),
      // Duplicate keys: the last one counts.
      (ctx, deviceId) => rejected('duplicate keys', sampleTopic(ctx, 'telemetry', deviceId), `{"ts":${ctx.nextTs()},"speedKmh":5,"speedKmh":"fast"}`, ['schema_violation']),
      // Broken encodings and broken JSON.
      (ctx, deviceId) => rejected('empty payload', sampleTopic(ctx, 'telemetry', deviceId), '', ['malformed_json']),
      (ctx, deviceId) => rejected('trailing garbage', sampleTopic(ctx, 'telemetry', deviceId), `{"ts":${ctx.nextTs()},"speedKmh":5}x`, ['malformed_json']),
      (ctx, deviceId) => {
        const bytes = [Buffer.from([0xff]), Buffer.from([0xc0, 0xaf]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xe2, 0x82]), Buffer.from([0x00])][variant % 5];
        const payload = Buffer.concat([Buffer.from(`{"ts":${ctx.nextTs()},"speedKmh":5,"note":"`), bytes, Buffer.from('"}')]);
        return rejected('invalid UTF-8 or NUL in a string', sampleTopic(ctx, 'telemetry', deviceId), payload, ['malformed_json']);
      },
      // Array sizes at and beyond the contract's 500.
      (ctx, deviceId) => {
        const samples = Array.from({ length: 500 }, () => ctx.nextTs());
        const payload = `[${samples.map((ts) => `{"ts":${ts},"speedKmh":1}`).join(',')}]`;
        return message(
          '500 samples',
          sampleTopic(ctx, 'telemetry', deviceId),
          payload,
          samples.map((ts) => storedAt(deviceId, ts)),
        );
      },
      (ctx, deviceId) =>
        rejected('501 samples', sampleTopic(ctx, 'telemetry', deviceId), `[${Array.from({ length: 501 }, () => `{"ts":${ctx.nextTs()},"speedKmh":1}`).join(',')}]`, ['schema_violation']),
      (ctx, deviceId) => rejected('empty array', sampleTopic(ctx, 'telemetry', deviceId), '[]', ['empty_sample']),
      // A NUL in a text field: PostgreSQL cannot store it, the decoder refuses it.
      (ctx) => {
        const cp = pick(ctx.chargePoints, device);
        const payload = `{"ts":${ctx.nextTs()},"event":"start","connectorId":1,"transactionId":"tx\\u0000${variant}","meterWh":1}`;
        return rejected('NUL in a transaction id', sampleTopic(ctx, 'transaction', cp), payload, ['schema_violation']);
      },
    )
    .map((build) => (ctx: FuzzContext) => build(ctx, pick(ctx.vehicles, device))),
);

/** Every kind of message, weighted so that a run sends mostly small ones and valid samples between all the rest. */
export const fuzzMessage: fc.Arbitrary<MessageBuild> = fc.oneof(
  { weight: 20, arbitrary: samplesMessage('valid', validSample, { min: 1, max: 1 }) },
  { weight: 8, arbitrary: samplesMessage('valid array', validSample, { min: 2, max: 20 }) },
  { weight: 20, arbitrary: samplesMessage('bad sample', badSample, { min: 1, max: 1 }) },
  { weight: 12, arbitrary: samplesMessage('mixed array', mixedSample, { min: 2, max: 20 }) },
  { weight: 7, arbitrary: randomJson },
  { weight: 6, arbitrary: randomBytes },
  { weight: 12, arbitrary: topicTricks },
  { weight: 5, arbitrary: connectionMessage },
  { weight: 2, arbitrary: nastyCorpus },
);

/**
 * `count` messages from `seed`, made when asked for (each needs the clock and fresh sample
 * times); every 100th is a copy of an earlier valid message, a duplicate that must be
 * acknowledged and not stored again.
 */
export function* fuzzMessages(seed: number, count: number, ctx: FuzzContext): Generator<FuzzMessage> {
  const CHUNK = 500;
  let made = 0;
  let lastValid: FuzzMessage | undefined;
  for (let chunk = 0; made < count; chunk++) {
    for (const build of fc.sample(fuzzMessage, { seed: seed + chunk, numRuns: CHUNK })) {
      if (made >= count) return;
      if (made % 100 === 99 && lastValid) {
        made++;
        yield { ...lastValid, label: 'duplicate of a valid message', stored: [] };
        continue;
      }
      const next = build(ctx);
      if (!next) continue;
      if (next.route === 'service' && next.deadLetters.length === 0 && next.stored.length > 0) lastValid = next;
      made++;
      yield next;
    }
  }
}
