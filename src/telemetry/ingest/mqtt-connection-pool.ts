import mqtt, { IClientOptions, MqttClient } from 'mqtt';
import { Logger } from '@nestjs/common';
import { MqttCredentials } from '../../platform/config/app-config';
import { HeldAcks } from './held-acks';

/**
 * The MQTT.js release whose private `_sendPacket` (and `handleMessage` / `reschedulePing`) the pool
 * was read against: holdAcknowledgements replaces them to send a PUBACK only after the commit.
 * package.json pins this exact version; mqtt-version.spec.ts fails when the installed one differs.
 */
export const VERIFIED_MQTT_VERSION = '5.16.0';

type SendPacket = (packet: { cmd: string; messageId?: number }, callback?: (error?: Error) => void, ...rest: unknown[]) => void;

export interface PoolOptions {
  url: string;
  /** The service's broker login (MQTT_USERNAME / MQTT_PASSWORD); anonymous without. */
  credentials?: MqttCredentials;
  /** Client ids are `${clientIdPrefix}-${index}`: stable, so that the broker keeps each connection's session. */
  clientIdPrefix: string;
  size: number;
  /** Messages a connection may hold unacknowledged before it stops reading from the broker. */
  inHandPerConnection: number;
  /** Payload bytes a connection may hold unacknowledged before it stops reading (whichever limit comes first). */
  inHandBytesPerConnection: number;
  /** Topic filters subscribed on every connect, e.g. `$share/klimaklok-ingest/fleet/v1/#` (a device profile adds its own). */
  subscriptions: string[];
  /**
   * Called for every message. The broker gets the message's PUBACK once `settled` is called
   * without an error (the message is committed); with an error it never gets one and
   * re-delivers the message after a reconnect. `settled` must be called exactly once.
   */
  onMessage: (topic: string, payload: Buffer, settled: (error?: unknown) => void, packet: { qos: number; retain: boolean }) => void;
  /** Called when a connection comes back after it was lost (for the reconnect metric). */
  onReconnect?: (clientId: string) => void;
}

/** What /health and /metrics say of one connection. */
export interface ConnectionState {
  clientId: string;
  connected: boolean;
  /** The broker granted every subscription (QoS 1) on the current connection. */
  subscribed: boolean;
  reconnects: number;
  /** Epoch ms of the last message received, or undefined before the first. */
  lastMessageAt: number | undefined;
}

/** Retry of a subscription the broker refused or that failed, while the connection stays up. */
const SUBSCRIBE_RETRY_MS = 5000;

/**
 * K MQTT connections with persistent sessions (clean: false) in one shared subscription group.
 *
 * Each connection subscribes itself on every connect and checks the SUBACK, whatever the broker
 * says it kept: Mosquitto 2.0 restores a persistent session after a restart without its shared
 * subscriptions, and MQTT.js's own `resubscribe` skips topics it believes subscribed (with it on,
 * the ingest sent no SUBSCRIBE after a broker restart and went deaf). `resubscribe` is off so that
 * every `subscribe` call really reaches the broker. A refused subscription is retried every
 * SUBSCRIBE_RETRY_MS; until it is granted the connection counts as not subscribed (`states`).
 *
 * The PUBACK of a QoS 1 message is sent only after the message is committed: that is the
 * durability point. MQTT.js handles one packet per connection at a time and sends the PUBACK as
 * soon as `handleMessage`'s callback runs, so holding the callback until the commit would allow
 * one message per connection in flight (and keep ping replies waiting behind it, which drops the
 * connection on keepalive during a backlog). Instead the callback runs at once and the PUBACK
 * itself is held: `_sendPacket` is wrapped to defer each PUBACK until its message's commit.
 * Acks go out in arrival order, since batches are settled in arrival order. A connection with
 * `inHandPerConnection` messages or `inHandBytesPerConnection` payload bytes unacknowledged stops
 * reading until one commits, which bounds memory and leaves the backlog in the broker. While it
 * reads nothing it cannot see the broker's ping replies either, so the limits must hold less work
 * than can be committed within the keepalive interval.
 */
export class MqttConnectionPool {
  private readonly logger = new Logger(MqttConnectionPool.name);
  private clients: MqttClient[] = [];
  private readonly connectionStates: ConnectionState[] = [];
  private stopping = false;
  private subscriptions: string[];
  /** Each connection's subscribe-now (of the given filters, else all), for a change of the filters while it is up. */
  private readonly resubscribers: Array<(filters?: string[]) => void> = [];

