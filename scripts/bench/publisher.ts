/**
 * The bench's device fleet: a child process publishing QoS 1 vehicle telemetry over several MQTT.js
 * connections, either as fast as PUBACKs come (a window of unacknowledged publishes per connection)
 * or at a fixed rate (token bucket). It reports the keys (device, ts) the broker acknowledged.
 */
import mqtt, { MqttClient } from 'mqtt';
import { AckedRun, PublisherConfig, PublisherResult, onParent, tell } from './lib/protocol';

interface Lane {
  client: MqttClient;
  /** Device indexes published on this connection. */
  devices: number[];
  seq: number;
  pos: number;
  inflight: number;
}

let config: PublisherConfig;
let lanes: Lane[] = [];
let topics: string[] = [];
/** Per device, how many messages it sends (max mode). */
let quota: number[] = [];
let maxQuota = 0;
/** Per device, the ts the broker acknowledged. */
let acked: number[][] = [];
/** Per device, the last ts used (fixed mode). */
let lastTs: number[] = [];
let sent = 0;
let ackedCount = 0;
let failed = 0;
const lateness: number[] = [];
let total = 0;
let firstPublishAt = 0;
let lastPublishAt = 0;
let lastAckAt = 0;
let finished = false;
let progressTimer: NodeJS.Timeout | undefined;

function payload(ts: number, seq: number, device: number): string {
  // A plausible moving vehicle; the fields the issue names, all valid under the contract.
  const odometer = (10_000 + device + seq * 0.012).toFixed(3);
  const speed = (seq * 7 + device) % 120;
  const soc = 20 + ((seq + device) % 80);
  const lat = (59.9 + (device % 100) * 0.001).toFixed(5);
  const lon = (10.5 + (seq % 1000) * 0.0001).toFixed(5);
  return `{"ts":${ts},"odometerKm":${odometer},"speedKmh":${speed},"lat":${lat},"lon":${lon},"socPct":${soc}}`;
}

function connect(index: number): Promise<MqttClient> {
  const client = mqtt.connect(config.url, {
    clientId: `bench-publisher-${process.pid}-${index}`,
    clean: true,
    protocolVersion: 4,
    reconnectPeriod: 0,
    keepalive: 60,
    connectTimeout: 10_000,
  });
  client.on('close', () => {
    if (!finished) tell({ type: 'error', message: `publisher connection ${index} closed before the run finished` });
  });
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve(client));
    client.once('error', reject);
  });
}

function publish(lane: Lane, device: number, ts: number, seq: number, onAck?: () => void) {
  if (sent === 0) firstPublishAt = Date.now();
  sent++;
  lane.inflight++;
  lane.client.publish(topics[device], payload(ts, seq, device), { qos: 1 }, (error) => {
    lane.inflight--;
    if (error) failed++;
    else {
      ackedCount++;
      acked[device].push(ts);
    }
    lastAckAt = Date.now();
    onAck?.();
    checkDone();
  });
}

/** max mode: the lane's next (device, seq), devices round robin, or undefined when the lane is done. */
function nextOf(lane: Lane): [number, number] | undefined {
  while (lane.seq < maxQuota) {
    if (lane.pos >= lane.devices.length) {
      lane.pos = 0;
      lane.seq++;
      continue;
    }
    const device = lane.devices[lane.pos++];
    if (lane.seq < quota[device]) return [device, lane.seq];
  }
  return undefined;
}

function pump(lane: Lane) {
  while (lane.inflight < config.window) {
    const next = nextOf(lane);
    if (!next) return;
    const [device, seq] = next;
    publish(lane, device, config.tsBase + seq, seq, () => pump(lane));
  }
  lastPublishAt = Date.now();
}

function runMax() {
  for (const lane of lanes) pump(lane);
}

function runFixed() {
  const start = Date.now();
  const perMs = config.rate / 1000;
  const devices = config.deviceIds.length;
  const tick = () => {
    const now = Date.now();
    const due = Math.min(total, Math.floor((now - start) * perMs));
    while (sent < due) {
      const intended = start + sent / perMs;
      lateness.push(now - intended);
      const device = sent % devices;
      const ts = Math.max(now, lastTs[device] + 1);
      lastTs[device] = ts;
      publish(lanes[device % lanes.length], device, ts, Math.floor(sent / devices));
    }
    lastPublishAt = now;
    if (sent >= total) clearInterval(timer);
  };
  const timer = setInterval(tick, 1);
}

function checkDone() {
  if (finished || sent < total || ackedCount + failed < total) return;
  finished = true;
  clearInterval(progressTimer);
  const runs: AckedRun[] = [];
  acked.forEach((list, device) => {
    list.sort((a, b) => a - b);
    for (let i = 0; i < list.length;) {
      let j = i;
      while (j + 1 < list.length && list[j + 1] === list[j] + 1) j++;
      runs.push([device, list[i], list[j]]);
      i = j + 1;
    }
  });
  const late = Array.from(Float64Array.from(lateness).sort());
  const lateP99Ms = late.length ? late[Math.min(late.length - 1, Math.ceil(0.99 * late.length) - 1)] : 0;
  const result: PublisherResult = { firstPublishAt, lastPublishAt, lastAckAt, sent, acked: ackedCount, failed, lateP99Ms, lateMaxMs: late.at(-1) ?? 0, runs };
  tell({ type: 'done', result });
  void Promise.all(lanes.map((lane) => lane.client.endAsync().catch(() => undefined)));
}

onParent<PublisherConfig>({
  async start(received) {
    config = received;
    const devices = config.deviceIds.length;
    topics = config.deviceIds.map((id) => `${config.topicRoot}/v1/vehicles/${id}/telemetry`);
    acked = Array.from({ length: devices }, () => []);
    lastTs = new Array(devices).fill(0);
    if (config.mode === 'max') {
      total = config.messages;
      quota = Array.from({ length: devices }, (_, d) => Math.floor(total / devices) + (d < total % devices ? 1 : 0));
      maxQuota = Math.max(...quota);
    } else {
      total = Math.round(config.rate * config.seconds);
    }
    const clients = await Promise.all(Array.from({ length: config.connections }, (_, i) => connect(i)));
    lanes = clients.map((client, i) => ({
      client,
      devices: Array.from({ length: devices }, (_, d) => d).filter((d) => d % config.connections === i),
      seq: 0,
      pos: 0,
      inflight: 0,
    }));
    tell({ type: 'ready' });
  },
  go() {
    progressTimer = setInterval(() => tell({ type: 'progress', sent, acked: ackedCount, errors: failed }), 1000);
    if (config.mode === 'max') runMax();
    else runFixed();
  },
  async stop() {
    finished = true;
    await Promise.all(lanes.map((lane) => lane.client.endAsync(true).catch(() => undefined)));
  },
});
