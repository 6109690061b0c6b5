import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { IncomingMessage, Server, createServer } from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { RPCServer, createRPCError, createValidator } from 'ocpp-rpc';
import { AppConfig } from '../platform/config/app-config';
import { APP_CONFIG } from '../platform/config/config.module';
import { HealthIndicators } from '../platform/health/health-indicators';
import { QueueService } from '../platform/queue/queue.service';
import { REDIS } from '../platform/redis/redis.module';
import { ChargePointsService } from '../registry/charge-points/charge-points.service';
import { verifyOcppPassword } from '../registry/charge-points/ocpp-password';
import { Rejection, RejectionReason } from '../telemetry/contract/rejection';
import { NormaliseContext, redactIdTags } from '../telemetry/contract/samples';
import { FUTURE_TOLERANCE_MS, deadLetter } from '../telemetry/ingest/decode-message';
import { DerivationEnqueuer } from '../telemetry/ingest/derivation-enqueuer';
import { RawBatch, emptyBatch } from '../telemetry/storage/raw-batch';
import { RawSampleRepository } from '../telemetry/storage/raw-sample.repository';
import { CHARGE_POINT_ACTIONS, UNSUPPORTED_ACTIONS, isChargePointAction, meterSamples, readOcppTimestamp, startEvent, statusSample, stopEvent } from './ocpp-messages';
import { OcppMetrics } from './ocpp.metrics';
import { OcppRepository } from './ocpp.repository';
import { OcppStore } from './ocpp-store';
// The library's own OCPP 1.6 JSON schemas (OCA's, as its strict mode uses them).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const OCPP16_SCHEMAS = require('ocpp-rpc/lib/schemas/ocpp1_6.json');

const SUBPROTOCOL = 'ocpp1.6';
const MAX_FRAME_BYTES = 256 * 1024;
const DEVICE_ID = /^[A-Za-z0-9._-]{1,64}$/;
/** OCPP 1.6 CALLERROR codes (with the errata's spelling of OccurrenceConstraintViolation, as ocpp-rpc sends it). */
const OCPP16_ERROR_CODES = new Set([
  'NotImplemented',
  'NotSupported',
  'InternalError',
  'ProtocolError',
  'SecurityError',
  'FormationViolation',
  'PropertyConstraintViolation',
  'OccurrenceConstraintViolation',
  'TypeConstraintViolation',
  'GenericError',
]);
/** Last message times are written together, at most this often. */
const TOUCH_EVERY_MS = 1000;
/**
 * Handshakes checked at once (a registry lookup and a scrypt each). A reconnect storm of thousands
 * of charge points waits here, in order, instead of in the database pool, whose wait times out
 * (and would hold back the writes of connected charge points meanwhile).
 */
const CONCURRENT_HANDSHAKES = 4;
/** Passwords verified in this process, so that a reconnect storm does not pay scrypt again: charge point id -> stored hash and password. */
const VERIFIED_CACHE_SIZE = 50_000;

type Payload = Record<string, unknown>;

interface Session {
  chargePointId: string;
  deviceId: string;
}

/** The part of ocpp-rpc's server-side client this endpoint uses. */
interface RpcClient {
  identity: string;
  session: Session;
  handle(handler: (call: { method: string; params: unknown; messageId: string }) => Promise<unknown>): void;
  close(options?: { code?: number; reason?: string; force?: boolean }): Promise<unknown>;
  on(event: 'close', listener: () => void): void;
  on(event: 'badMessage', listener: (event: { buffer: Buffer; error: Error; response: unknown[] | null }) => void): void;
}

interface Connection {
  client: RpcClient;
  session: Session;
  /** Settles when the answer to the latest CALL went out: answers leave in the order the CALLs came. */
  lastAnswer: Promise<unknown>;
  replaced: boolean;
  openedAt: number;
}

/**
 * The `ocpp` role: an OCPP 1.6J central system that only reports (shared/spec/ocpp-1.6j.md).
 * ocpp-rpc does the OCPP-J framing, WebSocket ping and Basic-auth parsing; every CALL is checked
 * here, in the order it came, against the library's OCPP 1.6 schemas, turned into the telemetry
 * contract's samples and answered once the batch holding them committed. No state another
 * process needs lives here: transaction ids come from PostgreSQL, so processes of this role can
 * stand behind any load balancer.
 */
