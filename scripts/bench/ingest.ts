/**
 * `npm run bench:ingest`: the ingest pipeline under QoS 1 load, end to end, on this machine.
 *
 * Phases, each on a fresh broker (the project's config via startBroker()) and an empty table:
 *   ceiling   the load to one bare MQTT.js subscriber that only parses JSON;
 *   ours      the load to the ingest role (node dist/src/main.js, APP_ROLES=ingest) at max rate:
 *             committed samples/s, lost, dup, peak RSS;
 *   fixed     the ingest at a fixed rate (default 5,000 msg/s): publish-to-commit latency;
 *   baseline  the naive design (one connection, one TypeORM save() per message) at max rate.
 * INGEST_* variables of the environment are passed to the service (to try its settings).
 * The publisher is a child process of its own (publisher.ts). Everything started is stopped on
 * every way out, the bench database is dropped and the Redis keys of its prefix are deleted.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import mqtt from 'mqtt';
import { RunningBroker, freePort, startBroker } from '../lib/mosquitto';
import { BenchOptions, UsageError, parseArgs } from './lib/args';
import { BenchDatabase, CommitObserver, Verification } from './lib/bench-database';
import { BenchChild, ServiceProcess } from './lib/children';
import { cleanUpOnEveryExit } from './lib/cleanup';
import { CpuMeter, peakRssMiB, pidsNamed, rssMiB } from './lib/proc';
import { BenchProfile, devicesMissingLastRound, publishProfileLoad, registerProfileDevices } from './lib/profile-load';
import { PublisherConfig, PublisherResult } from './lib/protocol';
import { describeIngestMetrics, readIngestMetrics } from './lib/service-metrics';
import { duration, percentile, round, seconds, sortNumbers } from './lib/stats';

const TOPIC_ROOT = 'fleet';
const DATABASE_SERVER = process.env.BENCH_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PROBE_TOPIC = `${TOPIC_ROOT}/v1/vehicles/bench-probe-unregistered/telemetry`;

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const print = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const tag = randomBytes(4).toString('hex');
const redisPrefix = `klimaklok-bench-${tag}`;
const brokers = new Set<RunningBroker>();
let db: BenchDatabase | undefined;
let fleet: { deviceIds: string[]; vehicleIds: string[] };
let options: BenchOptions;

// ---------------------------------------------------------------------------------------------
// Cleanup on every way out

let interrupted = false;
const cleanup = cleanUpOnEveryExit({
  name: 'the bench',
  log,
  brokers: () => brokers,
  database: () => db,
  redisUrl: REDIS_URL,
  redisPrefix,
  onSignal: () => (interrupted = true),
});

// ---------------------------------------------------------------------------------------------
// Building blocks

async function withBroker<T>(run: (broker: RunningBroker) => Promise<T>): Promise<T> {
  const broker = await startBroker();
  brokers.add(broker);
  try {
    return await run(broker);
  } finally {
    brokers.delete(broker);
    await broker.stop();
  }
}

async function startPublisher(url: string, config: Pick<PublisherConfig, 'mode'> & Partial<PublisherConfig>): Promise<BenchChild> {
  const perDevice = Math.ceil((config.messages ?? 0) / options.devices);
  const full: PublisherConfig = {
    url,
    topicRoot: TOPIC_ROOT,
    deviceIds: fleet.deviceIds,
    connections: options.publisherConnections,
    window: options.window,
    messages: 0,
    // ts = tsBase + seq: unique per device, all in the past and well inside the accepted window.
    tsBase: Date.now() - Math.max(2 * 3_600_000, perDevice + 3_600_000),
    rate: options.rate,
    seconds: options.fixedSeconds,
    ...config,
  };
  const publisher = new BenchChild('publisher', 'publisher.js');
  publisher.send({ type: 'start', config: full });
  await publisher.next('ready', 30_000);
  return publisher;
}

/** The ingest role as a process of its own, ready when a probe message has reached the database. */
async function startIngest(broker: RunningBroker, label: string, cpuProf: boolean, withMetrics = options.serviceMetrics): Promise<{ service: ServiceProcess; metricsPort?: number }> {
  const env: Record<string, string> = {
    APP_ROLES: 'ingest',
    DATABASE_URL: db!.url,
    REDIS_URL,
    REDIS_KEY_PREFIX: redisPrefix,
    MQTT_URL: broker.url,
    INGEST_INSTANCE_ID: `bench-${tag}-${label}`,
    ID_TAG_SECRET: `bench-id-tag-secret-${tag}`,
    LOG_LEVEL: 'warn',
  };
  // INGEST_* settings of the bench's own environment reach the service (e.g. INGEST_CONCURRENT_FLUSHES=3 npm run bench:ingest).
  for (const [name, value] of Object.entries(process.env)) if (name.startsWith('INGEST_') && value !== undefined) env[name] = value;
  let metricsPort: number | undefined;
  if (withMetrics) {
    metricsPort = await freePort();
    env.APP_ROLES = 'ingest,api';
    env.PORT = String(metricsPort);
  }
  if (options.ingestConnections !== undefined) env.INGEST_CONNECTIONS = String(options.ingestConnections);
  if (options.batchMaxRows !== undefined) env.INGEST_BATCH_MAX_ROWS = String(options.batchMaxRows);
  if (options.batchMaxWaitMs !== undefined) env.INGEST_BATCH_MAX_WAIT_MS = String(options.batchMaxWaitMs);
  const nodeArgs: string[] = [];
  if (cpuProf && options.cpuProf) {
    // Not allowed in NODE_OPTIONS; the profile is written when the service exits after SIGTERM.
    mkdirSync(options.cpuProf, { recursive: true });
    nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${path.resolve(options.cpuProf)}`);
  }
  const service = new ServiceProcess(env, nodeArgs);
  // An unregistered device: the ingest dead-letters it, which shows that it is subscribed and committing.
  const probe = await mqtt.connectAsync(broker.url, { clientId: `bench-probe-${process.pid}`, clean: true, reconnectPeriod: 0 });
  try {
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (!service.alive) throw new Error(`the ingest service exited during start-up:\n${service.output}`);
      if (Date.now() > deadline) throw new Error(`the ingest service did not take messages within 90 s:\n${service.output}`);
      await probe.publishAsync(PROBE_TOPIC, JSON.stringify({ ts: Date.now(), speedKmh: 1 }), { qos: 1 });
      await sleep(250);
      if ((await db!.deadLetters()).length > 0) break;
    }
  } finally {
    await probe.endAsync();
  }
  await sleep(500); // the rest of the pool's connections subscribe; the probes in flight commit
  await db!.clearDeadLetters();
  return { service, metricsPort };
}

/** The service logs at warn: anything it said during a phase is worth seeing. */
function serviceLogNote(label: string, service: ServiceProcess): void {
  if (service.logLines === 0) return;
  const lines = service.output.split('\n').filter((line) => line.trim());
  log(`${label}: the ingest service logged ${service.logLines} line(s) at warn or above (${service.keepaliveTimeouts} MQTT keepalive timeouts), the last ones:`);
  for (const line of lines.slice(-5)) log(`  ${line.slice(0, 300)}`);
}

async function metricsNote(label: string, metricsPort: number | undefined, seconds: number): Promise<void> {
  if (metricsPort === undefined) return;
  try {
    print(`${label} service metrics: ${describeIngestMetrics(await readIngestMetrics(metricsPort), seconds)}`);
  } catch (error) {
    log(`${label}: could not read the service's metrics: ${(error as Error).message}`);
  }
}

