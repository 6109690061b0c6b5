import mqtt, { IClientOptions, MqttClient } from 'mqtt';
import { Logger } from '@nestjs/common';
import { MqttCredentials } from '../../platform/config/app-config';
import { HeldAcks } from './held-acks';

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
  /** e.g. `$share/klimaklok-ingest/fleet/v1/#` */
  subscription: string;
  /**
   * Called for every message. The broker gets the message's PUBACK once `settled` is called
   * without an error (the message is committed); with an error it never gets one and
   * re-delivers the message after a reconnect. `settled` must be called exactly once.
   */
  onMessage: (topic: string, payload: Buffer, settled: (error?: unknown) => void) => void;
}

/**
 * K MQTT connections with persistent sessions (clean: false) in one shared subscription group.
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
  private stopping = false;

  constructor(private readonly options: PoolOptions) {}

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
    this.logger.log({ connections: this.options.size, subscription: this.options.subscription }, 'Ingest connections up');
  }

  get connectedCount(): number {
    return this.clients.filter((client) => client.connected).length;
  }

  private connect(index: number): MqttClient {
    const clientOptions: IClientOptions = {
      clientId: `${this.options.clientIdPrefix}-${index}`,
      clean: false,
      protocolVersion: 4,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      keepalive: 30,
      resubscribe: true,
      username: this.options.credentials?.username,
      password: this.options.credentials?.password,
      // MQTT.js traces every packet through `debug`; even switched off, that was 1-2 % of the ingest's CPU.
      log: () => undefined,
    };
    const client = mqtt.connect(this.options.url, clientOptions);
    const held = new HeldAcks();
    const send = (client as unknown as { _sendPacket?: SendPacket })._sendPacket?.bind(client);
    if (!send) throw new Error('MQTT.js no longer has _sendPacket: the ingest needs it to hold acknowledgements until commit');
    (client as unknown as { _sendPacket: SendPacket })._sendPacket = (packet, callback, ...rest) => {
      const isHeld = packet.cmd === 'puback' && packet.messageId !== undefined && held.pubackRequested(packet.messageId, () => send(packet, undefined, ...rest));
      if (!isHeld) return send(packet, callback, ...rest);
      callback?.(); // MQTT.js goes on with the next packet; the PUBACK waits for the commit
    };
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
      if (now - pingRescheduledAt >= 1000) {
        pingRescheduledAt = now;
        client.reschedulePing();
      }
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      const ack = packet.qos > 0 && packet.messageId !== undefined ? held.received(packet.messageId) : undefined;
      inHand += 1;
      inHandBytes += payload.length;
      this.options.onMessage(packet.topic, payload, (error) => {
        if (error) this.logger.error({ err: error, topic: packet.topic }, 'Message not stored; not acknowledged');
        if (ack) held.settled(ack, !error);
        inHand -= 1;
        inHandBytes -= payload.length;
        if (inHand >= this.options.inHandPerConnection || inHandBytes >= this.options.inHandBytesPerConnection) return;
        const resume = readNext;
        readNext = undefined;
        resume?.();
      });
      if (inHand < this.options.inHandPerConnection && inHandBytes < this.options.inHandBytesPerConnection) done();
      else readNext = () => done();
    };
    client.on('connect', (connack) => {
      // A persistent session that the broker still has keeps its subscription; subscribe anyway,
      // it is idempotent and covers a broker that lost its state.
      if (!connack.sessionPresent || index === 0) this.logger.log({ clientId: clientOptions.clientId, sessionPresent: connack.sessionPresent }, 'Ingest connection up');
      client.subscribe(this.options.subscription, { qos: 1 }, (error, granted) => {
        if (error) this.logger.error({ err: error }, 'Subscription failed');
        // A broker ACL refuses a subscription with granted QoS 128, not with an error: say so, or ingest would sit idle silently.
        else if (granted?.some((grant) => grant.qos === 128)) {
          this.logger.error({ subscription: this.options.subscription }, 'Subscription refused by the broker: the MQTT_USERNAME user needs read access to it');
        }
      });
    });
    client.on('error', (error) => this.logger.warn({ err: error, clientId: clientOptions.clientId }, 'Ingest connection error'));
    return client;
  }

  /** Closes every connection without acknowledging messages still in hand. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.clients.map((client) => client.endAsync(true).catch(() => undefined)));
    this.clients = [];
  }
}
