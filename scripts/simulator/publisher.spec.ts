import { PassThrough } from 'node:stream';
import type { WireMessage } from './dialects/wire';
import { LineSink, MqttSink, PublishClient, RateLimiter } from './publisher';

const TELEMETRY = '[{"ts":"2019-01-01T00:00:00Z","odometerKm":1}]';
/** A contract message of the device: telemetry, or its connection state when `state` is given. */
const message = (deviceId: string, payload = TELEMETRY, state?: 'online'): WireMessage => ({
  topic: `fleet/v1/vehicles/${deviceId}/${state ? 'connection' : 'telemetry'}`,
  payload: state ?? payload,
  retain: state !== undefined,
  qos: 1,
  deviceId,
  json: state === undefined,
});

/** A broker that acknowledges when told to. */
class FakeClient implements PublishClient {
  readonly published: { topic: string; payload: string; retain: boolean; qos: 0 | 1 }[] = [];
  private readonly acks: (() => void)[] = [];
  maxPending = 0;

  publishAsync(topic: string, payload: string, options: { qos: 0 | 1; retain: boolean }): Promise<unknown> {
    this.published.push({ topic, payload, retain: options.retain, qos: options.qos });
    return new Promise((resolve) => {
      this.acks.push(() => resolve(undefined));
      this.maxPending = Math.max(this.maxPending, this.acks.length);
    });
  }

  ack(): void {
    this.acks.shift()?.();
  }

  get pending(): number {
    return this.acks.length;
  }

  async endAsync(): Promise<void> {}
}

describe('publisher', () => {
  it('keeps at most a window of publishes unacknowledged and drains them', async () => {
    const client = new FakeClient();
    const sink = new MqttSink([client], 3);
    let handedOver = 0;
    const publishing = (async () => {
      for (let i = 0; i < 10; i += 1) {
        await sink.publish(message('veh-a', `p${i}`));
        handedOver += 1;
      }
    })();
    await new Promise((resolve) => setImmediate(resolve));
    expect(handedOver).toBe(3);
    while (client.published.length < 10 || client.pending > 0) {
      client.ack();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await publishing;
    await sink.drain();
    expect(client.maxPending).toBeLessThanOrEqual(3);
    expect(client.published.map((p) => p.payload)).toEqual(Array.from({ length: 10 }, (_, i) => `p${i}`));
  });

  it('keeps each device on one connection and passes retain and QoS', async () => {
    const clients = [new FakeClient(), new FakeClient(), new FakeClient()];
    const sink = new MqttSink(clients, 100);
    for (const id of ['veh-a', 'veh-b', 'veh-c', 'veh-a', 'veh-b', 'veh-a']) await sink.publish(message(id, id));
    await sink.publish(message('veh-a', '', 'online'));
    await sink.publish({ topic: 'ovms/sim/veh-b/metric/v/e/on', payload: 'yes', retain: true, qos: 0, deviceId: 'veh-b', json: false });
    for (const client of clients) {
      const devices = new Set(client.published.filter((p) => p.topic.startsWith('fleet/')).map((p) => p.topic.split('/')[3]));
      expect(devices.size).toBeLessThanOrEqual(3);
      for (const other of clients.filter((c) => c !== client)) {
        expect(other.published.some((p) => devices.has(p.topic.split('/')[3]))).toBe(false);
      }
    }
    const all = clients.flatMap((c) => c.published);
    expect(all.find((p) => p.payload === 'online')?.retain).toBe(true);
    expect(all.find((p) => p.payload === 'yes')).toMatchObject({ qos: 0, retain: true });
    expect(clients.find((c) => c.published.some((p) => p.payload === 'yes'))).toBe(clients.find((c) => c.published.some((p) => p.payload === 'veh-b')));
  });

  it('writes dry-run lines with the payload as JSON', async () => {
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
    const sink = new LineSink(out);
    await sink.publish(message('veh-a'));
    await sink.publish(message('veh-a', '', 'online'));
    await sink.publish({ topic: 'ovms/sim/veh-a/metric/v/p/odometer', payload: '23422', retain: true, qos: 0, deviceId: 'veh-a', json: false });
    const lines = chunks
      .join('')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as unknown);
    expect(lines).toEqual([
      { topic: 'fleet/v1/vehicles/veh-a/telemetry', payload: [{ ts: '2019-01-01T00:00:00Z', odometerKm: 1 }] },
      { topic: 'fleet/v1/vehicles/veh-a/connection', payload: 'online', retain: true },
      { topic: 'ovms/sim/veh-a/metric/v/p/odometer', payload: '23422', retain: true, qos: 0 },
    ]);
  });

  it('limits the message rate', async () => {
    let clock = 0;
    const limiter = new RateLimiter(
      100,
      () => clock,
      async (ms) => {
        clock += ms;
      },
    );
    for (let i = 0; i < 110; i += 1) await limiter.take();
    // A burst of a tenth of a second, then 100 per second.
    expect(clock).toBeGreaterThanOrEqual(990);
    expect(clock).toBeLessThan(1100);
  });
});