interface Progress {
  /** What the phase waits for: rows committed, messages received. */
  done: number;
  /** Anything that moves while the phase is alive (publisher acks included), for stall detection. */
  activity: number;
  note?: string;
}

/**
 * Samples progress four times a second until `finished`, printing a line every 5 s. Stalls: no activity
 * for `stallMs` before the publisher is done is an error; after it, the drain has ended short and
 * the phase goes on to count what it has ('stalled').
 */
async function monitor(o: {
  label: string;
  total: () => number;
  sample: () => Promise<Progress>;
  finished: (progress: Progress) => Promise<boolean>;
  publisherDone: () => boolean;
  children: BenchChild[];
  service?: ServiceProcess;
  stallMs?: number;
}): Promise<'done' | 'stalled'> {
  const stallMs = o.stallMs ?? 30_000;
  const failure = Promise.race(o.children.map((child) => child.failed()));
  failure.catch(() => undefined);
  const started = Date.now();
  let lastPrintAt = started;
  let lastPrinted = 0;
  let lastActivity = -1;
  let lastChangeAt = started;
  for (;;) {
    await Promise.race([sleep(250), failure]);
    if (o.service && !o.service.alive) throw new Error(`${o.label}: the ingest service exited:\n${o.service.output}`);
    const progress = await o.sample();
    const now = Date.now();
    if (progress.activity !== lastActivity) {
      lastActivity = progress.activity;
      lastChangeAt = now;
    }
    if (await o.finished(progress)) return 'done';
    if (now - lastChangeAt > stallMs) {
      if (!o.publisherDone()) throw new Error(`${o.label}: no progress for ${stallMs / 1000} s (${progress.done} of ${o.total()})`);
      log(`${o.label}: nothing new for ${stallMs / 1000} s, counting what arrived`);
      return 'stalled';
    }
    if (now - lastPrintAt >= 5000) {
      const rate = (progress.done - lastPrinted) / ((now - lastPrintAt) / 1000);
      const average = progress.done / ((now - started) / 1000);
      const total = o.total();
      const eta = average > 0 ? ((total - progress.done) / average) * 1000 : Infinity;
      log(
        `${o.label}: ${progress.done}/${total} (${Math.floor((100 * progress.done) / Math.max(1, total))}%), ` +
          `${Math.round(rate)}/s now, ${Math.round(average)}/s average, ETA ${duration(eta)}${progress.note ? `, ${progress.note}` : ''}`,
      );
      lastPrintAt = now;
      lastPrinted = progress.done;
    }
  }
}

