import { hostname } from 'node:os';
import { z } from 'zod';

/**
 * The service's whole configuration, read from the environment once at boot and validated.
 * Nothing else in the code base reads process.env: take AppConfig from the container instead.
 */
export const ROLES = ['api', 'ingest', 'worker', 'ocpp'] as const;
export type Role = (typeof ROLES)[number];

export interface AppConfig {
  roles: ReadonlySet<Role>;
  port: number;
  databaseUrl: string;
  redisUrl: string;
  /** Prefix of every Redis key (BullMQ queues included), so that several deployments or test runs share one Redis. */
  redisKeyPrefix: string;
  mqttUrl: string;
  mqttTopicRoot: string;
  /** The service's own broker login (MQTT_USERNAME / MQTT_PASSWORD), used by every MQTT client it opens; none: anonymous. Never logged. */
  mqttCredentials: MqttCredentials | undefined;
  /** Key of the HMAC that derives each device's broker password (DEVICE_CREDENTIAL_SECRET); only `broker:auth` needs it. Never logged. */
  deviceCredentialSecret: string | undefined;
  /** Secret of a bootstrap admin key ensured at start; never logged. */
  adminApiKey: string | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  httpBodyLimit: string;
  /** Requests per API key and minute; 0 turns the limit off. */
  apiRateLimitPerMinute: number;
  reportTimeZone: string;
  ingest: IngestConfig;
  worker: WorkerConfig;
  charging: ChargingConfig;
  ocpp: OcppConfig;
  alerts: AlertsConfig;
  /**
   * Tests and demos only (TEST_CLOCK_OFFSET): how far the service's Clock (alert evaluation,
   * scheduled deliveries) runs ahead of (or behind) the real time, so that a separately started
   * process can stand at the turn of a month. 0 unless set; refused when NODE_ENV is production.
   */
  testClockOffsetMs: number;
  map: MapConfig;
}

/** The dashboard map's raster tiles; without a tile URL the map draws on a plain background. */
export interface MapConfig {
  /** Template with {z}, {x}, {y} (and optionally {s}) (MAP_TILE_URL); undefined: no tiles. */
  tileUrl: string | undefined;
  /** Shown in the map's corner (MAP_TILE_ATTRIBUTION), as the tiles' licence asks. */
  attribution: string;
  /** Deepest zoom level the tile source serves (MAP_TILE_MAX_ZOOM). */
  maxZoom: number;
}

export interface OcppConfig {
  /** Port of the OCPP 1.6J WebSocket endpoint (OCPP_PORT). */
  port: number;
  /** WebSocket ping interval; a peer that misses one is closed at the next (OCPP_PING_INTERVAL). */
  pingIntervalMs: number;
  /** The `interval` answered to BootNotification, seconds (OCPP_HEARTBEAT_INTERVAL). */
  heartbeatIntervalSeconds: number;
}

export interface AlertsConfig {
  /** How often the worker evaluates every alert rule (ALERT_EVALUATION_INTERVAL). */
  evaluateEveryMs: number;
  /** Webhook and e-mail attempts per notification before it is given up (ALERT_DELIVERY_ATTEMPTS). */
  deliveryAttempts: number;
  /** Delay before the first retry; it doubles with every attempt (ALERT_RETRY_DELAY). */
  retryDelayMs: number;
  /** SMTP server of alert mails and scheduled deliveries (SMTP_URL, may hold a password); none: no mail. Never logged. */
  smtpUrl: string | undefined;
  /** Sender of every mail (ALERT_MAIL_FROM). */
  mailFrom: string;
  /** Recipient of the climate office's monthly fleet KPI summary (CLIMATE_OFFICE_MAIL); none: not sent. */
  climateOfficeMail: string | undefined;
  /** How often the worker looks for scheduled deliveries that are due (DELIVERY_CHECK_INTERVAL). */
  deliveryCheckEveryMs: number;
  /** A delivery missed while the service was down is still sent this long after its due time (DELIVERY_CATCH_UP). */
  deliveryCatchUpMs: number;
}

