import { Inject, Injectable, Logger, BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../../platform/config/app-config';
import { APP_CONFIG } from '../../platform/config/config.module';
import { DatabaseAvailability } from '../../platform/database/database-availability';
import { HealthIndicators } from '../../platform/health/health-indicators';
import { QueueService } from '../../platform/queue/queue.service';
import { DeviceDirectoryService, DeviceEntry, DeviceOwners, ProfileDeviceEntry } from '../../registry/devices/device-directory.service';
import { PublisherProfile } from '../../registry/devices/device-profiles';
import { RawBatch, appendBatch, emptyBatch, sampleRows } from '../storage/raw-batch';
import { RawSampleRepository } from '../storage/raw-sample.repository';
import { TelemetryMetrics } from '../telemetry.metrics';
import { redactIdTags } from '../contract/samples';
import { deviceIdOfTopic } from '../contract/topics';
import { DerivationEnqueuer } from './derivation-enqueuer';
import { DecodeContext, DecodedMessage, DeviceLookup, FUTURE_TOLERANCE_MS, deadLetter, decodeMessage } from './decode-message';
import { MicroBatcher, Settled } from './micro-batcher';
import { MqttConnectionPool } from './mqtt-connection-pool';
import { JSON_DECODERS, ProfileIngest } from '../profiles/profile-ingest';
import { ProfileRoutes, deviceKey } from '../profiles/profile-routes';
import { ChargeTotals } from '../profiles/teslamate/charge-totals';
import { backoffMs, isDataError } from './storage-errors';
import { UnregisteredDevices } from './unregistered-devices';

interface Entry {
  topic: string;
  payload: Buffer;
  receivedAt: number;
  /** Messages received before and with this one (see UnregisteredDevices). */
  seq: number;
  rows: RawBatch;
  /** A contract v1 message (re-decoded if a registration places it); false for a publisher profile's (profiles/). */
  v1: boolean;
}

/** Rejections that a registration made after the device list was loaded may turn into samples. */
const REGISTRY_REJECTIONS: ReadonlySet<string> = new Set(['unknown_device', 'device_kind_mismatch']);

const LIVE_WINDOW_MS = 5 * 60_000;

/**
 * The ingest role: MQTT in, raw tables out. Every message is decoded against the contract and
 * the in-memory device list, batched with others, written in one transaction with its dead
 * letters, and acknowledged only after that transaction committed. While PostgreSQL is down the
 * writes retry with backoff and the connections, each waiting for its acknowledgement, take no
 * more messages: the backlog stays in the broker, memory stays bounded.
 */
@Injectable()
export class IngestService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(IngestService.name);
  private devices = new Map<string, DeviceOwners>();
  private readonly lookup: DeviceLookup = { find: (deviceId) => this.devices.get(deviceId) };
  private readonly unregistered: UnregisteredDevices;
  private profileRoutes = new ProfileRoutes([]);
  /** Publisher identities (`<profile> <identity>`) checked against PostgreSQL, as device ids are by `unregistered`. */
  private readonly unregisteredProfiles: UnregisteredDevices;
  private profiles: ProfileIngest | undefined;
  private readonly chargeTotals = new ChargeTotals();
  private received = 0;
  private pool: MqttConnectionPool | undefined;
  private batcher: MicroBatcher<Entry> | undefined;
  private reloadTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private outageStartedAt: number | undefined;
  private readonly derivation: DerivationEnqueuer;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly directory: DeviceDirectoryService,
    private readonly raw: RawSampleRepository,
    private readonly queue: QueueService,
    private readonly metrics: TelemetryMetrics,
    private readonly health: HealthIndicators,
    private readonly database: DatabaseAvailability,
  ) {
    this.unregistered = new UnregisteredDevices((deviceIds) => this.directory.find(deviceIds));
    this.unregisteredProfiles = new UnregisteredDevices(async (keys) => {
      const entries = await this.directory.findProfileDevices(keys.map((key) => ({ profile: key.slice(0, key.indexOf(' ')), identity: key.slice(key.indexOf(' ') + 1) })));
      for (const entry of entries) this.profileRoutes.add(entry);
      return entries.map((entry) => ({ deviceId: deviceKey(entry.profile, entry.identity), kind: entry.kind, id: entry.id }));
    });
    this.derivation = new DerivationEnqueuer(queue);
  }

  async onApplicationBootstrap() {
    const ingest = this.config.ingest;
    if (ingest.idTagSecretIsDefault) this.logger.warn('ID_TAG_SECRET is not set: idTags are hashed with a development key. Set it in production.');
    await this.reloadDevices();
    await this.directory.watch(() => this.scheduleReload());
    await this.raw.ensurePartitionsAhead(new Date(), 2);
    this.chargeTotals.load(await this.raw.chargeTotals());
    this.batcher = new MicroBatcher<Entry>({
      maxEntries: ingest.connections * ingest.inHandPerConnection,
      maxRows: ingest.batchMaxRows,
      maxWaitMs: ingest.batchMaxWaitMs,
      maxConcurrentFlushes: ingest.concurrentFlushes,
      rowsOf: (entry) => sampleRows(entry.rows) + entry.rows.deadLetters.length,
      flush: (entries) => this.store(entries),
    });
    this.metrics.countInFlight = () => this.batcher?.inFlight ?? 0;
    this.profiles = new ProfileIngest({
      windowMs: ingest.profileAssemblyWindowMs,
      maxOpenWindows: ingest.profileAssemblyMaxDevices,
      // Half of what the connections may hold unacknowledged: windows close early before assembling could stop them reading.
      maxHeldDeliveries: Math.max(1, Math.floor((ingest.connections * ingest.inHandPerConnection) / 2)),
      routes: () => this.profileRoutes,
      recheck: (profile, identity, seq) => this.recheckProfileDevice(profile, identity, seq),
      context: (now) => this.decodeContext(now),
      submit: (entry, settled) => this.batcher!.add({ ...entry, seq: this.received, v1: false }, settled),
      chargeTotals: this.chargeTotals,
      jsonDecoders: JSON_DECODERS,
      count: (profile, outcome) => this.metrics.profileDeliveries.inc({ profile, outcome }),
    });
    this.pool = new MqttConnectionPool({
      url: this.config.mqttUrl,
      credentials: this.config.mqttCredentials,
      clientIdPrefix: `klimaklok-ingest-${ingest.instanceId}`,
      size: ingest.connections,
      inHandPerConnection: ingest.inHandPerConnection,
      inHandBytesPerConnection: ingest.inHandBytesPerConnection,
      subscriptions: this.subscriptions(),
      onMessage: (topic, payload, settled, packet) => this.receive(topic, payload, settled, packet),
      onReconnect: (clientId) => this.metrics.reconnects.inc({ connection: clientId }),
    });
    this.metrics.connectionStates = () => this.pool?.states ?? [];
    this.health.register('ingest', () => this.connectionHealth());
    await this.pool.start();
  }

  /** Before any module closes its connections (the database's among them): the batches in hand still commit and are acknowledged. */
  async beforeApplicationShutdown() {
    this.stopping = true;
    clearTimeout(this.reloadTimer);
    await this.pool?.stop();
    this.profiles?.closeAll(); // what was assembled is stored; its deliveries, unacknowledged, come again and are duplicates
    this.profiles?.stop();
    await this.batcher?.drain();
    await this.derivation.flush();
  }

  /** Degraded while any connection is down or unsubscribed: a connection that hears nothing must not look healthy. */
  private connectionHealth() {
    const now = Date.now();
    const connections = (this.pool?.states ?? []).map((state) => ({
      clientId: state.clientId,
      connected: state.connected,
      subscribed: state.subscribed,
      reconnects: state.reconnects,
      secondsSinceLastMessage: state.lastMessageAt === undefined ? null : Math.round((now - state.lastMessageAt) / 100) / 10,
    }));
    const healthy = connections.length > 0 && connections.every((connection) => connection.connected && connection.subscribed);
    return { status: healthy ? ('up' as const) : ('degraded' as const), connections };
  }

  /** Contract v1's filter and those of every publisher profile in use, each in the shared subscription group. */
  private subscriptions(): string[] {
    const share = `$share/${this.config.ingest.shareGroup}/`;
    return [`${share}${this.config.mqttTopicRoot}/v1/#`, ...this.profileRoutes.subscriptions().map((filter) => share + filter)];
  }

  private receive(topic: string, payload: Buffer, settled: Settled, packet: { qos: number; retain: boolean }): void {
    const receivedAt = Date.now();
    const seq = ++this.received;
    if (!this.isContractTopic(topic)) return this.profiles!.receive({ topic, payload, qos: packet.qos, retain: packet.retain, receivedAt, seq }, settled);
    let decoded: DecodedMessage;
    try {
      decoded = this.decode(topic, payload, receivedAt);
      this.metrics.messages.inc({ stream: topic.slice(topic.lastIndexOf('/') + 1) });
      if (decoded.unknownFields) this.metrics.unknownFields.inc(decoded.unknownFields);
    } catch (error) {
      return settled(error); // never thrown into MQTT.js: the message stays unacknowledged and its connection goes on
    }
    this.batcher!.add({ topic, payload, receivedAt, seq, rows: decoded.rows, v1: true }, settled);
  }

  /** What `<root>/v1/#` matches, `<root>/v1` itself included (an unknown_topic of the contract's, not a profile's). */
  private isContractTopic(topic: string): boolean {
    const v1 = `${this.config.mqttTopicRoot}/v1`;
    return topic.startsWith(v1) && (topic.length === v1.length || topic[v1.length] === '/');
  }

  private decodeContext(now: number): DecodeContext {
    return {
      now,
      horizonMs: this.config.ingest.backfillHorizonDays * 86_400_000,
      futureToleranceMs: FUTURE_TOLERANCE_MS,
      idTagSecret: this.config.ingest.idTagSecret,
      topicRoot: this.config.mqttTopicRoot,
      devices: this.lookup,
    };
  }

  private decode(topic: string, payload: Buffer, receivedAt: number): DecodedMessage {
    return decodeMessage(topic, payload, this.decodeContext(receivedAt));
  }

  /** A publisher identity the in-memory routes do not know, straight from PostgreSQL (amendment 1.1, as for device ids). */
  private async recheckProfileDevice(profile: PublisherProfile, identity: string, seq: number): Promise<ProfileDeviceEntry | undefined> {
    for (let attempt = 0; ; attempt++) {
      try {
        const found = await this.unregisteredProfiles.recheck([{ deviceId: deviceKey(profile, identity), seq }], this.received);
        return found.length > 0 ? this.profileRoutes.find(profile, identity) : undefined;
      } catch (error) {
        if (this.stopping) throw error;
        this.logger.warn({ err: error }, 'Could not check a publisher identity against the registry; retrying');
        await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt)));
      }
    }
  }

  /** Writes a batch, retrying transient failures until it commits; a batch that the database refuses is written message by message. */
  private async store(entries: Entry[]): Promise<void> {
    await this.placeUnknownDevices(entries);
    const batch = emptyBatch();
    for (const entry of entries) appendBatch(batch, entry.rows);
    const outcome = await this.writeWithRetry(batch);
    if (outcome === 'refused') {
      for (const entry of entries) await this.storeAlone(entry);
    }
    this.derivation.committed(batch);
  }

  /**
   * Messages rejected for a device the in-memory list does not know (or knows as the other kind)
   * are checked against PostgreSQL, one query per batch, and decoded again if it was registered
   * meanwhile (amendment 1.1: never an `unknown_device` dead letter after the API answered).
   */
  private async placeUnknownDevices(entries: Entry[]): Promise<void> {
    const unplaced = entries.filter((entry) => entry.v1 && entry.rows.deadLetters.length === 1 && REGISTRY_REJECTIONS.has(entry.rows.deadLetters[0].reason));
    if (unplaced.length === 0) return;
    const messages = unplaced.map((entry) => ({ deviceId: entry.rows.deadLetters[0].deviceId!, seq: entry.seq }));
    let found: DeviceEntry[];
    for (let attempt = 0; ; attempt++) {
      try {
        found = await this.unregistered.recheck(messages, this.received);
        break;
      } catch (error) {
        if (this.stopping) throw error;
        this.logger.warn({ err: error }, 'Could not check unknown devices against the registry; retrying');
        await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt)));
      }
    }
    if (found.length === 0) return;
    for (const entry of found) {
      const known = { ...this.devices.get(entry.deviceId) };
      if (entry.kind === 'vehicle') known.vehicle = entry.id;
      else known.chargePoint = entry.id;
      this.devices.set(entry.deviceId, known);
    }
    for (const entry of unplaced) entry.rows = this.decode(entry.topic, entry.payload, entry.receivedAt).rows;
  }

  /** One message on its own; if even that is refused, the message becomes a dead letter so that it is kept and acknowledged. */
  private async storeAlone(entry: Entry): Promise<void> {
    if ((await this.writeWithRetry(entry.rows)) === 'stored') return;
    const deviceId = deviceIdOfTopic(entry.topic, this.config.mqttTopicRoot);
    const payload = redactIdTags(entry.payload, this.config.ingest.idTagSecret);
    const row = deadLetter(entry.topic, deviceId, 'storage_rejected', 'the database refused the samples of this message', null, payload, Date.now());
    const dead = emptyBatch();
    dead.deadLetters.push(row);
    if ((await this.writeWithRetry(dead)) !== 'stored') throw new Error('dead letter refused by the database');
  }

  private async writeWithRetry(batch: RawBatch): Promise<'stored' | 'refused'> {
    for (let attempt = 0; ; attempt++) {
      if (this.stopping && attempt > 0) throw new Error('ingest stopping: batch left unacknowledged for re-delivery');
      const started = process.hrtime.bigint();
      try {
        const result = await this.raw.write(batch);
        const committedAt = Date.now();
        this.metrics.commitSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
        this.recordStored(batch, result.inserted, result.duplicates, committedAt);
        if (this.outageStartedAt) {
          this.logger.debug({ outageSeconds: Math.round((committedAt - this.outageStartedAt) / 1000) }, 'Database writes resumed');
          this.outageStartedAt = undefined;
        }
        return 'stored';
      } catch (error) {
        if (isDataError(error)) {
          this.logger.warn({ err: error }, 'Database refused a batch; writing its messages one by one');
          return 'refused';
        }
        if (!this.outageStartedAt) {
          this.outageStartedAt = Date.now();
          // An unreachable database is logged once for the process by DatabaseAvailability.
          const level = this.database.isOutage(error) ? 'debug' : 'error';
          this.logger[level]({ err: error }, 'Database write failed; holding messages (the broker keeps the backlog) and retrying');
        }
        this.metrics.writeRetries.inc();
        await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt)));
      }
    }
  }

  private recordStored(batch: RawBatch, inserted: number, duplicates: number, committedAt: number) {
    this.metrics.stored.inc(inserted);
    if (duplicates) this.metrics.duplicates.inc(duplicates);
    this.metrics.batchSize.observe(sampleRows(batch));
    for (const row of batch.deadLetters) this.metrics.rejected.inc({ reason: row.reason });
    for (const sample of batch.vehicleSamples) {
      if (committedAt - sample.ts < LIVE_WINDOW_MS) this.metrics.liveLagSeconds.observe((committedAt - sample.ts) / 1000);
    }
  }

  private scheduleReload() {
    clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => void this.reloadDevices().catch((error) => this.logger.error({ err: error }, 'Device reload failed')), 200);
  }

  private async reloadDevices() {
    const devices = await this.directory.byDeviceId();
    const profileRoutes = new ProfileRoutes(await this.directory.listProfileDevices());
    this.devices = devices;
    this.profileRoutes = profileRoutes;
    this.pool?.setSubscriptions(this.subscriptions());
    this.logger.debug({ devices: devices.size, profileDevices: profileRoutes.size }, 'Device list loaded');
  }
}
