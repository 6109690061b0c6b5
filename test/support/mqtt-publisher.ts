import mqtt, { IClientOptions, MqttClient } from 'mqtt';

/** A device-side MQTT client for tests; `publish` resolves when the broker acknowledged (QoS 1). */
export class TestPublisher {
  private constructor(readonly client: MqttClient) {}

  /** `options`: e.g. a device's `username` / `password` for a broker with credentials, `protocolVersion: 5`. */
  static async connect(url: string, clientId = `test-publisher-${Math.random().toString(16).slice(2)}`, options: IClientOptions = {}): Promise<TestPublisher> {
    const client = await mqtt.connectAsync(url, { clientId, clean: true, reconnectPeriod: 0, ...options });
    return new TestPublisher(client);
  }

  async publish(topic: string, payload: unknown, options: { qos?: 0 | 1 | 2; retain?: boolean } = {}): Promise<void> {
    const body = Buffer.isBuffer(payload) ? payload : typeof payload === 'string' ? payload : JSON.stringify(payload);
    await this.client.publishAsync(topic, body, { qos: options.qos ?? 1, retain: options.retain ?? false });
  }

  close(): Promise<void> {
    return this.client.endAsync();
  }
}
