import mqtt, { MqttClient } from 'mqtt';

export interface Message {
  topic: string;
  payload: string;
  /** How the test recognises the stored row (see delivery-check's sampleKey). */
  key: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A publisher that behaves as devices in the field do: it reconnects on its own and re-sends
 * every QoS 1 message the broker has not acknowledged. Records when each acknowledgement arrived,
 * so that a test can tell what the broker acknowledged before and after a point in time.
 *
 * It keeps the unacknowledged messages itself and publishes them again after each reconnect
 * (MQTT.js's own outgoing store does not survive every way a connection ends). With
 * `reconnectWhen`, a lost connection is re-established only once that says so (polled every
 * 100 ms): a test uses it to come back after the service has re-subscribed, since Mosquitto 2.0
 * drops what is published between its restart and the ingest's new subscription (see the README's
 * broker section). Without it, it reconnects every second, MQTT.js's default.
 */
export class ResendingPublisher {
  readonly acknowledgedAt = new Map<string, number>();
  private readonly unacknowledged = new Map<string, Message>();
  private closing = false;
  private wake: () => void = () => undefined;

  private constructor(private readonly client: MqttClient) {
    client.on('error', () => undefined); // refused reconnects while the broker is down: it keeps trying
    client.on('connect', () => {
      for (const message of this.unacknowledged.values()) this.send(message);
      this.wake();
    });
  }

  static async connect(url: string, reconnectWhen?: () => Promise<boolean>): Promise<ResendingPublisher> {
    const client = await mqtt.connectAsync(url, {
      clientId: `resending-publisher-${Math.random().toString(16).slice(2)}`,
      clean: true,
      reconnectPeriod: reconnectWhen ? 0 : 1000,
      connectTimeout: 5000,
    });
    const publisher = new ResendingPublisher(client);
    if (reconnectWhen) {
      const attempt = () => {
        if (publisher.closing || client.connected) return;
        void reconnectWhen().then(
          (ready) => (ready ? client.reconnect() : setTimeout(attempt, 100)),
          () => setTimeout(attempt, 100),
        );
      };
      client.on('close', () => setTimeout(attempt, 100));
    }
    return publisher;
  }

  private send(message: Message) {
    this.client.publish(message.topic, message.payload, { qos: 1 }, (error) => {
      // A publish that failed with its connection is sent again after the reconnect.
      if (error || !this.unacknowledged.delete(message.key)) return;
      this.acknowledgedAt.set(message.key, Date.now());
      this.wake();
    });
  }

  /** Until something changes (an acknowledgement, a connect), or 100 ms. */
  private next(): Promise<unknown> {
    return Promise.race([new Promise<void>((resolve) => (this.wake = resolve)), sleep(100)]);
  }

  /**
   * Publishes the messages at about `perSecond`, with at most `window` unacknowledged at once and
   * none while disconnected (an outage pauses it instead of piling up messages), and resolves once
   * every message is acknowledged. `onSent(count)` is called after each publish.
   */
  async publishAll(messages: Message[], perSecond: number, window: number, onSent: (count: number) => void = () => undefined): Promise<void> {
    const started = Date.now();
    for (let i = 0; i < messages.length; i++) {
      const due = started + (i / perSecond) * 1000;
      if (due > Date.now()) await sleep(due - Date.now());
      while (!this.client.connected || this.unacknowledged.size >= window) await this.next();
      this.unacknowledged.set(messages[i].key, messages[i]);
      this.send(messages[i]);
      onSent(i + 1);
    }
    while (this.unacknowledged.size > 0) await this.next();
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.client.endAsync(true);
  }
}
