/**
 * Where the generated messages go: an MQTT broker (QoS 1 over a few connections with a window of
 * unacknowledged publishes, so a backfill is not bound by one round trip per message) or stdout
 * (--dry-run). Also the --rate limiter.
 */
import type { Writable } from 'node:stream';
import mqtt, { MqttClient } from 'mqtt';
import type { WireMessage } from './dialects/wire';
import { hash32 } from './prng';

export interface Sink {
  /** Resolves once the message is handed over and there is room for the next one (not when it is acknowledged). */
  publish(message: WireMessage): Promise<void>;
  /** Resolves when every publish so far is acknowledged. */
  drain(): Promise<void>;
  close(): Promise<void>;
  readonly inFlight: number;
  readonly failures: number;
}

/** The slice of MQTT.js the sink uses, so tests can stand in for a broker. */
export interface PublishClient {
  publishAsync(topic: string, payload: string, options: { qos: 0 | 1; retain: boolean }): Promise<unknown>;
  endAsync(force?: boolean): Promise<void>;
}

export class MqttSink implements Sink {
  private pending = 0;
  private failed = 0;
  private lastError: Error | null = null;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly clients: PublishClient[],
    private readonly window: number,
  ) {}

  static async connect(url: string, connections: number, window: number): Promise<MqttSink> {
    const clients: MqttClient[] = [];
    try {
      for (let index = 0; index < connections; index += 1) {
        clients.push(
          await mqtt.connectAsync(url, {
            clientId: `klimaklok-simulator-${process.pid}-${index}`,
            clean: true,
            protocolVersion: 4,
            reconnectPeriod: 1000,
            connectTimeout: 10_000,
          }),
        );
      }
    } catch (error) {
      await Promise.all(clients.map((client) => client.endAsync(true)));
      throw error;
    }
    return new MqttSink(clients, window);
  }

  get inFlight(): number {
    return this.pending;
  }

  get failures(): number {
    return this.failed;
  }

  async publish(message: WireMessage): Promise<void> {
    while (this.pending >= this.window) await new Promise<void>((resolve) => this.waiters.push(resolve));
    if (this.lastError) throw this.lastError;
    // One device always on the same connection: its messages reach the broker in order.
    const client = this.clients[hash32(message.deviceId) % this.clients.length];
    this.pending += 1;
    client
      .publishAsync(message.topic, message.payload, { qos: message.qos, retain: message.retain })
      .catch((error: unknown) => {
        this.failed += 1;
        this.lastError = error instanceof Error ? error : new Error(String(error));
      })
      .finally(() => {
        this.pending -= 1;
        this.waiters.splice(0).forEach((wake) => wake());
      });
  }

  async drain(): Promise<void> {
    while (this.pending > 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
    if (this.lastError) throw this.lastError;
  }

  async close(force = false): Promise<void> {
    await Promise.all(this.clients.map((client) => client.endAsync(force)));
  }
}

/** --dry-run: one JSON line per message, `{"topic":...,"payload":...}` (plus `"retain":true`, `"qos":0`), minding back-pressure. */
export class LineSink implements Sink {
  readonly inFlight = 0;
  readonly failures = 0;
  /** Called when the reader goes away (EPIPE, e.g. `| head`): nothing more can be written. */
  onBroken: () => void = () => undefined;
  private broken = false;
  private waiting: (() => void)[] = [];

  constructor(private readonly out: Writable) {
    out.on('drain', () => this.waiting.splice(0).forEach((resolve) => resolve()));
    out.on('error', () => {
      this.broken = true;
      this.waiting.splice(0).forEach((resolve) => resolve());
      this.onBroken();
    });
  }

  async publish(message: WireMessage): Promise<void> {
    if (this.broken) return;
    const value = message.json ? message.payload : JSON.stringify(message.payload);
    const line = `{"topic":${JSON.stringify(message.topic)},"payload":${value}${message.retain ? ',"retain":true' : ''}${message.qos === 0 ? ',"qos":0' : ''}}\n`;
    if (!this.out.write(line)) await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  async drain(): Promise<void> {}

  async close(): Promise<void> {}
}

/** Token bucket: `rate` messages per second on average, bursts of a tenth of a second. */
export class RateLimiter {
  private tokens: number;
  private last: number;
  private readonly burst: number;

  constructor(
    private readonly rate: number,
    private readonly now: () => number = () => performance.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {
    this.burst = Math.max(1, rate / 10);
    this.tokens = this.burst;
    this.last = this.now();
  }

  async take(): Promise<void> {
    if (this.rate <= 0) return;
    for (;;) {
      const now = this.now();
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.rate) / 1000);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.sleep(Math.max(1, ((1 - this.tokens) * 1000) / this.rate));
    }
  }
}
