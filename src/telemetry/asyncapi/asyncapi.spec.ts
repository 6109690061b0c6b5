import { randomInt } from 'node:crypto';
import { Parser } from '@asyncapi/parser';
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { FuzzContext, FuzzMessage, fuzzMessages } from '../../../scripts/bench/lib/fuzz-payloads';
import { MAX_PAYLOAD_BYTES, MAX_SAMPLES_PER_MESSAGE } from '../contract/message';
import { REJECTION_REASONS } from '../contract/rejection';
import { OCPP_ERROR_CODES, OCPP_STATUSES } from '../contract/samples';
import { DecodeContext, decodeMessage } from '../ingest/decode-message';
import { AsyncApiDocument, AsyncApiMessage, JsonSchema, loadAsyncApiDocument, resolveRef } from './asyncapi-document';

/**
 * docs/asyncapi.yaml is the MQTT contract in machine-readable form. These tests keep it valid
 * (the AsyncAPI parser with its default rules) and true: the service's own decoder and the
 * document's schemas must come to the same verdict on every message of the ingest fuzz corpus
 * (scripts/bench/lib/fuzz-payloads.ts), valid and invalid. The registry is out of play (every
 * device id is known as both kinds), since no schema can know it. A new seed each run
 * (FUZZ_SEED repeats one); the seed is in the failure message.
 */
const { text, document } = loadAsyncApiDocument();
const ROOT = 'fleet';
const HORIZON_DAYS = 800;

describe('docs/asyncapi.yaml', () => {
  it('is a valid AsyncAPI 3 document by the AsyncAPI parser', async () => {
    const { document: parsed, diagnostics } = await new Parser().parse(text);
    const problems = diagnostics.filter((d) => d.severity <= 1).map((d) => `${d.code} at ${d.path.join('.')}: ${d.message}`);
    expect(problems).toEqual([]);
    expect(parsed?.version()).toMatch(/^3\./);
    expect(parsed?.channels().length).toBe(6);
  });

  it("names the decoder's rejection reasons, statuses and error codes, no more and no fewer", () => {
    const reasons = (document.components.schemas.RejectionReason.oneOf as Array<{ const: string }>).map((r) => r.const);
    expect(reasons.sort()).toEqual([...REJECTION_REASONS].sort());
    const status = document.components.schemas.StatusSample.properties as Record<string, JsonSchema>;
    expect(status.status.enum).toEqual([...OCPP_STATUSES]);
    expect((status.errorCode.anyOf as JsonSchema[])[0].enum).toEqual([...OCPP_ERROR_CODES]);
    expect(document.info['x-max-payload-bytes']).toBe(MAX_PAYLOAD_BYTES);
    expect(document.info['x-max-samples-per-message']).toBe(MAX_SAMPLES_PER_MESSAGE);
    for (const operation of Object.values(document.operations)) {
      for (const reason of operation['x-rejections'] ?? []) expect(reasons).toContain(reason);
    }
  });

  it('agrees with the decoder on the fuzz corpus', () => {
    const seed = Number(process.env.FUZZ_SEED ?? randomInt(2 ** 31));
    const judge = new DocumentJudge(document);
    const context = decodeContext();
    const fuzz = fuzzContext(context.now);
    const disagreements: string[] = [];
    const outsideSchema = new Map<string, number>();
    let judged = 0;
    for (const message of fuzzMessages(seed, 3000, fuzz)) {
      if (message.route !== 'service' || typeof message.topic !== 'string') continue;
      const decoder = decoderVerdicts(message, context);
      const doc = judge.verdicts(message.topic, message.payload);
      judged += doc.length;
      if (decoder.length !== doc.length) {
        disagreements.push(`${message.label} on ${message.topic.slice(0, 80)}: the decoder judged ${decoder.length} parts, the document ${doc.length} (${summary(decoder)} / ${summary(doc)})`);
        continue;
      }
      decoder.forEach((verdict, i) => {
        const expected = doc[i];
        if ((verdict.reason === null) === (expected.reason === null)) return;
        const outside = expected.reason === null && verdict.reason !== null ? ruleOutsideSchemas(verdict.reason, verdict.detail) : undefined;
        if (outside) outsideSchema.set(outside, (outsideSchema.get(outside) ?? 0) + 1);
        else disagreements.push(`${message.label}, part ${i}: decoder ${verdict.reason ?? 'stores'} (${verdict.detail}), document ${expected.reason ?? 'valid'}: ${excerpt(message.payload, i)}`);
      });
    }
    process.stdout.write(
      `asyncapi vs decoder: ${judged} samples and messages judged, the same verdict but for rules the description states: ${JSON.stringify(Object.fromEntries(outsideSchema))}; seed ${seed}\n`,
    );
    expect(judged).toBeGreaterThan(1000);
    expect({ seed, disagreements: disagreements.slice(0, 20) }).toEqual({ seed, disagreements: [] });
  });
});