/**
 * Whether every message the publisher had acknowledged is committed. The commit observer may miss
 * a few rows that one writer put on a page far behind another's (the table grows by many pages at
 * once); once its count stands still for a second, a count(*) settles it instead of a stall.
 */
function allCommitted(publisher: BenchChild): (progress: Progress) => Promise<boolean> {
  let lastDone = -1;
  let sameSince = Date.now();
  return async ({ done }) => {
    const { result } = publisherProgress(publisher);
    if (result === undefined) return false;
    if (done !== lastDone) {
      lastDone = done;
      sameSince = Date.now();
    }
    if (done < result.acked && Date.now() - sameSince < 1000) return false;
    return (await db!.count()) >= result.acked;
  };
}

function publisherProgress(publisher: BenchChild): { acked: number; sent: number; result?: PublisherResult } {
  const done = publisher.last.done;
  if (done?.type === 'done') return { acked: done.result.acked, sent: done.result.sent, result: done.result };
  const progress = publisher.last.progress;
  return progress?.type === 'progress' ? { acked: progress.acked ?? 0, sent: progress.sent ?? 0 } : { acked: 0, sent: 0 };
}

function cpuGroups(parts: { broker: RunningBroker; publisher: BenchChild; consumer: { name: string; pid: number } }) {
  return new CpuMeter({
    [parts.consumer.name]: () => [parts.consumer.pid],
    broker: () => [parts.broker.process.pid!],
    publisher: () => [parts.publisher.child.pid!],
    postgres: () => db!.serverPids(),
    redis: () => pidsNamed('redis-server'),
    bench: () => [process.pid],
  });
}

const rateOf = (count: number, fromMs: number, toMs: number) => count / ((toMs - fromMs) / 1000);

async function deadLetterNote(): Promise<string> {
  const rows = await db!.deadLetters();
  return rows.length ? rows.map((row) => `${row.reason} ${row.n}`).join(', ') : '0';
}

// ---------------------------------------------------------------------------------------------
// Phases

interface CeilingResult {
  rate: number;
  lost: number;
  dup: number;
}