  constructor(private readonly options: PoolOptions) {
    this.subscriptions = [...options.subscriptions];
  }

  /**
   * New topic filters (a device profile came into use or went out of it): each connection
   * subscribes the added filters now and unsubscribes the dropped ones; every connect subscribes
   * the whole set. Only the added ones: a SUBSCRIBE makes the broker send the filter's retained
   * messages again, and a profile's topics may hold thousands.
   */
  setSubscriptions(filters: string[]): void {
    const added = filters.filter((filter) => !this.subscriptions.includes(filter));
    const dropped = this.subscriptions.filter((filter) => !filters.includes(filter));
    this.subscriptions = [...filters];
    for (const [index, client] of this.clients.entries()) {
      if (!client.connected) continue;
      if (dropped.length > 0) client.unsubscribe(dropped);
      if (added.length > 0) this.resubscribers[index]?.(added);
    }
  }

  async start(): Promise<void> {
    this.clients = Array.from({ length: this.options.size }, (_, index) => this.connect(index));
    await Promise.all(
      this.clients.map(
        (client) =>
          new Promise<void>((resolve, reject) => {
            client.once('connect', () => resolve());
            client.once('error', reject);
          }),
      ),
    );
    this.logger.log({ connections: this.options.size, subscriptions: this.subscriptions }, 'Ingest connections up');
  }

  /** A copy of each connection's state, for health and metrics. */
  get states(): ConnectionState[] {
    return this.connectionStates.map((state) => ({ ...state }));
  }

  private connect(index: number): MqttClient {
    const clientOptions: IClientOptions = {
      clientId: `${this.options.clientIdPrefix}-${index}`,
      clean: false,
      protocolVersion: 4,
      // Mosquitto 2.0 drops what devices publish between its restart and our new subscription:
      // come back as soon as it listens (a refused local connect costs next to nothing).
      reconnectPeriod: 100,
      connectTimeout: 10_000,
      keepalive: 30,
      resubscribe: false,
      username: this.options.credentials?.username,
      password: this.options.credentials?.password,
      // MQTT.js traces every packet through `debug`; even switched off, that was 1-2 % of the ingest's CPU.
      log: () => undefined,
    };
    const state: ConnectionState = { clientId: clientOptions.clientId!, connected: false, subscribed: false, reconnects: 0, lastMessageAt: undefined };
    this.connectionStates[index] = state;
    const client = mqtt.connect(this.options.url, clientOptions);
    this.holdAcknowledgements(client, state);
    this.resubscribers[index] = this.watchConnection(client, state);
    return client;
  }

  /**
   * Takes over MQTT.js's message handling: each message goes to `onMessage` at once, its PUBACK
   * waits for the commit, and the connection stops reading while it holds too much.
   */
  private holdAcknowledgements(client: MqttClient, state: ConnectionState) {
    const held = new HeldAcks();
    const send = (client as unknown as { _sendPacket?: SendPacket })._sendPacket?.bind(client);
    if (!send) throw new Error('MQTT.js no longer has _sendPacket: the ingest needs it to hold acknowledgements until commit');
    (client as unknown as { _sendPacket: SendPacket })._sendPacket = (packet, callback, ...rest) => {
      if (packet.cmd !== 'puback' || packet.messageId === undefined) return send(packet, callback, ...rest);
      held.pubackRequested(packet.messageId, () => send(packet, undefined, ...rest));
      callback?.(); // MQTT.js goes on with the next packet; the PUBACK waits for the commit
    };
    client.on('close', () => held.connectionLost());
    let inHand = 0;
    let inHandBytes = 0;
    let readNext: (() => void) | undefined;
    let pingRescheduledAt = 0;
    client.handleMessage = (packet, done) => {
      if (this.stopping) return; // never acknowledged: the broker re-delivers after we are gone
      // A PUBLISH shows the connection alive as well as a PINGRESP would. MQTT.js reschedules its
      // ping only on acks and PINGRESP: during a backlog the PINGRESP queues behind publishes
      // (and the broker's autosaves), came late, and the connection was dropped for keepalive.
      // Once a second is plenty against a 30 s keepalive (a timer reset per message is not).
      const now = Date.now();
      state.lastMessageAt = now;
      if (now - pingRescheduledAt >= 1000) {
        pingRescheduledAt = now;
        client.reschedulePing();
      }
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      const ack = packet.qos > 0 && packet.messageId !== undefined ? held.received(packet.messageId) : undefined;
      inHand += 1;
      inHandBytes += payload.length;
      this.options.onMessage(
        packet.topic,
        payload,
        (error) => {
          if (error) this.logger.error({ err: error, topic: packet.topic }, 'Message not stored; not acknowledged');
          if (ack) held.settled(ack, !error);
          inHand -= 1;
          inHandBytes -= payload.length;
          if (inHand >= this.options.inHandPerConnection || inHandBytes >= this.options.inHandBytesPerConnection) return;
          const resume = readNext;
          readNext = undefined;
          resume?.();
        },
        { qos: packet.qos, retain: packet.retain },
      );
      if (inHand < this.options.inHandPerConnection && inHandBytes < this.options.inHandBytesPerConnection) done();
      else readNext = () => done();
    };
  }