export interface MqttCredentials {
  username: string;
  password: string;
}

export interface ChargingConfig {
  /** A session without a stop is closed at its last meter sample and flagged after this long (SESSION_TIMEOUT). */
  sessionTimeoutMs: number;
  /** A charge point is online within this long of any of its messages (CHARGEPOINT_HEARTBEAT). */
  heartbeatMs: number;
}

export interface WorkerConfig {
  /** Jobs processed at once per queue by this process. */
  concurrency: number;
  /** A vehicle with no message for this long is offline (VEHICLE_OFFLINE_AFTER). */
  vehicleOfflineAfterMs: number;
  /** Counter deltas over a longer gap are counted but flagged (MAX_COUNTER_GAP). */
  maxCounterGapMs: number;
  /** Raw positions older than this are erased (POSITION_RETENTION_DAYS); aggregates stay. */
  positionRetentionDays: number;
}

export interface IngestConfig {
  /** MQTT connections in the shared subscription group. */
  connections: number;
  /** Unacknowledged messages a connection may hold before it stops reading (memory bound). */
  inHandPerConnection: number;
  /**
   * Payload bytes a connection may hold unacknowledged: with large sample arrays the message
   * count alone would let minutes of work pile up behind a connection that reads nothing (not
   * even the broker's ping replies) until it drains.
   */
  inHandBytesPerConnection: number;
  /** Stable per ingest process, so that its persistent broker sessions survive restarts. */
  instanceId: string;
  shareGroup: string;
  batchMaxRows: number;
  batchMaxWaitMs: number;
  /** Batches written at the same time; acknowledgements still go out in batch order. */
  concurrentFlushes: number;
  backfillHorizonDays: number;
  /** Key of the HMAC that replaces idTags and user tokens; never logged. */
  idTagSecret: string;
  /** True when ID_TAG_SECRET was not set and a development default is in use. */
  idTagSecretIsDefault: boolean;
  /** Values of a one-value-per-topic publisher within this long of the first form one sample (PROFILE_ASSEMBLY_WINDOW, device-profiles.md). */
  profileAssemblyWindowMs: number;
  /** Devices assembling at once at most (PROFILE_ASSEMBLY_MAX_DEVICES); beyond, the oldest window closes early. */
  profileAssemblyMaxDevices: number;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
  }
}

const DEVELOPMENT_ID_TAG_SECRET = 'klimaklok-development-only-id-tag-secret';

type Env = Record<string, string | undefined>;

/*
 * The environment is described by one zod schema over the variables' names: each entry turns the
 * variable's text (or its default) into a typed value and says in one line what is wrong with it.
 * zod rather than class-validator: the environment is a flat record of strings to be parsed and
 * defaulted, not a class instance built from a request, and zod states a string's way to a number,
 * a duration or a set in one expression, with the variable's name as the path of every issue.
 */

/** A rule as a zod refinement: `test` passes, or `problem(value)` is the issue's message. */
function rule<T>(test: (value: T) => boolean, problem: (value: T) => string) {
  return (value: T, context: z.RefinementCtx) => {
    if (!test(value)) context.addIssue({ code: 'custom', message: problem(value) });
  };
}

/** The variable trimmed, or the fallback when it is unset or blank. */
const text = (fallback: string) =>
  z
    .string()
    .optional()
    .transform((value) => (value === undefined || value.trim() === '' ? fallback : value.trim()));

/** The variable trimmed, or undefined when it is unset or blank. */
const optionalText = () =>
  z
    .string()
    .optional()
    .transform((value) => value?.trim() || undefined);

