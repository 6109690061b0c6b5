import mqtt, { IClientOptions, MqttClient } from 'mqtt';
import { Logger } from '@nestjs/common';

export interface PoolOptions {
  url: string;
  /** Client ids are `${clientIdPrefix}-${index}`: stable, so that the broker keeps each connection's session. */
  clientIdPrefix: string;
  size: number;
  /** e.g. `$share/klimaklok-ingest/fleet/v1/#` */
  subscription: string;
  /**
   * Called for every message; the connection reads its next packet and the broker gets the
   * PUBACK only after the returned promise settles. It must not reject.
   */
  onMessage: (topic: string, payload: Buffer) => Promise<void>;
}

/**
 * K MQTT connections with persistent sessions (clean: false) in one shared subscription group.
 * MQTT.js handles one packet per connection at a time and sends the PUBACK of a QoS 1 message only
 * when `handleMessage`'s callback runs; holding that callback until the message is committed is
 * what makes the acknowledgement the durability point. K connections keep K messages in flight.
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
    };
    const client = mqtt.connect(this.options.url, clientOptions);
    client.handleMessage = (packet, done) => {
      if (this.stopping) return; // never acknowledged: the broker re-delivers after we are gone
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      this.options.onMessage(packet.topic, payload).then(
        () => done(),
        (error) => this.logger.error({ err: error, topic: packet.topic }, 'Message handler failed; not acknowledged'),
      );
    };
    client.on('connect', (connack) => {
      // A persistent session that the broker still has keeps its subscription; subscribe anyway,
      // it is idempotent and covers a broker that lost its state.
      if (!connack.sessionPresent || index === 0) this.logger.log({ clientId: clientOptions.clientId, sessionPresent: connack.sessionPresent }, 'Ingest connection up');
      client.subscribe(this.options.subscription, { qos: 1 }, (error) => {
        if (error) this.logger.error({ err: error }, 'Subscription failed');
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
