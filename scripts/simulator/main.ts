/**
 * `npm run simulate`: publishes the telemetry of a fleet file's devices (see USAGE in args.ts and
 * README.md here). The generator decides what is sent; this file decides when and where to.
 *
 * Live clock. The contract rejects samples stamped more than 5 minutes ahead of the server clock,
 * so the simulated clock must never run ahead of the real one. With --speed S > 1 it therefore
 * starts (S - 1) x C in the past (C = --catch-up, 60 min by default), runs S times as fast and
 * meets the real clock after C real minutes; from then on it keeps to the real clock (speed 1).
 * The simulated clock is always min(start + S x elapsed, now), so it stays <= now even when
 * publishing falls behind (--rate) or the machine sleeps.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseSimulatorArgs, SimulatorConfig, USAGE } from './args';
import { DialectEncoders } from './dialects/encoders';
import { SimFleet, loadFleet, selectDevices } from './fleet';
import { MAX_SAMPLES_PER_MESSAGE, Traffic, generateTraffic, isOcppCall } from './generator';
import { bootNotification } from './ocpp-calls';
import { OcppSink, rpcConnection } from './ocpp-client';
import { DAY, MINUTE, formatTs, osloDateOf, osloMidnight } from './oslo-time';
import { Progress } from './progress';
import { LineSink, MqttSink, RateLimiter, Sink } from './publisher';
import { RunSummary } from './summary';

const MAX_PAYLOAD_BYTES = 256 * 1024;
/** The service's default backfill horizon (BACKFILL_HORIZON_DAYS). */
const DEFAULT_HORIZON_DAYS = 800;
const DRAIN_TIMEOUT_MS = 30_000;

/** Where a live run starts its simulated clock (see the header). */
export function liveStart(now: number, speed: number, catchUpMinutes: number): number {
  const start = speed > 1 ? now - (speed - 1) * catchUpMinutes * MINUTE : now;
  return Math.floor(start / 1000) * 1000;
}

/** The simulated clock of a paced run at real time `now`. */
export function simulatedNow(from: number, realStart: number, speed: number, now: number): number {
  return Math.min(from + (now - realStart) * speed, now);
}

/** The charge points that speak OCPP in this run (see --protocol). */
export function ocppPoints(fleet: SimFleet, protocol: SimulatorConfig['protocol']): Set<string> {
  const points = fleet.chargePoints.filter((point) => protocol === 'ocpp' || (protocol === 'fleet' && point.protocol === 'ocpp'));
  return new Set(points.map((point) => point.deviceId));
}

/** The devices of a run with --only: those that report over MQTT, or the OCPP charge points alone. */
export function onlyDevices(fleet: SimFleet, ocpp: ReadonlySet<string>, only: SimulatorConfig['only']): SimFleet {
  if (only === 'mqtt') return { vehicles: fleet.vehicles, chargePoints: fleet.chargePoints.filter((point) => !ocpp.has(point.deviceId)) };
  if (only === 'ocpp') return { vehicles: [], chargePoints: fleet.chargePoints.filter((point) => ocpp.has(point.deviceId)) };
  return fleet;
}

/**
 * The streams a run sends side by side. Paced runs (and dry runs) send everything as one stream in
 * time order. An unpaced backfill sends the MQTT devices as one stream and each OCPP point as its
 * own: an OCPP 1.6 charge point has one call unanswered at a time, so in one shared stream the
 * point with the most calls queued held every other device to its pace.
 */
export function backfillStreams(fleet: SimFleet, ocpp: ReadonlySet<string>, single: boolean): SimFleet[] {
  if (single || ocpp.size === 0) return [fleet];
  const mqtt = onlyDevices(fleet, ocpp, 'mqtt');
  const points = fleet.chargePoints.filter((point) => ocpp.has(point.deviceId)).map((point) => ({ vehicles: [], chargePoints: [point] }));
  return [...(mqtt.vehicles.length + mqtt.chargePoints.length > 0 ? [mqtt] : []), ...points];
}

function readPasswords(file: string | null, points: ReadonlySet<string>): Map<string, string> {
  if (file === null) throw new Error(`${points.size} charge points speak OCPP: give their passwords with --ocpp-passwords FILE (or run them over MQTT with --protocol mqtt)`);
  const passwords = new Map(Object.entries(JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>));
  const missing = [...points].filter((deviceId) => typeof passwords.get(deviceId) !== 'string');
  if (missing.length > 0) throw new Error(`${file} has no OCPP password for ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}`);
  return passwords;
}

class Stop {
  requested = false;
  private wake: (() => void)[] = [];
  private readonly listeners: (() => void)[] = [];