async function ceilingPhase(): Promise<CeilingResult> {
  log(`ceiling: ${options.messages} messages to a bare MQTT.js subscriber`);
  return withBroker(async (broker) => {
    const subscriber = new BenchChild('bare subscriber', 'bare-subscriber.js');
    let publisher: BenchChild | undefined;
    try {
      subscriber.send({ type: 'start', config: { url: broker.url, topic: `${TOPIC_ROOT}/v1/#` } });
      await subscriber.next('ready', 30_000);
      publisher = await startPublisher(broker.url, { mode: 'max', messages: options.messages });
      const cpu = cpuGroups({ broker, publisher, consumer: { name: 'subscriber', pid: subscriber.child.pid! } });
      await cpu.start();
      publisher.send({ type: 'go' });
      const received = () => {
        const progress = subscriber.last.progress;
        return progress?.type === 'progress' ? (progress.received ?? 0) : 0;
      };
      await monitor({
        label: 'ceiling',
        total: () => options.messages,
        sample: async () => ({ done: received(), activity: received() + publisherProgress(publisher!).acked }),
        finished: async ({ done }) => {
          const { result } = publisherProgress(publisher!);
          return result !== undefined && done >= result.acked;
        },
        publisherDone: () => publisherProgress(publisher!).result !== undefined,
        children: [subscriber, publisher],
      });
      const cpuLine = await cpu.stop();
      subscriber.send({ type: 'report' });
      const report = await subscriber.next('report', 10_000);
      const result = publisherProgress(publisher).result!;
      const rate = rateOf(report.received, result.firstPublishAt, report.lastAt);
      const lost = Math.max(0, result.acked - report.received);
      const dup = Math.max(0, report.received - result.acked) + report.dupFlagged;
      print(
        `ceiling: ${report.received} msg in ${seconds(report.lastAt - result.firstPublishAt)} = ${Math.round(rate)} msg/s ` +
          `(one bare MQTT.js subscriber, QoS 1, JSON.parse only); publisher acked ${result.acked} (${Math.round(rateOf(result.acked, result.firstPublishAt, result.lastAckAt))} msg/s), ` +
          `failed ${result.failed}; lost ${lost}, dup ${dup}; cpu: ${cpuLine}`,
      );
      return { rate, lost, dup };
    } finally {
      await publisher?.stop();
      await subscriber.stop();
    }
  });
}

interface OursResult {
  rate: number;
  verification: Verification;
  rss: number;
}

async function oursPhase(): Promise<OursResult> {
  log(`ours: ${options.messages} messages at max rate to the ingest role`);
  await db!.truncate();
  return withBroker(async (broker) => {
    const { service, metricsPort } = await startIngest(broker, 'max', true);
    let publisher: BenchChild | undefined;
    const counter = new CommitObserver(await db!.connect(), 250, false);
    try {
      publisher = await startPublisher(broker.url, { mode: 'max', messages: options.messages });
      const cpu = cpuGroups({ broker, publisher, consumer: { name: 'ingest', pid: service.pid } });
      let rssPeakSeen = 0;
      await cpu.start();
      counter.start();
      publisher.send({ type: 'go' });
      const outcome = await monitor({
        label: 'ours',
        total: () => options.messages,
        service,
        sample: async () => {
          const inserted = counter.observed;
          const rss = rssMiB(service.pid);
          rssPeakSeen = Math.max(rssPeakSeen, rss);
          const { acked } = publisherProgress(publisher!);
          return { done: inserted, activity: inserted + acked, note: `published ${acked}, ingest rss ${Math.round(rss)} MiB` };
        },
        finished: allCommitted(publisher!),
        publisherDone: () => publisherProgress(publisher!).result !== undefined,
        children: [publisher],
      });
      const cpuLine = await cpu.stop();
      await counter.stop();
      const rss = peakRssMiB(service.pid);
      const brokerRss = peakRssMiB(broker.process.pid!);
      const result = publisherProgress(publisher).result!;
      const lastReceivedAt = await db!.lastReceivedAt();
      const verification = await db!.verify(result.runs, fleet.vehicleIds);
      const rate = rateOf(verification.stored, result.firstPublishAt, lastReceivedAt);
      print(
        `ours: ${verification.stored} committed in ${seconds(lastReceivedAt - result.firstPublishAt)} = ${Math.round(rate)} msg/s end to end ` +
          `(first publish -> last received_at)${outcome === 'stalled' ? ' [drain stalled]' : ''}; publisher acked ${result.acked} ` +
          `(${Math.round(rateOf(result.acked, result.firstPublishAt, result.lastAckAt))} msg/s), failed ${result.failed}; ` +
          `lost ${verification.lost}, dup ${verification.dup}, dead letters ${await deadLetterNote()}, ingest MQTT keepalive timeouts ${service.keepaliveTimeouts}; ingest peak rss ${Math.round(rss)} MiB (VmHWM; max VmRSS seen ${Math.round(rssPeakSeen)}), broker ${Math.round(brokerRss)} MiB; cpu: ${cpuLine}`,
      );
      serviceLogNote('ours', service);
      await metricsNote('ours', metricsPort, (lastReceivedAt - result.firstPublishAt) / 1000);
      return { rate, verification, rss };
    } finally {
      await counter.close();
      await publisher?.stop();
      await service.stop();
    }
  });
}