@Injectable()
export class OcppEndpointService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OcppEndpointService.name);
  private readonly validator = createValidator(SUBPROTOCOL, OCPP16_SCHEMAS);
  private readonly connections = new Map<string, Connection>();
  private readonly verified = new Map<string, string>();
  private readonly lastMessages = new Map<string, number>();
  private rpc: RPCServer | undefined;
  private http: Server | undefined;
  private store: OcppStore | undefined;
  private touchTimer: NodeJS.Timeout | undefined;
  /** This process among the `ocpp` processes, for the replacement notices they exchange through Redis. */
  private readonly instance = randomUUID();
  private subscriber: Redis | undefined;
  private handshakesRunning = 0;
  private readonly handshakesWaiting: Array<() => void> = [];

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly chargePoints: ChargePointsService,
    private readonly repository: OcppRepository,
    private readonly raw: RawSampleRepository,
    private readonly queue: QueueService,
    private readonly metrics: OcppMetrics,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly health: HealthIndicators,
  ) {}

  /** Where `ocpp` processes say that a charge point connected to them (channels take no key prefix: it is added here). */
  private get connectedChannel(): string {
    return `${this.config.redisKeyPrefix}:ocpp:connected`;
  }

  /** The port the endpoint listens on (OCPP_PORT; the one the system chose for 0). */
  get port(): number {
    return (this.http?.address() as AddressInfo | null)?.port ?? this.config.ocpp.port;
  }

  async onApplicationBootstrap() {
    const ingest = this.config.ingest;
    // No batch wait (the MQTT ingest's INGEST_BATCH_MAX_WAIT_MS): a charge point sends its next call only after the answer, so a
    // wait would be added to every call of its queue. Calls that arrive while the flush slots are busy still go in one batch.
    this.store = new OcppStore(
      { maxEntries: 2000, maxRows: ingest.batchMaxRows, maxWaitMs: 0, maxConcurrentFlushes: ingest.concurrentFlushes },
      this.raw,
      new DerivationEnqueuer(this.queue),
      this.metrics,
    );
    await this.raw.ensurePartitionsAhead(new Date(), 2);
    this.rpc = new RPCServer({
      protocols: [SUBPROTOCOL],
      // Validation runs in handle(), in the order of the CALLs, so that its CALLERRORs do not overtake earlier answers.
      strictMode: false,
      pingIntervalMs: this.config.ocpp.pingIntervalMs,
      callTimeoutMs: 30_000,
      // ws closes a connection whose frame is larger with 1009 (message too big).
      wssOptions: { maxPayload: MAX_FRAME_BYTES },
    });
    this.rpc.auth((accept, reject, handshake) => void this.authenticate(accept, reject, handshake));
    this.rpc.on('client', (client: RpcClient) => this.connected(client));
    this.rpc.on('error', (error: Error) => this.logger.warn({ err: error }, 'OCPP server error'));
    this.metrics.countConnections = () => this.connections.size;
    const rpc = this.rpc;
    this.http = createServer((_request, response) => {
      response.statusCode = 404;
      response.end();
    });
    // ocpp-rpc decodes the path before its own error handling: a malformed escape must be a 404, not an unhandled rejection.
    this.http.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
      if (!ocppPath(request.url)) return this.refuseUpgrade(socket, 404, 'Not found', request.url);
      rpc.handleUpgrade(request, socket, head).catch(() => socket.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      this.http!.once('error', reject);
      this.http!.listen(this.config.ocpp.port, () => resolve());
    });
    this.touchTimer = setInterval(() => void this.flushLastMessages(), TOUCH_EVERY_MS);
    this.subscriber = this.redis.duplicate();
    this.subscriber.on('message', (_channel: string, message: string) => this.connectedElsewhere(message));
    this.subscriber.on('error', (error) => this.logger.debug({ err: error }, 'OCPP replacement notices: Redis subscriber error'));
    await this.subscriber.subscribe(this.connectedChannel);
    this.health.register('ocpp', () => ({ status: this.http?.listening ? 'up' : 'degraded', port: this.port, connections: this.connections.size }));
    this.logger.log({ port: this.port }, 'OCPP 1.6J endpoint listening');
  }

  /**
   * CALLs in hand still commit and are answered (with the database away: answered with an error,
   * not retried), then the connections close, each an `offline` event.
   */
  async beforeApplicationShutdown() {
    clearInterval(this.touchTimer);
    this.store?.beginStop();
    await Promise.allSettled([...this.connections.values()].map((connection) => connection.lastAnswer));
    await this.rpc?.close({ code: 1001, reason: 'Central system shutting down' });
    await new Promise((resolve) => (this.http ? this.http.close(resolve) : resolve(undefined)));
    await this.store?.stop();
    await this.flushLastMessages();
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }

  private refuseUpgrade(socket: Socket, status: number, message: string, url: string | undefined) {
    this.metrics.refused.inc({ status: String(status) });
    this.logger.warn({ status, url }, `OCPP handshake refused: ${message}`);
    if (socket.writable) socket.end(`HTTP/1.1 ${status} ${message}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    else socket.destroy();
  }

  private async authenticate(
    accept: (session: Session, protocol: string) => void,
    reject: (status: number, message: string) => void,
    handshake: { identity: string; protocols: Set<string>; password?: Buffer; remoteAddress?: string },
  ) {
    const refuse = (status: number, message: string) => {
      this.metrics.refused.inc({ status: String(status) });
      // Never the password: the log says who tried and why it was refused.
      this.logger.warn({ status, chargeBoxId: handshake.identity, remoteAddress: handshake.remoteAddress }, `OCPP handshake refused: ${message}`);
      reject(status, message);
    };
    if (!handshake.protocols.has(SUBPROTOCOL)) return refuse(400, `Subprotocol ${SUBPROTOCOL} required`);
    if (!DEVICE_ID.test(handshake.identity)) return refuse(404, 'Unknown charge point');
    // A finishing handshake hands its slot straight to the next one waiting.
    if (this.handshakesRunning < CONCURRENT_HANDSHAKES) this.handshakesRunning++;
    else await new Promise<void>((resolve) => this.handshakesWaiting.push(resolve));
    try {
      const credentials = await this.chargePoints.ocppCredentials(handshake.identity);
      if (!credentials) return refuse(404, 'Unknown charge point');
      if (!handshake.password || !credentials.passwordHash || !(await this.passwordMatches(credentials.id, handshake.password, credentials.passwordHash))) {
        return refuse(401, 'Unauthorized');
      }
      accept({ chargePointId: credentials.id, deviceId: handshake.identity }, SUBPROTOCOL);
    } catch (error) {
      this.logger.error({ err: error, chargeBoxId: handshake.identity }, 'OCPP handshake failed');
      reject(503, 'Service unavailable');
    } finally {
      const next = this.handshakesWaiting.shift();
      if (next) next();
      else this.handshakesRunning--;
    }
  }

  private async passwordMatches(chargePointId: string, password: Buffer, hash: string): Promise<boolean> {
    // The cache holds the stored hash with the password: a rotation (a new hash) misses it.
    const key = `${hash}\u0000${password.toString('base64')}`;
    if (this.verified.get(chargePointId) === key) return true;
    if (!(await verifyOcppPassword(password, hash))) return false;
    if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.clear();
    this.verified.set(chargePointId, key);
    return true;
  }

  private connected(client: RpcClient) {
    const session = client.session;
    const connection: Connection = { client, session, lastAnswer: Promise.resolve(), replaced: false, openedAt: Date.now() };
    this.replace(this.connections.get(session.deviceId));
    this.connections.set(session.deviceId, connection);
    this.connectionEvent(session, 'online');
    // Behind a load balancer the old connection may be in another process: each closes its own on this notice.
    this.redis
      .publish(this.connectedChannel, JSON.stringify({ deviceId: session.deviceId, instance: this.instance, openedAt: connection.openedAt }))
      .catch((error) => this.logger.warn({ err: error, chargeBoxId: session.deviceId }, 'Could not tell other OCPP processes of a new connection'));
    client.handle((call) => this.inOrder(connection, call.method, call.params));
    client.on('badMessage', (event) => this.badMessage(session, event));
    client.on('close', () => {
      if (this.connections.get(session.deviceId) === connection) this.connections.delete(session.deviceId);
      if (!connection.replaced) this.connectionEvent(session, 'offline');
    });
  }

  /** The charge point stays online: the old socket's close is no `offline` event. */
  private replace(previous: Connection | undefined) {
    if (!previous) return;
    previous.replaced = true;
    void previous.client.close({ code: 1000, reason: 'Replaced by a new connection' });
  }

  private connectedElsewhere(message: string) {
    let notice: { deviceId?: unknown; instance?: unknown; openedAt?: unknown };
    try {
      notice = JSON.parse(message);
    } catch {
      return;
    }
    if (notice.instance === this.instance || typeof notice.deviceId !== 'string') return;
    const connection = this.connections.get(notice.deviceId);
    // A notice that arrives after the charge point came back here speaks of an older connection.
    if (!connection || (typeof notice.openedAt === 'number' && connection.openedAt > notice.openedAt)) return;
    this.connections.delete(notice.deviceId);
    this.replace(connection);
  }

  /** Opening and closing the socket are `online` / `offline` at the server's time, stored like an MQTT connection message. */
  private connectionEvent(session: Session, state: 'online' | 'offline') {
    const now = Date.now();
    const rows = emptyBatch();
    rows.connectionEvents.push({ deviceKind: 'charge_point', deviceRef: session.chargePointId, ts: now, receivedAt: now, state });
    this.store!.store(rows).catch((error) => this.logger.error({ err: error, chargeBoxId: session.deviceId, state }, 'Connection event not stored'));
  }

  /** Processing starts at once (so that calls of many connections share batches); the answer waits for the previous one. */
  private inOrder(connection: Connection, action: string, params: unknown): Promise<unknown> {
    const result = this.answer(connection.session, action, params);
    const answer = connection.lastAnswer.then(() => result);
    connection.lastAnswer = answer.catch(() => undefined);
    return answer;
  }

  private async answer(session: Session, action: string, params: unknown): Promise<unknown> {
    const receivedAt = Date.now();
    this.lastMessages.set(session.chargePointId, receivedAt);
    this.metrics.calls.inc({ action: isChargePointAction(action) || UNSUPPORTED_ACTIONS.has(action) ? action : 'other' });
    try {
      if (!isChargePointAction(action)) {
        const code = UNSUPPORTED_ACTIONS.has(action) ? 'NotSupported' : 'NotImplemented';
        await this.deadLetter(session, action, params, 'unknown_topic', `OCPP action ${action.slice(0, 64)} is not taken by this central system (${code})`, receivedAt);
        throw createRPCError(code, `${action.slice(0, 64)} is not ${code === 'NotSupported' ? 'supported' : 'implemented'} by this central system`, {});
      }
      try {
        this.validator.validate(`urn:${action}.req`, params);
      } catch (error) {
        const rpcError = error as Error & { rpcErrorCode?: string };
        await this.deadLetter(session, action, params, 'schema_violation', rpcError.message, receivedAt);
        // Without the library's details: they repeat the whole payload back.
        throw createRPCError(rpcError.rpcErrorCode ?? 'FormatViolation', rpcError.message, {});
      }
      return await this.take(session, action, params as Payload, receivedAt);
    } catch (error) {
      const code = (error as { rpcErrorCode?: string }).rpcErrorCode;
      if (!code) {
        this.logger.error({ err: error, chargeBoxId: session.deviceId, action }, 'OCPP call failed');
        this.metrics.callErrors.inc({ code: 'InternalError' });
        throw createRPCError('InternalError', 'The central system could not store this message; send it again', {});
      }
      this.metrics.callErrors.inc({ code: code === 'FormatViolation' ? 'FormationViolation' : code === 'OccurenceConstraintViolation' ? 'OccurrenceConstraintViolation' : code });
      throw error;
    }
  }

  private async take(session: Session, action: (typeof CHARGE_POINT_ACTIONS)[number], payload: Payload, receivedAt: number): Promise<unknown> {
    const context = this.normaliseContext(receivedAt);
    const rows = emptyBatch();
    const chargePointId = session.chargePointId;
    /** A sample the contract refuses: a dead letter, and the CALL answered with a CALLERROR naming the reason. */
    const refuse = async (error: unknown): Promise<never> => {
      if (!(error instanceof Rejection)) throw error;
      await this.deadLetter(session, action, payload, error.reason, error.detail, receivedAt);
      throw createRPCError('PropertyConstraintViolation', `${error.reason}: ${error.detail}`, {});
    };
    switch (action) {
      case 'BootNotification': {
        const boot = {
          vendor: String(payload.chargePointVendor),
          model: String(payload.chargePointModel),
          serial: stringOrNull(payload.chargePointSerialNumber ?? payload.chargeBoxSerialNumber),
          firmware: stringOrNull(payload.firmwareVersion),
        };
        await this.repository.saveBoot(chargePointId, boot, receivedAt);
        return { status: 'Accepted', currentTime: new Date().toISOString(), interval: this.config.ocpp.heartbeatIntervalSeconds };
      }
      case 'Heartbeat':
        return { currentTime: new Date().toISOString() };
      case 'Authorize':
        return { idTagInfo: { status: 'Accepted' } };
      case 'DataTransfer':
        return { status: 'UnknownVendorId' };
      case 'DiagnosticsStatusNotification':
      case 'FirmwareStatusNotification':
        this.logger.log({ chargeBoxId: session.deviceId, action, status: payload.status }, `${action} from ${session.deviceId}`);
        return {};
      case 'StatusNotification': {
        const sample = await Promise.resolve()
          .then(() => statusSample(payload, context))
          .catch(refuse);
        rows.statusSamples.push(Object.assign(sample, { chargePointId }));
        await this.store!.store(rows);
        return {};
      }
      case 'MeterValues': {
        const transactionId = payload.transactionId === undefined ? null : String(payload.transactionId);
        this.addMeterValues(session, action, payload.meterValue as Payload[], payload.connectorId as number, transactionId, rows, context);
        await this.store!.store(rows);
        return {};
      }
      case 'StartTransaction': {
        const ts = await Promise.resolve()
          .then(() => readOcppTimestamp(payload.timestamp, context))
          .catch(refuse);
        const transactionId = await this.repository.issueTransactionId(chargePointId, payload.connectorId as number, ts, payload.meterStart as number);
        const event = await Promise.resolve()
          .then(() => startEvent(payload, transactionId, context))
          .catch(refuse);
        rows.transactionEvents.push(Object.assign(event, { chargePointId }));
        await this.store!.store(rows);
        return { transactionId, idTagInfo: { status: 'Accepted' } };
      }
      case 'StopTransaction': {
        const ts = await Promise.resolve()
          .then(() => readOcppTimestamp(payload.timestamp, context))
          .catch(refuse);
        const { connectorId, transactionId } = await this.stoppedTransaction(chargePointId, payload.transactionId as number, ts);
        const event = await Promise.resolve()
          .then(() => stopEvent(payload, connectorId, transactionId, context))
          .catch(refuse);
        rows.transactionEvents.push(Object.assign(event, { chargePointId }));
        const data = payload.transactionData as Payload[] | undefined;
        if (data) this.addMeterValues(session, action, data, connectorId, transactionId, rows, context);
        await this.store!.store(rows);
        return payload.idTag === undefined ? {} : { idTagInfo: { status: 'Accepted' } };
      }
    }
  }

  /**
   * The connector and stored transaction id of a stop. An id this service issued names both. Any
   * other (the charge point was offline, or another central system answered its start) is kept
   * in ocpp_unmatched_stops and ends the transaction still open on the charge point by time, so
   * that the session closes as it did; with none open, the stop stands alone under the charge
   * point's id on connector 0 and the session is flagged `noStart` by the derivation.
   */
  private async stoppedTransaction(chargePointId: string, id: number, ts: number): Promise<{ connectorId: number; transactionId: string }> {
    const connectorId = await this.repository.issuedConnector(chargePointId, id);
    if (connectorId !== undefined) return { connectorId, transactionId: String(id) };
    const open = await this.repository.openTransactionBefore(chargePointId, ts);
    const stop = open ?? { connectorId: 0, transactionId: String(id) };
    await this.repository.recordUnmatchedStop(chargePointId, id, ts, stop.connectorId, open?.transactionId ?? null);
    return stop;
  }

  private addMeterValues(session: Session, action: string, meterValues: Payload[], connectorId: number, transactionId: string | null, rows: RawBatch, context: NormaliseContext) {
    const reading = meterSamples(meterValues, connectorId, transactionId, context, (index, error) => {
      if (!(error instanceof Rejection)) throw error;
      rows.deadLetters.push(this.deadLetterRow(session, action, meterValues[index], error.reason, error.detail, context.now, index));
    });
    for (const sample of reading.samples) rows.meterSamples.push(Object.assign(sample, { chargePointId: session.chargePointId }));
    if (reading.otherValues) this.metrics.otherValues.inc(reading.otherValues);
  }

  /** A frame ocpp-rpc could not read as OCPP-J, or a response to a call never made. */
  private badMessage(session: Session, event: { buffer: Buffer; error: Error; response: unknown[] | null }) {
    if (!event.response) {
      this.metrics.unsolicited.inc();
      return;
    }
    // ocpp-rpc answers with OCPP 2.0's RpcFrameworkError; in OCPP 1.6 a frame that is not OCPP-J is a FormationViolation.
    if (!OCPP16_ERROR_CODES.has(String(event.response[2]))) event.response[2] = 'FormationViolation';
    this.metrics.callErrors.inc({ code: String(event.response[2]) });
    const text = event.buffer.toString('utf8');
    const reason: RejectionReason = isJson(text) ? 'schema_violation' : 'malformed_json';
    const rows = emptyBatch();
    rows.deadLetters.push(
      deadLetter(`ocpp/${session.deviceId}`, session.deviceId, reason, `not an OCPP-J frame: ${event.error.message}`, null, redactIdTags(event.buffer, this.config.ingest.idTagSecret), Date.now()),
    );
    this.store!.store(rows).catch((error) => this.logger.error({ err: error, chargeBoxId: session.deviceId }, 'Dead letter not stored'));
  }

  private async deadLetter(session: Session, action: string, params: unknown, reason: RejectionReason, detail: string, receivedAt: number) {
    const rows = emptyBatch();
    rows.deadLetters.push(this.deadLetterRow(session, action, params, reason, detail, receivedAt, null));
    await this.store!.store(rows);
  }

  private deadLetterRow(session: Session, action: string, params: unknown, reason: RejectionReason, detail: string, receivedAt: number, index: number | null) {
    const payload = redactIdTags(Buffer.from(JSON.stringify(params ?? null)), this.config.ingest.idTagSecret);
    return deadLetter(`ocpp/${session.deviceId}/${action.slice(0, 64)}`, session.deviceId, reason, detail, index, payload, receivedAt);
  }

  private normaliseContext(now: number): NormaliseContext {
    return { now, horizonMs: this.config.ingest.backfillHorizonDays * 86_400_000, futureToleranceMs: FUTURE_TOLERANCE_MS, idTagSecret: this.config.ingest.idTagSecret };
  }

  private async flushLastMessages() {
    if (this.lastMessages.size === 0) return;
    const pending = new Map(this.lastMessages);
    this.lastMessages.clear();
    try {
      await this.repository.touch(pending);
    } catch (error) {
      for (const [id, at] of pending) if (!this.lastMessages.has(id)) this.lastMessages.set(id, at);
      this.logger.warn({ err: error }, 'Last OCPP message times not written; retrying');
    }
  }
}

function ocppPath(url: string | undefined): boolean {
  const path = (url ?? '').split('?')[0];
  const match = /^\/ocpp\/([^/]+)$/.exec(path);
  if (!match) return false;
  try {
    decodeURIComponent(match[1]);
    return true;
  } catch {
    return false;
  }
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