interface Verdict {
  /** null: stored (valid). */
  reason: string | null;
  detail: string;
}

/**
 * Rules the document states in its description because a JSON schema cannot: the time window
 * and the range of a number written as text. Undefined for any other refusal of a sample the
 * schemas find valid, which is a disagreement.
 */
function ruleOutsideSchemas(reason: string, detail: string): string | undefined {
  if (reason === 'timestamp_in_future' || reason === 'timestamp_too_old') return reason;
  if (reason === 'schema_violation' && /^\w+: expected (a number|a finite number|an integer)[^,]*, got "/.test(detail)) return 'range of a numeric string';
  return undefined;
}

function decodeContext(): DecodeContext {
  return {
    now: Date.now(),
    horizonMs: HORIZON_DAYS * 86_400_000,
    futureToleranceMs: 5 * 60_000,
    idTagSecret: 'asyncapi-spec',
    topicRoot: ROOT,
    devices: { find: () => ({ vehicle: 'v', chargePoint: 'c' }) },
  };
}

/** Registered devices and sample times as the fuzz run makes them (scripts/bench/lib/fuzz-run.ts). */
function fuzzContext(now: number): FuzzContext {
  const windowDays = HORIZON_DAYS - 150;
  const firstDay = now - (HORIZON_DAYS - 100) * 86_400_000;
  let seq = 0;
  return {
    topicRoot: ROOT,
    vehicles: [...Array.from({ length: 5 }, (_, i) => `fuzz-veh-${i}`), 'constructor'],
    chargePoints: [...Array.from({ length: 5 }, (_, i) => `fuzz-cp-${i}`), 'valueOf'],
    dualDevice: 'fuzz-dual',
    horizonMs: HORIZON_DAYS * 86_400_000,
    nextTs: () => {
      const n = seq++;
      return firstDay + (n % windowDays) * 86_400_000 + Math.floor(n / windowDays);
    },
  };
}

/**
 * The decoder's verdict on each part of a message: one per sample of an array (by the dead
 * letters' sample index), else one for the whole message.
 */
function decoderVerdicts(message: FuzzMessage, context: DecodeContext): Verdict[] {
  const { rows } = decodeMessage(message.topic as string, message.payload, context);
  const stored = rows.vehicleSamples.length + rows.statusSamples.length + rows.meterSamples.length + rows.transactionEvents.length + rows.connectionEvents.length;
  const whole = rows.deadLetters.find((letter) => letter.sampleIndex === null);
  if (whole) return [{ reason: whole.reason, detail: whole.detail }];
  if (rows.deadLetters.length === 0 && stored <= 1) return [{ reason: null, detail: '' }];
  const parts: Verdict[] = Array.from({ length: stored + rows.deadLetters.length }, () => ({ reason: null, detail: '' }));
  for (const letter of rows.deadLetters) parts[letter.sampleIndex!] = { reason: letter.reason, detail: letter.detail };
  return parts;
}

/**
 * The document's verdict, read the way it says a message is read: the channel by its address,
 * the size limit, UTF-8 and JSON, then the payload schema (for a sample array: its length, then
 * each sample against the array's item schema, since the valid samples of an array are stored).
 */
class DocumentJudge {
  private readonly ajv = addFormats(new Ajv({ strict: true, strictTypes: false }));
  private readonly channels: Array<{ address: RegExp; messages: AsyncApiMessage[] }>;
  private readonly maxBytes: number;
  private readonly compiled = new Map<unknown, ValidateFunction>();

  constructor(private readonly document: AsyncApiDocument) {
    // The document is one schema resource, so that its local references resolve.
    this.ajv.addKeyword('x-max-payload-bytes').addKeyword('x-max-samples-per-message').addKeyword('x-rejections');
    this.ajv.addVocabulary(['asyncapi', 'info', 'defaultContentType', 'servers', 'channels', 'operations', 'components']);
    this.ajv.addSchema({ ...document, $id: 'asyncapi' } as object);
    const deviceId = (document.components.schemas.DeviceId.pattern as string).replace(/^\^|\$$/g, '');
    this.channels = Object.values(document.channels).map((channel) => ({
      address: new RegExp(
        `^${channel.address
          .split(/\{deviceId\}/)
          .map(escapeRegExp)
          .join(`(?:${deviceId})`)}$`,
      ),
      messages: Object.values(channel.messages).map((ref) => resolveRef<AsyncApiMessage>(document, ref)),
    }));
    this.maxBytes = document.info['x-max-payload-bytes'] as number;
  }

  verdicts(topic: string, payload: Buffer): Verdict[] {
    const channel = this.channels.find((candidate) => candidate.address.test(topic));
    if (!channel) return [{ reason: 'unknown_topic', detail: '' }];
    if (payload.length > this.maxBytes) return [{ reason: 'payload_too_large', detail: '' }];
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(payload);
    } catch {
      return [{ reason: 'malformed_json', detail: '' }];
    }
    const plain = channel.messages.find((message) => message.contentType === 'text/plain');
    if (plain && !text.trim().startsWith('{')) return [this.judge(plain.payload, text)];
    const json = channel.messages.find((message) => message.contentType !== 'text/plain')!;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return [{ reason: plain ? 'schema_violation' : 'malformed_json', detail: '' }];
    }
    const alternatives = json.payload.anyOf as JsonSchema[] | undefined;
    const batch = alternatives?.find((schema) => schema.type === 'array');
    if (!batch || !Array.isArray(value)) return [this.judge(json.payload, value)];
    const bounds = this.judge({ type: 'array', minItems: batch.minItems, maxItems: batch.maxItems }, value);
    if (bounds.reason) return [bounds];
    return value.length === 1 ? [this.judge(json.payload, value[0])] : value.map((sample) => this.judge(batch.items as JsonSchema, sample));
  }

  private judge(schema: JsonSchema, value: unknown): Verdict {
    let validate = this.compiled.get(schema);
    if (!validate) {
      validate = this.ajv.compile({ $id: `asyncapi-part-${this.compiled.size}`, ...this.rebased(schema) });
      this.compiled.set(schema, validate);
    }
    return validate(value) ? { reason: null, detail: '' } : { reason: 'invalid', detail: this.ajv.errorsText(validate.errors) };
  }

  /** A part of the document as a schema of its own, its local references pointing into the document. */
  private rebased(schema: JsonSchema): JsonSchema {
    return JSON.parse(JSON.stringify(schema).replace(/"\$ref":"#\//g, '"$ref":"asyncapi#/'));
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function summary(verdicts: Verdict[]): string {
  return verdicts
    .map((v) => v.reason ?? 'ok')
    .join(',')
    .slice(0, 200);
}

function excerpt(payload: Buffer, part: number): string {
  const text = payload.toString('utf8');
  try {
    const value = JSON.parse(text);
    return JSON.stringify(Array.isArray(value) ? value[part] : value)?.slice(0, 300) ?? String(value);
  } catch {
    return JSON.stringify(text.slice(0, 300));
  }
}