interface FixedResult {
  p50: number;
  p99: number;
  verification: Verification;
  rss: number;
}

async function fixedPhase(): Promise<FixedResult> {
  const total = options.rate * options.fixedSeconds;
  log(`fixed: ${options.rate} msg/s for ${options.fixedSeconds} s to the ingest role (latency)`);
  await db!.truncate();
  return withBroker(async (broker) => {
    const { service, metricsPort } = await startIngest(broker, 'fixed', false);
    let publisher: BenchChild | undefined;
    const observer = new CommitObserver(await db!.connect(), options.pollMs, true);
    try {
      publisher = await startPublisher(broker.url, { mode: 'fixed', rate: options.rate, seconds: options.fixedSeconds });
      const cpu = cpuGroups({ broker, publisher, consumer: { name: 'ingest', pid: service.pid } });
      await cpu.start();
      observer.start();
      publisher.send({ type: 'go' });
      const outcome = await monitor({
        label: 'fixed',
        total: () => total,
        service,
        sample: async () => {
          const { acked } = publisherProgress(publisher!);
          return { done: observer.observed, activity: observer.observed + acked, note: `published ${acked}, ingest rss ${Math.round(rssMiB(service.pid))} MiB` };
        },
        finished: allCommitted(publisher!),
        publisherDone: () => publisherProgress(publisher!).result !== undefined,
        children: [publisher],
        stallMs: 15_000,
      });
      await observer.stop();
      const drainedAt = Date.now();
      const cpuLine = await cpu.stop();
      const rss = peakRssMiB(service.pid);
      const result = publisherProgress(publisher).result!;
      const verification = await db!.verify(result.runs, fleet.vehicleIds);
      const sorted = sortNumbers(observer.latencies);
      const p50 = percentile(sorted, 50);
      const p99 = percentile(sorted, 99);
      const achieved = rateOf(result.sent, result.firstPublishAt, result.lastPublishAt);
      print(
        `fixed: ${result.acked} msg at ${options.rate} msg/s (achieved ${Math.round(achieved)}; publish calls behind schedule p99 ${Math.round(result.lateP99Ms)} ms, max ${Math.round(result.lateMaxMs)} ms)${outcome === 'stalled' ? ' [drain stalled]' : ''}: ` +
          `publish -> commit latency p50 ${Math.round(p50)} ms, p90 ${Math.round(percentile(sorted, 90))} ms, p99 ${Math.round(p99)} ms, max ${Math.round(sorted[sorted.length - 1] ?? NaN)} ms ` +
          `(n=${sorted.length}, ${verification.stored - sorted.length} rows not seen by the poller; commit seen by polling every ${options.pollMs} ms, ${observer.polls} polls); ` +
          `lost ${verification.lost}, dup ${verification.dup}, dead letters ${await deadLetterNote()}, ingest MQTT keepalive timeouts ${service.keepaliveTimeouts}; ingest peak rss ${Math.round(rss)} MiB; cpu: ${cpuLine}`,
      );
      serviceLogNote('fixed', service);
      await metricsNote('fixed', metricsPort, (drainedAt - result.firstPublishAt) / 1000);
      return { p50, p99, verification, rss };
    } finally {
      await observer.close();
      await publisher?.stop();
      await service.stop();
    }
  });
}