  /**
   * Subscribes on every connect and keeps `state` true to the connection. Logs once per change
   * of state (lost, back, refused), not once per reconnect attempt: a broker down for a minute
   * would otherwise write a line per connection and second.
   */
  private watchConnection(client: MqttClient, state: ConnectionState): () => void {
    let lostAt: number | undefined;
    let retry: NodeJS.Timeout | undefined;
    let refusalLogged = false;
    const subscribe = (filters?: string[]) => {
      clearTimeout(retry);
      if (!client.connected || this.stopping) return;
      const subscriptions = filters ?? this.subscriptions;
      client.subscribe(subscriptions, { qos: 1 }, (error, granted) => {
        // One grant per filter, each at least QoS 1: a grant of QoS 0 would lose messages.
        const refused = subscriptions.filter((topic) => ![1, 2].includes(granted?.find((grant) => grant.topic === topic)?.qos ?? -1));
        if (!error && refused.length === 0) {
          state.subscribed = true;
          if (refusalLogged) this.logger.log({ clientId: state.clientId }, 'Subscription granted after all');
          refusalLogged = false;
          return;
        }
        state.subscribed = false;
        if (!client.connected || this.stopping) return; // lost meanwhile: the next connect subscribes again
        if (!refusalLogged) {
          refusalLogged = true;
          // A broker that denies a subscription answers with granted QoS 128, not with an error.
          const grants = refused.map((topic) => ({ topic, qos: granted?.find((grant) => grant.topic === topic)?.qos ?? null }));
          const reason = error ? error.message : 'refused (QoS 128: the MQTT_USERNAME user may lack read access) or granted below QoS 1';
          this.logger.error({ clientId: state.clientId, grants, reason, retryInMs: SUBSCRIBE_RETRY_MS }, 'Subscription not granted; retrying');
        }
        retry = setTimeout(() => subscribe(), SUBSCRIBE_RETRY_MS);
      });
    };
    client.on('connect', (connack) => {
      state.connected = true;
      state.subscribed = false;
      if (lostAt !== undefined) {
        state.reconnects += 1;
        this.options.onReconnect?.(state.clientId);
        this.logger.warn({ clientId: state.clientId, sessionPresent: connack.sessionPresent, downSeconds: Math.round((Date.now() - lostAt) / 100) / 10 }, 'Ingest connection back');
        lostAt = undefined;
      }
      subscribe();
    });
    client.on('close', () => {
      state.connected = false;
      state.subscribed = false;
      clearTimeout(retry);
      if (lostAt !== undefined || this.stopping) return;
      lostAt = Date.now();
      this.logger.warn({ clientId: state.clientId }, 'Ingest connection lost; reconnecting');
    });
    client.on('error', (error) => {
      // While reconnecting every attempt fails the same way: the loss itself was logged.
      if (lostAt === undefined) this.logger.warn({ err: error, clientId: state.clientId }, 'Ingest connection error');
      else this.logger.debug({ err: error, clientId: state.clientId }, 'Ingest reconnect failed');
    });
    return subscribe;
  }

  /** Closes every connection without acknowledging messages still in hand. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.clients.map((client) => client.endAsync(true).catch(() => undefined)));
    this.clients = [];
  }
}