  request(): void {
    this.requested = true;
    this.wake.splice(0).forEach((resolve) => resolve());
    this.listeners.forEach((listener) => listener());
  }

  /** Called on a stop request (e.g. to wake a publisher waiting for answers that may never come). */
  onRequest(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Sleeps, but wakes at once on a stop request. */
  sleep(ms: number): Promise<void> {
    if (this.requested) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const wake = this.wake;
      function done() {
        clearTimeout(timer);
        const index = wake.indexOf(done);
        if (index >= 0) wake.splice(index, 1);
        resolve();
      }
      wake.push(done);
    });
  }
}

async function run(config: SimulatorConfig): Promise<number> {
  const log = (text: string) => process.stderr.write(`${text}\n`);
  const realStart = Date.now();
  const paced = config.mode === 'live' || config.speed !== null;
  const speed = config.speed ?? 1;
  const from = config.mode === 'live' ? liveStart(realStart, speed, config.catchUpMinutes) : osloMidnight(config.from!);
  const to = config.mode === 'live' ? Infinity : osloMidnight(config.to!);
  const period = { from: osloDateOf(from), to: Number.isFinite(to) ? osloDateOf(to - 1) : null };
  const selected = selectDevices(loadFleet(path.resolve(config.fleetFile)), config.devices, period);
  const fleet = onlyDevices(selected, ocppPoints(selected, config.protocol), config.only);
  const ocpp = ocppPoints(fleet, config.protocol);
  const passwords = ocpp.size > 0 && !config.dryRun ? readPasswords(config.ocppPasswords, ocpp) : new Map<string, string>();

  if (config.mode === 'backfill' && !paced && !config.dryRun && to > realStart) {
    throw new Error(`--to ${config.to} is not in the past: the service rejects samples stamped ahead of its clock; end the backfill today at the latest, or run live`);
  }
  log(
    `simulator: ${config.mode}${paced ? ` at speed ${speed}` : ''}, ${formatTs(from)} .. ${Number.isFinite(to) ? formatTs(to) : 'open end'}, ` +
      `${fleet.vehicles.length} vehicles and ${fleet.chargePoints.length} charge points of ${config.fleetFile}, seed ${config.seed}, ` +
      `${config.dryRun ? 'dry run to stdout' : `${config.url} topic root ${config.topicRoot}`}` +
      `${ocpp.size > 0 ? `; ${ocpp.size} charge points over OCPP${config.dryRun ? '' : ` to ${config.ocppUrl}`}` : ''}`,
  );
  const encoders = new DialectEncoders(fleet, { dialect: config.dialect, paced });
  log(`dialects: ${encoders.describe()}`);
  const ageDays = Math.ceil((realStart - from) / DAY);
  // The service's horizon as it would read it from this environment (the demo passes the one it runs the service with).
  const horizonDays = Number(process.env.BACKFILL_HORIZON_DAYS) || DEFAULT_HORIZON_DAYS;
  if (!config.dryRun && ageDays > horizonDays) {
    log(
      `note: samples go back ${ageDays} days; the service rejects those older than BACKFILL_HORIZON_DAYS (${process.env.BACKFILL_HORIZON_DAYS ? horizonDays : `default ${DEFAULT_HORIZON_DAYS}`}): run it with BACKFILL_HORIZON_DAYS=${ageDays + 30} or more`,
    );
  }

  const stop = new Stop();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts += 1;
    if (interrupts > 1) {
      log(`\n${signal} again: exiting without waiting for acknowledgements`);
      process.exit(130);
    }
    log(`\n${signal}: stopping after the messages in flight are acknowledged (again to exit at once)`);
    stop.request();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const sink: Sink = config.dryRun ? new LineSink(process.stdout) : await MqttSink.connect(config.url, config.connections, config.inFlight);
  if (sink instanceof LineSink) sink.onBroken = () => stop.request();
  const points = new Map(fleet.chargePoints.map((point) => [point.deviceId, point]));
  const ocppSink =
    ocpp.size > 0 && !config.dryRun
      ? new OcppSink({
          connect: (deviceId) => rpcConnection(deviceId, { url: config.ocppUrl, passwords }),
          boot: (deviceId) => bootNotification(points.get(deviceId)!),
          window: config.inFlight,
          // In a backfill each point has its own stream (see backfillStreams): it waits for its own point only.
          pointWindow: paced ? Infinity : 2,
          // Heartbeats only mean something in real time; the interval comes from the BootNotification answer.
          heartbeatMs: paced ? 300_000 : 0,
        })
      : null;
  if (ocppSink) stop.onRequest(() => ocppSink.stopWaiting());
  const limiter = new RateLimiter(config.rate);
  const progress = new Progress(from, to);
  const summary = config.summary ? new RunSummary(fleet) : null;
  let messages = 0;
  let samples = 0;
  let outcome = 0;
  // Generating is synchronous and publishing rarely has to wait: without a turn of the event loop
  // now and then, signals, acknowledgements and socket writes would wait for the end of the run.
  let lastTurn = Date.now();
  const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

  /** Publishes one stream of traffic; `position` is how far in simulated time it has got. */
  const send = async (stream: Iterable<Traffic>, position: { at: number }): Promise<void> => {
    for (const message of stream) {
      if (Date.now() - lastTurn >= 20) {
        await turn();
        lastTurn = Date.now();
      }
      if (stop.requested) break;
      if (paced) {
        for (let now = Date.now(); simulatedNow(from, realStart, speed, now) < message.at && !stop.requested; now = Date.now()) {
          const simNow = simulatedNow(from, realStart, speed, now);
          const caughtUp = from + (now - realStart) * speed >= now;
          progress.update(messages, samples, simNow);
          await stop.sleep(Math.min(1000, Math.max(1, (message.at - simNow) / (caughtUp ? 1 : speed))));
        }
        if (stop.requested) break;
      }
      position.at = Math.max(position.at, message.at);
      if (isOcppCall(message)) {
        await limiter.take();
        if (sink instanceof LineSink) await sink.publishCall(message);
        else await ocppSink!.publish(message);
        messages += 1;
        samples += message.samples;
        summary?.observeCall(message, Buffer.byteLength(JSON.stringify(message.payload)));
        progress.update(messages, samples, Math.min(...positions.map((p) => p.at)));
        continue;
      }
      let bytes = 0;
      for (const wire of encoders.encode(message)) {
        await limiter.take();
        if (Buffer.byteLength(wire.payload) > MAX_PAYLOAD_BYTES) throw new Error(`payload of ${wire.topic} over 256 KiB: lower --batch`);
        await sink.publish(wire);
        messages += 1;
        bytes += Buffer.byteLength(wire.payload);
      }
      samples += typeof message.samples === 'string' ? 0 : message.samples.length;
      summary?.observe(message, bytes);
      progress.update(messages, samples, Math.min(...positions.map((p) => p.at)));
    }
    position.at = to; // done: no longer holds the progress back
  };
  const traffic = (devices: SimFleet) =>
    generateTraffic({
      fleet: devices,
      seed: config.seed,
      from,
      to,
      topicRoot: config.topicRoot,
      maxSamples: paced ? 1 : Math.min(config.batch, MAX_SAMPLES_PER_MESSAGE),
      coarse: config.sampling === 'coarse',
      ocpp,
    });
  const streams = backfillStreams(fleet, ocpp, paced || config.dryRun).map(traffic);
  const positions = streams.map(() => ({ at: from }));

  try {
    await Promise.all(
      streams.map((stream, index) =>
        send(stream, positions[index]).catch((error: Error) => {
          stop.request(); // the other streams stop too
          throw error;
        }),
      ),
    );
  } catch (error) {
    outcome = 1;
    log(`\nerror: ${(error as Error).message}`);
  }
  progress.finish(stop.requested ? '(stopped)' : '');
  const inFlight = sink.inFlight + (ocppSink?.inFlight ?? 0);
  if (inFlight > 0) log(`waiting for the broker and the OCPP endpoint to acknowledge the last ${inFlight} messages sent (QoS 1 and OCPP: a message counts as sent once acknowledged)`);
  const drained = await Promise.race([
    Promise.all([sink.drain(), ocppSink?.drain()]).then(
      () => true,
      (error: Error) => {
        log(`publish failed: ${error.message}`);
        return false;
      },
    ),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), DRAIN_TIMEOUT_MS).unref()),
  ]);
  if (!drained) outcome = 1;
  await (sink instanceof MqttSink ? sink.close(!drained) : sink.close());
  await ocppSink?.close(!drained);
  if (ocppSink && ocppSink.resends > 0) log(`OCPP: ${ocppSink.resends} calls sent again after a lost answer`);
  // For the caller that waits until the service has stored it all (the demo).
  if (!config.dryRun) process.stdout.write(`${JSON.stringify({ messages, samples, acknowledged: drained })}\n`);
  if (summary) log(summary.report(Date.now() - realStart));
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  return outcome;
}

async function main(): Promise<void> {
  let config: SimulatorConfig;
  try {
    config = parseSimulatorArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (config.help) {
    process.stdout.write(USAGE);
    return;
  }
  try {
    process.exitCode = await run(config);
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}

if (require.main === module) void main();