interface BaselineResult {
  rate: number;
  verification: Verification;
}

async function baselinePhase(): Promise<BaselineResult> {
  log(`baseline: ${options.baselineMessages} messages at max rate to the naive consumer`);
  await db!.truncate();
  return withBroker(async (broker) => {
    const naive = new BenchChild('naive consumer', 'naive-consumer.js');
    let publisher: BenchChild | undefined;
    try {
      naive.send({ type: 'start', config: { url: broker.url, databaseUrl: db!.url, topicRoot: TOPIC_ROOT } });
      await naive.next('ready', 30_000);
      publisher = await startPublisher(broker.url, { mode: 'max', messages: options.baselineMessages });
      const cpu = cpuGroups({ broker, publisher, consumer: { name: 'naive', pid: naive.child.pid! } });
      await cpu.start();
      publisher.send({ type: 'go' });
      const stored = () => {
        const progress = naive.last.progress;
        return progress?.type === 'progress' ? (progress.stored ?? 0) : 0;
      };
      const outcome = await monitor({
        label: 'baseline',
        total: () => options.baselineMessages,
        sample: async () => ({ done: stored(), activity: stored() + publisherProgress(publisher!).acked, note: `published ${publisherProgress(publisher!).acked}` }),
        finished: allCommitted(publisher!),
        publisherDone: () => publisherProgress(publisher!).result !== undefined,
        children: [naive, publisher],
      });
      const cpuLine = await cpu.stop();
      const progress = naive.last.progress;
      const errors = progress?.type === 'progress' ? (progress.errors ?? 0) : 0;
      if (errors > 0) log(`baseline: the naive consumer failed ${errors} save(s):\n${naive.stderr.slice(-2000)}`);
      const result = publisherProgress(publisher).result!;
      const lastReceivedAt = await db!.lastReceivedAt();
      const verification = await db!.verify(result.runs, fleet.vehicleIds);
      const rate = rateOf(verification.stored, result.firstPublishAt, lastReceivedAt);
      print(
        `baseline: ${verification.stored} committed in ${seconds(lastReceivedAt - result.firstPublishAt)} = ${Math.round(rate)} msg/s ` +
          `(one connection, TypeORM save() per message, PUBACK after save)${outcome === 'stalled' ? ' [drain stalled]' : ''}; ` +
          `lost ${verification.lost}, dup ${verification.dup}; cpu: ${cpuLine}`,
      );
      return { rate, verification };
    } finally {
      await publisher?.stop();
      await naive.stop();
    }
  });
}

interface ProfileResult {
  rate: number;
  lost: number;
  lastRoundMissing: number;
  rss: number;
}