function parsesAsUrl(value: string): boolean {
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

const urlValue = (example: string, protocols: string[]) =>
  z.string().superRefine((value, context) => {
    if (!parsesAsUrl(value)) return context.addIssue({ code: 'custom', message: `not a valid URL (expected e.g. ${example})` });
    const { protocol } = new URL(value);
    if (!protocols.includes(protocol.replace(/:$/, ''))) context.addIssue({ code: 'custom', message: `protocol must be one of ${protocols.join(', ')}, got "${protocol}"` });
  });

const url = (fallback: string, protocols: string[]) => text(fallback).pipe(urlValue(fallback, protocols));

const integer = (fallback: number, min: number, max: number) =>
  text(String(fallback))
    .pipe(
      z.string().superRefine(
        rule(
          (raw) => /^\d+$/.test(raw),
          (raw) => `must be a whole number, got "${raw}"`,
        ),
      ),
    )
    .transform(Number)
    .pipe(
      z.number().superRefine(
        rule(
          (value) => value >= min && value <= max,
          (value) => `must be between ${min} and ${max}, got ${value}`,
        ),
      ),
    );

const oneOf = <T extends string>(fallback: T, allowed: readonly [T, ...T[]]) =>
  text(fallback).pipe(z.enum(allowed, { error: (issue) => `must be one of ${allowed.join(', ')}, got "${String(issue.input)}"` }));

const IDENTIFIER = /^[A-Za-z0-9._-]{1,64}$/;
const identifierValue = () => z.string().regex(IDENTIFIER, { error: (issue) => `must be 1-64 letters, digits, '.', '_' or '-', got "${String(issue.input)}"` });
const identifier = (fallback: string) => text(fallback).pipe(identifierValue());

const MAIL_ADDRESS = /^[^\s@<>]+@[^\s@<>]+$/;
const mailValue = () => z.string().regex(MAIL_ADDRESS, { error: (issue) => `must be an e-mail address, got "${String(issue.input)}"` });

/** At least 128 bits of key material, never echoed: a guessable secret would open what it guards. */
const secret = () => optionalText().pipe(z.string().min(32, 'must be at least 32 characters long').optional());

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(\d+)(ms|s|m|h|d)$/;

/** Durations as a number and a unit (500ms, 30s, 10m, 24h, 45d), within a sane range: a session timeout of 0 would close every session at its start. */
const duration = (fallback: string, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  text(fallback)
    .pipe(z.string().regex(DURATION, { error: (issue) => `must be a duration such as 30s, 10m, 24h or 45d, got "${String(issue.input)}"` }))
    .transform((raw) => {
      const [, amount, unit] = DURATION.exec(raw)!;
      return Number(amount) * DURATION_UNITS[unit];
    })
    .pipe(
      z.number().superRefine(
        rule(
          (ms) => ms >= min && ms <= max,
          (ms) => `must be between ${min / 1000}s and ${max / 1000}s, got ${ms / 1000}s`,
        ),
      ),
    );

const roles = () =>
  text(ROLES.join(','))
    .transform((raw) => ({
      raw,
      parts: raw
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean),
    }))
    .superRefine(
      rule(
        ({ parts }) => parts.length > 0 && parts.every((part) => ROLES.includes(part as Role)),
        ({ raw }) => `must list any of ${ROLES.join(', ')}, got "${raw}"`,
      ),
    )
    .transform(({ parts }): ReadonlySet<Role> => new Set(parts as Role[]));

const timeZone = (fallback: string) =>
  text(fallback).superRefine(
    rule(
      (value) => {
        try {
          new Intl.DateTimeFormat('en', { timeZone: value });
          return true;
        } catch {
          return false;
        }
      },
      (value) => `unknown IANA time zone "${value}"`,
    ),
  );

/** A tile URL template: http(s) with {z}, {x} and {y}; {s} may stand in the host for subdomains a, b, c. */
const tileUrl = () =>
  optionalText().pipe(
    z
      .string()
      .superRefine((value, context) => {
        const missing = ['{z}', '{x}', '{y}'].find((part) => !value.includes(part));
        if (missing) return context.addIssue({ code: 'custom', message: `must contain ${missing}, got "${value}"` });
        const example = value.replace('{s}', 'a');
        if (!parsesAsUrl(example)) return context.addIssue({ code: 'custom', message: `not a valid URL template, got "${value}"` });
        const { protocol } = new URL(example);
        if (protocol !== 'http:' && protocol !== 'https:') context.addIssue({ code: 'custom', message: `protocol must be http or https, got "${protocol}"` });
      })
      .optional(),
  );

/** A signed duration (e.g. -90d, 2592000000ms), 0 unless set. */
const testClockOffset = () =>
  optionalText()
    .pipe(
      z
        .string()
        .regex(/^[+-]?\d+(ms|s|m|h|d)$/, { error: (issue) => `must be a signed duration such as -90d or 3600000ms, got "${String(issue.input)}"` })
        .optional(),
    )
    .transform((raw) => {
      if (raw === undefined) return { raw, ms: 0 };
      const [, sign, amount, unit] = /^([+-]?)(\d+)(ms|s|m|h|d)$/.exec(raw)!;
      const ms = Number(amount) * DURATION_UNITS[unit];
      return { raw, ms: sign === '-' ? -ms : ms };
    })
    .superRefine(
      rule(
        ({ ms }) => Math.abs(ms) <= 36_500 * 86_400_000,
        ({ raw }) => `must be at most 36500d either way, got "${raw}"`,
      ),
    )
    .transform(({ ms }) => ms);

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Every variable the service reads, by name; the order is the order in which problems are reported. */
const environment = z
  .object({
    APP_ROLES: roles(),
    PORT: integer(3000, 0, 65535),
    DATABASE_URL: url('postgres://postgres@127.0.0.1:5432/klimaklok', ['postgres', 'postgresql']),
    REDIS_URL: url('redis://127.0.0.1:6379', ['redis', 'rediss']),
    REDIS_KEY_PREFIX: text('klimaklok'),
    MQTT_URL: url('mqtt://127.0.0.1:1883', ['mqtt', 'mqtts', 'ws', 'wss', 'tcp']),
    MQTT_TOPIC_ROOT: text('fleet').pipe(z.string().regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, { error: (issue) => `must be topic levels without wildcards, got "${String(issue.input)}"` })),
    // Mosquitto's password file is `user:hash` per line, and its ACL file names users by line.
    MQTT_USERNAME: optionalText().pipe(identifierValue().optional()),
    // Not trimmed: a password may begin or end with a space.
    MQTT_PASSWORD: z
      .string()
      .optional()
      .transform((value) => value || undefined)
      .pipe(
        z
          .string()
          .regex(/^[^\r\n]*$/, 'must not contain line breaks')
          .optional(),
      ),
    DEVICE_CREDENTIAL_SECRET: secret(),
    ADMIN_API_KEY: secret(),
    LOG_LEVEL: oneOf('info', LOG_LEVELS),
    HTTP_BODY_LIMIT: text('5mb').pipe(z.string().regex(/^\d+(b|kb|mb)$/i, { error: (issue) => `must look like 512kb or 5mb, got "${String(issue.input)}"` })),
    API_RATE_LIMIT_PER_MINUTE: integer(600, 0, 10_000_000),
    REPORT_TIME_ZONE: timeZone('Europe/Oslo'),
    WORKER_CONCURRENCY: integer(4, 1, 256),
    VEHICLE_OFFLINE_AFTER: duration('10m'),
    MAX_COUNTER_GAP: duration('45d'),
    POSITION_RETENTION_DAYS: integer(365, 1, 36_500),
    SESSION_TIMEOUT: duration('24h', 60_000, 14 * 86_400_000),
    CHARGEPOINT_HEARTBEAT: duration('15m', 1000, 86_400_000),
    OCPP_PORT: integer(9220, 0, 65535),
    OCPP_PING_INTERVAL: duration('60s', 1000, 86_400_000),
    OCPP_HEARTBEAT_INTERVAL: integer(300, 1, 86_400),
    ALERT_EVALUATION_INTERVAL: duration('30s', 100, 3_600_000),
    ALERT_DELIVERY_ATTEMPTS: integer(8, 1, 50),
    ALERT_RETRY_DELAY: duration('30s', 10, 3_600_000),
    SMTP_URL: optionalText().pipe(urlValue('smtp://127.0.0.1:25', ['smtp', 'smtps']).optional()),
    ALERT_MAIL_FROM: text('klimaklok@localhost').pipe(mailValue()),
    CLIMATE_OFFICE_MAIL: optionalText().pipe(mailValue().optional()),
    DELIVERY_CHECK_INTERVAL: duration('5m', 100, 86_400_000),
    DELIVERY_CATCH_UP: duration('7d', 60_000, 31 * 86_400_000),
    MAP_TILE_URL: tileUrl(),
    MAP_TILE_ATTRIBUTION: text(''),
    MAP_TILE_MAX_ZOOM: integer(18, 1, 22),
    INGEST_CONNECTIONS: integer(4, 1, 1024),
    INGEST_IN_FLIGHT_PER_CONNECTION: integer(500, 1, 10_000),
    // At least one message of the contract's largest size (256 KiB) must fit.
    INGEST_IN_FLIGHT_BYTES_PER_CONNECTION: integer(1_048_576, 262_144, 1_073_741_824),
    INGEST_INSTANCE_ID: identifier(
      hostname()
        .replace(/[^A-Za-z0-9._-]/g, '-')
        .slice(0, 40) || 'ingest',
    ),
    INGEST_SHARE_GROUP: identifier('klimaklok-ingest'),
    INGEST_BATCH_MAX_ROWS: integer(5000, 1, 100_000),
    INGEST_BATCH_MAX_WAIT_MS: integer(5, 0, 10_000),
    INGEST_CONCURRENT_FLUSHES: integer(2, 1, 8),
    BACKFILL_HORIZON_DAYS: integer(800, 1, 36_500),
    ID_TAG_SECRET: optionalText(),
    PROFILE_ASSEMBLY_WINDOW: duration('2s', 0, 60_000),
    PROFILE_ASSEMBLY_MAX_DEVICES: integer(20_000, 1, 1_000_000),
    TEST_CLOCK_OFFSET: testClockOffset(),
  })
  // One without the other is a half-configured deployment that would fail later, at the broker.
  .superRefine(({ MQTT_USERNAME, MQTT_PASSWORD }, context) => {
    if (MQTT_PASSWORD && !MQTT_USERNAME) context.addIssue({ code: 'custom', path: ['MQTT_USERNAME'], message: 'must be set when MQTT_PASSWORD is set' });
    if (MQTT_USERNAME && !MQTT_PASSWORD) context.addIssue({ code: 'custom', path: ['MQTT_PASSWORD'], message: 'must be set when MQTT_USERNAME is set' });
  });

