import mqtt, { IClientOptions, MqttClient } from 'mqtt';

/**
 * A device-side MQTT client for tests; `publish` resolves when the broker acknowledged (QoS 1).
 *
 * It never reconnects: a publish on a connection the broker has closed rejects at once, and one
 * whose connection closes before its acknowledgement rejects then. (MQTT.js would keep such a
 * message for a reconnect that never comes, and the test would hang.) Mosquitto closes a client's
 * connection after a refused PUBLISH, e.g. one its ACL denies, when max_queued_messages is 0, as in
 * the project's config (fixed in Mosquitto 2.0.22, eclipse-mosquitto/mosquitto#3244).
 */
export class TestPublisher {
  /** Rejects of the publishes waiting for their acknowledgement: one close listener for all of them. */
  private readonly waiting = new Set<(error: Error) => void>();

  private constructor(readonly client: MqttClient) {
    client.on('close', () => {
      for (const reject of this.waiting) reject(new Error('the broker closed the connection before acknowledging'));
      this.waiting.clear();
    });
  }

  /** `options`: e.g. a device's `username` / `password` for a broker with credentials, `protocolVersion: 5`. */
  static async connect(url: string, clientId = `test-publisher-${Math.random().toString(16).slice(2)}`, options: IClientOptions = {}): Promise<TestPublisher> {
    const client = await mqtt.connectAsync(url, { clientId, clean: true, reconnectPeriod: 0, ...options });
    return new TestPublisher(client);
  }

  async publish(topic: string, payload: unknown, options: { qos?: 0 | 1 | 2; retain?: boolean } = {}): Promise<void> {
    const body = Buffer.isBuffer(payload) ? payload : typeof payload === 'string' ? payload : JSON.stringify(payload);
    const { client } = this;
    if (!client.connected) throw new Error(`publish to ${topic}: the connection is closed`);
    await new Promise<void>((resolve, reject) => {
      const closed = (error: Error) => reject(new Error(`publish to ${topic}: ${error.message}`));
      this.waiting.add(closed);
      client.publish(topic, body, { qos: options.qos ?? 1, retain: options.retain ?? false }, (error) => {
        this.waiting.delete(closed);
        if (error) reject(error);
        else resolve();
      });
    });
  }

  /** Disconnects; a connection the broker has closed is only cleaned up (waiting for its unacknowledged messages would never end). */
  close(): Promise<void> {
    return this.client.endAsync(!this.client.connected);
  }
}