/** Deliveries of the profile that reached assembly, from the service's own counter. */
async function profileDeliveries(metricsPort: number, profile: BenchProfile): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const line = text.split('\n').find((entry) => entry.startsWith(`klimaklok_ingest_profile_deliveries_total{profile="${profile}",outcome="sample"}`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

/**
 * The ingest in a publisher profile: `options.devices` vehicles of the profile, each publishing
 * rounds of five values (one per topic) until `options.messages` went out, so that every device
 * assembles at once. Rate: values acknowledged by the broker (TeslaMate, QoS 1) or sent (OVMS,
 * QoS 0) / (last received_at - first publish). Lost: values acknowledged that never reached an
 * assembly window (the service's counter). Beside it, devices whose last round's odometer is in no
 * stored sample: at QoS 1 a check that held values were stored; at QoS 0, with rounds far closer
 * than a real OVMS sends them, also values of one window that arrived out of order over different
 * connections of the shared subscription (the later-arriving, older value wins the window).
 */
async function profilePhase(profile: BenchProfile): Promise<ProfileResult> {
  log(`profile ${profile}: ${options.messages} values from ${options.devices} devices to the ingest role`);
  await db!.truncate();
  const sql = await db!.connect();
  try {
    const vehicleIds = await registerProfileDevices(sql, profile, options.devices);
    return await withBroker(async (broker) => {
      const { service, metricsPort } = await startIngest(broker, `profile-${profile}`, false, true);
      let rssSeen = 0;
      const rssTimer = setInterval(() => (rssSeen = Math.max(rssSeen, rssMiB(service.pid))), 250);
      try {
        const load = await publishProfileLoad(broker.url, profile, options.devices, options.messages, options.publisherConnections, options.window);
        let delivered = 0;
        let missing = options.devices;
        for (let last = -1, sameSince = Date.now(); Date.now() - sameSince < 15_000; await sleep(500)) {
          delivered = await profileDeliveries(metricsPort!, profile);
          missing = await devicesMissingLastRound(sql, vehicleIds, load.rounds);
          if (delivered >= load.acked && missing === 0) break;
          if (delivered !== last) [last, sameSince] = [delivered, Date.now()];
        }
        await sleep(2500); // the last windows close and commit
        const lastReceivedAt = await db!.lastReceivedAt();
        const rate = rateOf(load.acked, load.firstPublishAt, lastReceivedAt);
        const lost = Math.max(0, load.acked - delivered);
        const rss = Math.max(peakRssMiB(service.pid), rssSeen);
        print(
          `profile ${profile}: ${load.acked} values ${profile === 'teslamate' ? 'PUBACKed (QoS 1)' : 'sent (QoS 0)'} from ${options.devices} devices in ${load.rounds} rounds, ` +
            `committed in ${seconds(lastReceivedAt - load.firstPublishAt)} = ${Math.round(rate)} msg/s end to end; ${await db!.count()} samples; ` +
            `reached assembly ${delivered}, lost ${lost}; devices whose last odometer is in no stored sample ${missing}; failed publishes ${load.failed}; dead letters ${await deadLetterNote()}; ingest peak rss ${Math.round(rss)} MiB`,
        );
        serviceLogNote(`profile ${profile}`, service);
        return { rate, lost, lastRoundMissing: missing, rss };
      } finally {
        clearInterval(rssTimer);
        await service.stop();
      }
    });
  } finally {
    await sql.end();
  }
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  options = parseArgs(process.argv.slice(2));
  const started = Date.now();
  log(
    `${options.quick ? 'quick run' : 'full run'}: ${options.messages} messages, ${options.devices} devices, fixed ${options.rate} msg/s x ${options.fixedSeconds} s, ` +
      `baseline ${options.baselineMessages} messages; phases ${[...options.phases].join(', ')}`,
  );
  db = await BenchDatabase.create(DATABASE_SERVER);
  fleet = await db.registerVehicles(options.devices);
  log(`database ${new URL(db.url).pathname.slice(1)} migrated, ${options.devices} vehicles registered; Redis prefix ${redisPrefix}`);

  const ceiling = options.phases.has('ceiling') ? await ceilingPhase() : undefined;
  const ours = options.phases.has('ours') ? await oursPhase() : undefined;
  const fixed = options.phases.has('fixed') ? await fixedPhase() : undefined;
  const baseline = options.phases.has('baseline') ? await baselinePhase() : undefined;
  const profile = options.profile ? await profilePhase(options.profile) : undefined;

  const lost = (ours?.verification.lost ?? 0) + (fixed?.verification.lost ?? 0);
  const dup = (ours?.verification.dup ?? 0) + (fixed?.verification.dup ?? 0);
  const rss = Math.max(ours?.rss ?? 0, fixed?.rss ?? 0);
  const ofCeiling = ours && ceiling ? ours.rate / ceiling.rate : NaN;
  const times = ours && baseline ? ours.rate / baseline.rate : NaN;

  print(
    'definitions: rates are committed rows / (last received_at - first publish call), received_at being the time of the statement that stored the row (its commit follows within milliseconds); ' +
      'latency is from the publish call (ts = the publisher wall clock) to the first poll that sees the row committed, so it includes up to one poll interval; ' +
      'lost = (device, ts) keys the broker PUBACKed to the publisher and absent from vehicle_samples after the drain; ' +
      'dup = rows in vehicle_samples whose key is not among the PUBACKed keys (published twice, never published or not acknowledged); ' +
      'the primary key (vehicle_id, ts) makes a second copy of a row impossible, so re-deliveries absorbed by ON CONFLICT are not counted; ' +
      'rss = VmHWM of the ingest process (peak over the ours and fixed phases).',
  );
  const targets: Array<[string, boolean]> = [];
  if (ours && ceiling) targets.push([`ours/ceiling ${round(ofCeiling, 2)} >= 0.5`, ofCeiling >= 0.5]);
  if (ours) targets.push([`ours ${Math.round(ours.rate)} >= 15000 msg/s`, ours.rate >= 15_000]);
  if (fixed) targets.push([`p99 ${Math.round(fixed.p99)} <= 250 ms`, fixed.p99 <= 250]);
  if (ours && baseline) targets.push([`${round(times, 1)}x >= 10x baseline`, times >= 10]);
  if (ours || fixed) {
    targets.push([`lost ${lost} = 0`, lost === 0], [`dup ${dup} = 0`, dup === 0]);
    targets.push([`rss ${Math.round(rss)} < 512 MiB`, rss < 512]);
  }
  if (profile && ours) {
    targets.push([`${options.profile} ${Math.round(profile.rate)} msg/s = ${round(profile.rate / ours.rate, 2)} of contract v1 >= 0.5`, profile.rate >= 0.5 * ours.rate]);
  }
  if (profile) targets.push([`${options.profile} lost ${profile.lost} = 0`, profile.lost === 0], [`${options.profile} rss ${Math.round(profile.rss)} < 512 MiB`, profile.rss < 512]);
  // At QoS 1 a held value that never reached a stored sample is lost too.
  if (profile && options.profile === 'teslamate') targets.push([`teslamate last rounds missing ${profile.lastRoundMissing} = 0`, profile.lastRoundMissing === 0]);
  const targetText = targets.length ? targets.map(([text, ok]) => `${text} ${ok ? 'ok' : 'MISSED'}`).join('; ') : 'none measured by these phases';
  print(`targets (${options.messages} messages${options.messages < 2_000_000 ? ', the issue asks for 2000000' : ''}): ${targetText}`);
  log(`bench took ${duration(Date.now() - started)}`);

  const na = 'n/a';
  print(
    `ingest: ours ${ours ? Math.round(ours.rate) : na} msg/s (${ceiling && ours ? round(ofCeiling, 2).toFixed(2) : na} of ceiling ${ceiling ? Math.round(ceiling.rate) : na}), ` +
      `p99 ${fixed ? Math.round(fixed.p99) : na} ms at ${options.rate} msg/s, baseline ${baseline ? Math.round(baseline.rate) : na} msg/s (${ours && baseline ? round(times, 1).toFixed(1) : na}x), ` +
      `lost ${ours || fixed ? lost : na}, dup ${ours || fixed ? dup : na}, rss ${ours || fixed ? Math.round(rss) : na} MiB`,
  );
  if (profile) {
    print(
      `ingest profile ${options.profile}: ${Math.round(profile.rate)} msg/s beside contract v1 ${ours ? Math.round(ours.rate) : na} msg/s ` +
        `(${ours ? round(profile.rate / ours.rate, 2).toFixed(2) : na}), lost ${profile.lost}, devices without their last odometer ${profile.lastRoundMissing}, rss ${Math.round(profile.rss)} MiB with ${options.devices} devices assembling`,
    );
  }
  return options.check && targets.some(([, ok]) => !ok) ? 1 : 0;
}

main()
  .then(
    (code) => (process.exitCode = code),
    (error) => {
      if (interrupted) return;
      if (error instanceof UsageError) log(error.message);
      else log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      process.exitCode = 1;
    },
  )
  .finally(async () => {
    await cleanup();
    process.exit(process.exitCode ?? 0);
  });