/** Reads and validates the environment; the first problem is thrown as a ConfigError naming its variable. */
export function loadConfig(env: Env = process.env): AppConfig {
  const parsed = environment.safeParse(env);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    throw new ConfigError(String(issue.path[0]), issue.message);
  }
  const vars = parsed.data;
  // Read only when an offset is set: NODE_ENV is no setting of the service's own.
  if (vars.TEST_CLOCK_OFFSET !== 0 && env.NODE_ENV?.trim() === 'production') {
    throw new ConfigError('TEST_CLOCK_OFFSET', 'is for tests and demos only and refused when NODE_ENV is production');
  }
  return Object.freeze({
    roles: vars.APP_ROLES,
    port: vars.PORT,
    databaseUrl: vars.DATABASE_URL,
    redisUrl: vars.REDIS_URL,
    redisKeyPrefix: vars.REDIS_KEY_PREFIX,
    mqttUrl: vars.MQTT_URL,
    mqttTopicRoot: vars.MQTT_TOPIC_ROOT,
    mqttCredentials: vars.MQTT_USERNAME && vars.MQTT_PASSWORD ? Object.freeze({ username: vars.MQTT_USERNAME, password: vars.MQTT_PASSWORD }) : undefined,
    deviceCredentialSecret: vars.DEVICE_CREDENTIAL_SECRET,
    adminApiKey: vars.ADMIN_API_KEY,
    logLevel: vars.LOG_LEVEL,
    httpBodyLimit: vars.HTTP_BODY_LIMIT,
    apiRateLimitPerMinute: vars.API_RATE_LIMIT_PER_MINUTE,
    reportTimeZone: vars.REPORT_TIME_ZONE,
    worker: Object.freeze({
      concurrency: vars.WORKER_CONCURRENCY,
      vehicleOfflineAfterMs: vars.VEHICLE_OFFLINE_AFTER,
      maxCounterGapMs: vars.MAX_COUNTER_GAP,
      positionRetentionDays: vars.POSITION_RETENTION_DAYS,
    }),
    charging: Object.freeze({ sessionTimeoutMs: vars.SESSION_TIMEOUT, heartbeatMs: vars.CHARGEPOINT_HEARTBEAT }),
    ocpp: Object.freeze({ port: vars.OCPP_PORT, pingIntervalMs: vars.OCPP_PING_INTERVAL, heartbeatIntervalSeconds: vars.OCPP_HEARTBEAT_INTERVAL }),
    alerts: Object.freeze({
      evaluateEveryMs: vars.ALERT_EVALUATION_INTERVAL,
      deliveryAttempts: vars.ALERT_DELIVERY_ATTEMPTS,
      retryDelayMs: vars.ALERT_RETRY_DELAY,
      smtpUrl: vars.SMTP_URL,
      mailFrom: vars.ALERT_MAIL_FROM,
      climateOfficeMail: vars.CLIMATE_OFFICE_MAIL,
      deliveryCheckEveryMs: vars.DELIVERY_CHECK_INTERVAL,
      deliveryCatchUpMs: vars.DELIVERY_CATCH_UP,
    }),
    map: Object.freeze({ tileUrl: vars.MAP_TILE_URL, attribution: vars.MAP_TILE_ATTRIBUTION, maxZoom: vars.MAP_TILE_MAX_ZOOM }),
    ingest: Object.freeze({
      connections: vars.INGEST_CONNECTIONS,
      inHandPerConnection: vars.INGEST_IN_FLIGHT_PER_CONNECTION,
      inHandBytesPerConnection: vars.INGEST_IN_FLIGHT_BYTES_PER_CONNECTION,
      instanceId: vars.INGEST_INSTANCE_ID,
      shareGroup: vars.INGEST_SHARE_GROUP,
      batchMaxRows: vars.INGEST_BATCH_MAX_ROWS,
      batchMaxWaitMs: vars.INGEST_BATCH_MAX_WAIT_MS,
      concurrentFlushes: vars.INGEST_CONCURRENT_FLUSHES,
      backfillHorizonDays: vars.BACKFILL_HORIZON_DAYS,
      idTagSecret: vars.ID_TAG_SECRET ?? DEVELOPMENT_ID_TAG_SECRET,
      idTagSecretIsDefault: vars.ID_TAG_SECRET === undefined,
      profileAssemblyWindowMs: vars.PROFILE_ASSEMBLY_WINDOW,
      profileAssemblyMaxDevices: vars.PROFILE_ASSEMBLY_MAX_DEVICES,
    }),
    testClockOffsetMs: vars.TEST_CLOCK_OFFSET,
  });
}

/** A URL safe to print: the password replaced. */
export function redactUrl(value: string): string {
  try {
    const parsed = new URL(value);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return value;
  }
}
