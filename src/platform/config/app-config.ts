import { hostname } from 'node:os';

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

function text(env: Env, name: string, fallback: string): string {
  const value = env[name];
  return value === undefined || value.trim() === '' ? fallback : value.trim();
}

function url(env: Env, name: string, fallback: string, protocols: string[]): string {
  const value = text(env, name, fallback);
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(name, `not a valid URL (expected e.g. ${fallback})`);
  }
  if (!protocols.includes(parsed.protocol.replace(/:$/, ''))) {
    throw new ConfigError(name, `protocol must be one of ${protocols.join(', ')}, got "${parsed.protocol}"`);
  }
  return value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = text(env, name, String(fallback));
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function oneOf<T extends string>(env: Env, name: string, fallback: T, allowed: readonly T[]): T {
  const value = text(env, name, fallback);
  if (!allowed.includes(value as T)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${value}"`);
  }
  return value as T;
}

/** A tile URL template: http(s) with {z}, {x} and {y}; {s} may stand in the host for subdomains a, b, c. */
function tileUrl(env: Env): string | undefined {
  const value = env.MAP_TILE_URL?.trim();
  if (!value) return undefined;
  for (const part of ['{z}', '{x}', '{y}']) if (!value.includes(part)) throw new ConfigError('MAP_TILE_URL', `must contain ${part}, got "${value}"`);
  let parsed: URL;
  try {
    parsed = new URL(value.replace('{s}', 'a'));
  } catch {
    throw new ConfigError('MAP_TILE_URL', `not a valid URL template, got "${value}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new ConfigError('MAP_TILE_URL', `protocol must be http or https, got "${parsed.protocol}"`);
  return value;
}

function roles(env: Env): ReadonlySet<Role> {
  const raw = text(env, 'APP_ROLES', ROLES.join(','));
  const parts = raw.split(',').map((part) => part.trim()).filter(Boolean);
  const unknown = parts.filter((part) => !ROLES.includes(part as Role));
  if (unknown.length > 0 || parts.length === 0) {
    throw new ConfigError('APP_ROLES', `must list any of ${ROLES.join(', ')}, got "${raw}"`);
  }
  return new Set(parts as Role[]);
}

function timeZone(env: Env, name: string, fallback: string): string {
  const value = text(env, name, fallback);
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
  } catch {
    throw new ConfigError(name, `unknown IANA time zone "${value}"`);
  }
  return value;
}

function adminKey(env: Env): string | undefined {
  const value = env.ADMIN_API_KEY?.trim();
  if (!value) return undefined;
  // A guessable bootstrap key would open the whole API: demand at least 128 bits of key material.
  if (value.length < 32) throw new ConfigError('ADMIN_API_KEY', 'must be at least 32 characters long');
  return value;
}

function mqttCredentials(env: Env): MqttCredentials | undefined {
  const username = env.MQTT_USERNAME?.trim();
  const password = env.MQTT_PASSWORD;
  if (!username && !password) return undefined;
  // Mosquitto's password file is `user:hash` per line, and its ACL file names users by line.
  if (username && !/^[A-Za-z0-9._-]{1,64}$/.test(username)) throw new ConfigError('MQTT_USERNAME', `must be 1-64 letters, digits, '.', '_' or '-', got "${username}"`);
  // One without the other is a half-configured deployment that would fail later, at the broker.
  if (!username) throw new ConfigError('MQTT_USERNAME', 'must be set when MQTT_PASSWORD is set');
  if (!password) throw new ConfigError('MQTT_PASSWORD', 'must be set when MQTT_USERNAME is set');
  if (/[\r\n]/.test(password)) throw new ConfigError('MQTT_PASSWORD', 'must not contain line breaks');
  return Object.freeze({ username, password });
}

function deviceCredentialSecret(env: Env): string | undefined {
  const value = env.DEVICE_CREDENTIAL_SECRET?.trim();
  if (!value) return undefined;
  // Whoever knows it can compute every device's password: demand at least 128 bits of key material.
  if (value.length < 32) throw new ConfigError('DEVICE_CREDENTIAL_SECRET', 'must be at least 32 characters long');
  return value;
}

export function loadConfig(env: Env = process.env): AppConfig {
  return Object.freeze({
    roles: roles(env),
    port: integer(env, 'PORT', 3000, 0, 65535),
    databaseUrl: url(env, 'DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/klimaklok', ['postgres', 'postgresql']),
    redisUrl: url(env, 'REDIS_URL', 'redis://127.0.0.1:6379', ['redis', 'rediss']),
    redisKeyPrefix: text(env, 'REDIS_KEY_PREFIX', 'klimaklok'),
    mqttUrl: url(env, 'MQTT_URL', 'mqtt://127.0.0.1:1883', ['mqtt', 'mqtts', 'ws', 'wss', 'tcp']),
    mqttTopicRoot: topicRoot(env),
    mqttCredentials: mqttCredentials(env),
    deviceCredentialSecret: deviceCredentialSecret(env),
    adminApiKey: adminKey(env),
    logLevel: oneOf(env, 'LOG_LEVEL', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    httpBodyLimit: bodyLimit(env),
    apiRateLimitPerMinute: integer(env, 'API_RATE_LIMIT_PER_MINUTE', 600, 0, 10_000_000),
    reportTimeZone: timeZone(env, 'REPORT_TIME_ZONE', 'Europe/Oslo'),
    worker: Object.freeze({
      concurrency: integer(env, 'WORKER_CONCURRENCY', 4, 1, 256),
      vehicleOfflineAfterMs: duration(env, 'VEHICLE_OFFLINE_AFTER', '10m'),
      maxCounterGapMs: duration(env, 'MAX_COUNTER_GAP', '45d'),
      positionRetentionDays: integer(env, 'POSITION_RETENTION_DAYS', 365, 1, 36_500),
    }),
    charging: Object.freeze({
      sessionTimeoutMs: bounded('SESSION_TIMEOUT', duration(env, 'SESSION_TIMEOUT', '24h'), 60_000, 14 * 86_400_000),
      heartbeatMs: bounded('CHARGEPOINT_HEARTBEAT', duration(env, 'CHARGEPOINT_HEARTBEAT', '15m'), 1000, 86_400_000),
    }),
    ocpp: Object.freeze({
      port: integer(env, 'OCPP_PORT', 9220, 0, 65535),
      pingIntervalMs: bounded('OCPP_PING_INTERVAL', duration(env, 'OCPP_PING_INTERVAL', '60s'), 1000, 86_400_000),
      heartbeatIntervalSeconds: integer(env, 'OCPP_HEARTBEAT_INTERVAL', 300, 1, 86_400),
    }),
    alerts: Object.freeze({
      evaluateEveryMs: bounded('ALERT_EVALUATION_INTERVAL', duration(env, 'ALERT_EVALUATION_INTERVAL', '30s'), 100, 3_600_000),
      deliveryAttempts: integer(env, 'ALERT_DELIVERY_ATTEMPTS', 8, 1, 50),
      retryDelayMs: bounded('ALERT_RETRY_DELAY', duration(env, 'ALERT_RETRY_DELAY', '30s'), 10, 3_600_000),
      smtpUrl: env.SMTP_URL?.trim() ? url(env, 'SMTP_URL', 'smtp://127.0.0.1:25', ['smtp', 'smtps']) : undefined,
      mailFrom: mailAddress(env, 'ALERT_MAIL_FROM', 'klimaklok@localhost'),
      climateOfficeMail: env.CLIMATE_OFFICE_MAIL?.trim() ? mailAddress(env, 'CLIMATE_OFFICE_MAIL', '') : undefined,
      deliveryCheckEveryMs: bounded('DELIVERY_CHECK_INTERVAL', duration(env, 'DELIVERY_CHECK_INTERVAL', '5m'), 100, 86_400_000),
      deliveryCatchUpMs: bounded('DELIVERY_CATCH_UP', duration(env, 'DELIVERY_CATCH_UP', '7d'), 60_000, 31 * 86_400_000),
    }),
    map: Object.freeze({
      tileUrl: tileUrl(env),
      attribution: text(env, 'MAP_TILE_ATTRIBUTION', ''),
      maxZoom: integer(env, 'MAP_TILE_MAX_ZOOM', 18, 1, 22),
    }),
    ingest: Object.freeze({
      connections: integer(env, 'INGEST_CONNECTIONS', 4, 1, 1024),
      inHandPerConnection: integer(env, 'INGEST_IN_FLIGHT_PER_CONNECTION', 500, 1, 10_000),
      // At least one message of the contract's largest size (256 KiB) must fit.
      inHandBytesPerConnection: integer(env, 'INGEST_IN_FLIGHT_BYTES_PER_CONNECTION', 1_048_576, 262_144, 1_073_741_824),
      instanceId: instanceId(env),
      shareGroup: identifier(env, 'INGEST_SHARE_GROUP', 'klimaklok-ingest'),
      batchMaxRows: integer(env, 'INGEST_BATCH_MAX_ROWS', 5000, 1, 100_000),
      batchMaxWaitMs: integer(env, 'INGEST_BATCH_MAX_WAIT_MS', 5, 0, 10_000),
      concurrentFlushes: integer(env, 'INGEST_CONCURRENT_FLUSHES', 2, 1, 8),
      backfillHorizonDays: integer(env, 'BACKFILL_HORIZON_DAYS', 800, 1, 36_500),
      idTagSecret: env.ID_TAG_SECRET?.trim() || DEVELOPMENT_ID_TAG_SECRET,
      idTagSecretIsDefault: !env.ID_TAG_SECRET?.trim(),
      profileAssemblyWindowMs: bounded('PROFILE_ASSEMBLY_WINDOW', duration(env, 'PROFILE_ASSEMBLY_WINDOW', '2s'), 0, 60_000),
      profileAssemblyMaxDevices: integer(env, 'PROFILE_ASSEMBLY_MAX_DEVICES', 20_000, 1, 1_000_000),
    }),
    testClockOffsetMs: testClockOffset(env),
  });
}

/** A signed duration (e.g. -90d, 2592000000ms); a production deployment must run on the real time. */
function testClockOffset(env: Env): number {
  const raw = env.TEST_CLOCK_OFFSET?.trim();
  if (!raw) return 0;
  if (env.NODE_ENV?.trim() === 'production') throw new ConfigError('TEST_CLOCK_OFFSET', 'is for tests and demos only and refused when NODE_ENV is production');
  const match = /^([+-]?)(\d+)(ms|s|m|h|d)$/.exec(raw);
  if (!match) throw new ConfigError('TEST_CLOCK_OFFSET', `must be a signed duration such as -90d or 3600000ms, got "${raw}"`);
  const ms = Number(match[2]) * DURATION_UNITS[match[3]];
  if (ms > 36_500 * 86_400_000) throw new ConfigError('TEST_CLOCK_OFFSET', `must be at most 36500d either way, got "${raw}"`);
  return match[1] === '-' ? -ms : ms;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Durations as a number and a unit: 500ms, 30s, 10m, 24h, 45d. */
function duration(env: Env, name: string, fallback: string): number {
  const raw = text(env, name, fallback);
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(raw);
  if (!match) throw new ConfigError(name, `must be a duration such as 30s, 10m, 24h or 45d, got "${raw}"`);
  return Number(match[1]) * DURATION_UNITS[match[2]];
}

/** Durations with a sane range: a session timeout of 0 would close every session at its start. */
function bounded(name: string, ms: number, min: number, max: number): number {
  if (ms < min || ms > max) throw new ConfigError(name, `must be between ${min / 1000}s and ${max / 1000}s, got ${ms / 1000}s`);
  return ms;
}

function mailAddress(env: Env, name: string, fallback: string): string {
  const value = text(env, name, fallback);
  if (!/^[^\s@<>]+@[^\s@<>]+$/.test(value)) throw new ConfigError(name, `must be an e-mail address, got "${value}"`);
  return value;
}

function identifier(env: Env, name: string, fallback: string): string {
  const value = text(env, name, fallback);
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(value)) throw new ConfigError(name, `must be 1-64 letters, digits, '.', '_' or '-', got "${value}"`);
  return value;
}

function instanceId(env: Env): string {
  const fallback = hostname().replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 40) || 'ingest';
  return identifier(env, 'INGEST_INSTANCE_ID', fallback);
}

function topicRoot(env: Env): string {
  const value = text(env, 'MQTT_TOPIC_ROOT', 'fleet');
  if (!/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(value)) {
    throw new ConfigError('MQTT_TOPIC_ROOT', `must be topic levels without wildcards, got "${value}"`);
  }
  return value;
}

function bodyLimit(env: Env): string {
  const value = text(env, 'HTTP_BODY_LIMIT', '5mb');
  if (!/^\d+(b|kb|mb)$/i.test(value)) throw new ConfigError('HTTP_BODY_LIMIT', `must look like 512kb or 5mb, got "${value}"`);
  return value;
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
