/**
 * `npm run demo`: the whole system on one machine. Starts a Mosquitto with the project's config
 * (its data in .data/), applies migrations, starts the service with all roles (in three processes,
 * see SERVICE_PROCESSES), imports the demo fleet, backfills the scenario's 2018-2019 history
 * through MQTT and OCPP side by side (the simulator's progress bar, then the derivation until the
 * queue is empty; skipped when the database has it already), starts
 * the fleet simulator feeding it live traffic from the real clock (vehicles drive during working
 * hours) and prints where to look, with a sign-in key per role. Ctrl-C stops everything it started.
 * The charge points the fleet file marks `protocol: ocpp` report over OCPP 1.6J, history
 * included: the demo sets their OCPP passwords through the API and the simulator connects them.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { Queue, QueueEvents } from 'bullmq';
import { DataSource } from 'typeorm';
import { loadConfig } from '../src/platform/config/app-config';
import { dataSourceOptions } from '../src/platform/database/data-source-options';
import { ensureDatabase } from '../src/platform/database/ensure-database';
import { QueueName } from '../src/platform/queue/job-catalogue';
import { demoKeys } from './lib/demo-keys';
import { humanLogLine } from '../src/platform/logging/human-log-line';
import { RunningBroker, startBroker } from './lib/mosquitto';
import { SERVICE_NODE_FLAGS } from './lib/service-node-flags';
import { seedClimateBudget } from './lib/demo-climate-budget';
import { SIMULATED_TIME_ZONE } from './simulator/oslo-time';

const ROOT = path.resolve(__dirname, '..', '..');
const DATA = path.join(ROOT, '.data');
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/klimaklok';
const PORT = Number(process.env.PORT ?? 3000);
const BROKER_PORT = Number(process.env.DEMO_BROKER_PORT ?? 1884);
const OCPP_PORT = Number(process.env.OCPP_PORT ?? 9220);

/** The scenario's history: 2018 with the fossil-dominated fleet, 2019 with its replacements. */
const HISTORY_FROM = '2018-01-01';
const HISTORY_TO = '2020-01-01';
/** The service must accept samples back to the start of the history. */
const HORIZON_DAYS = Math.ceil((Date.now() - Date.parse(`${HISTORY_FROM}T00:00:00Z`)) / 86_400_000) + 30;
/** The horizon the service runs with; the simulator is told it too, so that it warns only when samples really fall outside. */
const SERVICE_HORIZON_DAYS = process.env.BACKFILL_HORIZON_DAYS ?? String(HORIZON_DAYS);

const say = (line: string) => process.stdout.write(`[demo] ${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The demo's admin key survives restarts, so that a bookmarked curl line keeps working. */
function demoAdminKey(): string {
  const file = path.join(DATA, 'demo-admin-key');
  if (process.env.ADMIN_API_KEY) return process.env.ADMIN_API_KEY;
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const key = `kk_demo_${randomBytes(24).toString('base64url')}`;
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}

/** A demo secret for idTag hashes, kept like the admin key: the service warns (rightly) when it runs on its development default. */
function demoIdTagSecret(): string {
  const file = path.join(DATA, 'demo-id-tag-secret');
  if (process.env.ID_TAG_SECRET) return process.env.ID_TAG_SECRET;
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/** The service's JSON log lines, one readable line each, so that its warnings read like the rest of the demo's output. */
function relayServiceLog(stream: NodeJS.ReadableStream, out: NodeJS.WritableStream, name: string) {
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => out.write(`[${name}] ${humanLogLine(line)}\n`));
}

/**
 * The service's roles in processes of their own, as in production (APP_ROLES): in one process
 * the ingest's and the derivation's work held up the event loop for up to seconds during the
 * backfill, and every OCPP call waited for it several times (an OCPP charge point has one call
 * unanswered at a time); apart, the machine's cores share the work. The first one serves HTTP.
 * The worker starts once the MQTT devices' history is stored: deriving while it arrived re-derived
 * the same days over and over (twice the jobs), where afterwards each device's days go in a few
 * long jobs. The OCPP points' history may still be arriving then: a chain of round trips per
 * point that leaves the cores idle much of the time, which the vehicles' derivation fills.
 */
const SERVICE_PROCESSES = { service: 'api,ingest', ocpp: 'ocpp', worker: 'worker' } as const;

async function migrate() {
  await ensureDatabase(DATABASE_URL);
  const dataSource = await new DataSource(dataSourceOptions(DATABASE_URL)).initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    say(applied.length ? `migrations applied: ${applied.map((m) => m.name).join(', ')}` : 'database schema is up to date');
  } finally {
    await dataSource.destroy();
  }
}

async function waitForHealth(service: ChildProcess, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service.exitCode !== null) throw new Error(`the service exited with code ${service.exitCode}`);
    const ok = await fetch(`http://127.0.0.1:${PORT}/health`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the service did not become healthy within ${timeoutMs / 1000} s`);
}

/** Waits until the `ocpp` process accepts connections on its port (it serves no HTTP health). */
async function waitForPort(child: ChildProcess, port: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the ocpp process exited with code ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await sleep(250);
  }
  throw new Error(`the ocpp process did not listen on port ${port} within ${timeoutMs / 1000} s`);
}

async function importDemoFleet(adminKey: string) {
  const response = await fetch(`http://127.0.0.1:${PORT}/api/v1/imports/fleet`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${adminKey}`, 'Content-Type': 'application/yaml' },
    body: readFileSync(path.join(ROOT, 'demo', 'baerum-fleet.yaml'), 'utf8'),
  });
  const result = (await response.json()) as { summary: Record<string, number> };
  if (response.status !== 200) throw new Error(`fleet import failed: ${response.status} ${JSON.stringify(result)}`);
  const { created, updated, unchanged, rejected } = result.summary;
  say(`demo fleet imported: ${created} created, ${updated} updated, ${unchanged} unchanged, ${rejected} rejected`);
}

/**
 * A fresh OCPP password for each charge point registered with protocol `ocpp` (the service shows
 * a password once), written for the simulator to a file only the demo's user can read.
 */
async function setOcppPasswords(adminKey: string): Promise<{ file: string; count: number }> {
  const headers = { Authorization: `Bearer ${adminKey}`, 'Content-Type': 'application/json' };
  const list = await fetch(`http://127.0.0.1:${PORT}/api/v1/chargepoints?limit=1000`, { headers });
  if (list.status !== 200) throw new Error(`listing the charge points failed: ${list.status} ${await list.text()}`);
  const { items } = (await list.json()) as { items: { id: string; deviceId: string; protocol?: string }[] };
  const passwords: Record<string, string> = {};
  for (const point of items.filter((item) => item.protocol === 'ocpp')) {
    const response = await fetch(`http://127.0.0.1:${PORT}/api/v1/charge-points/${point.id}/ocpp-password`, { method: 'POST', headers, body: '{}' });
    const body = (await response.json()) as { password?: string };
    if (response.status !== 201 || typeof body.password !== 'string') throw new Error(`setting the OCPP password of ${point.deviceId} failed: ${response.status} ${JSON.stringify(body)}`);
    passwords[point.deviceId] = body.password;
  }
  const file = path.join(DATA, 'ocpp-passwords.json');
  writeFileSync(file, `${JSON.stringify(passwords, null, 2)}\n`, { mode: 0o600 });
  return { file, count: Object.keys(passwords).length };
}

/** Simulator options that send the `protocol: ocpp` charge points to the service's OCPP endpoint. */
const ocppArgs = (passwordFile: string) => ['--protocol', 'fleet', '--ocpp-url', `ws://127.0.0.1:${OCPP_PORT}/ocpp`, '--ocpp-passwords', passwordFile];

async function withDatabase<T>(work: (db: DataSource) => Promise<T>): Promise<T> {
  const db = await new DataSource(dataSourceOptions(DATABASE_URL)).initialize();
  try {
    return await work(db);
  } finally {
    await db.destroy();
  }
}

/**
 * The history is published in time order and derived at the end: rollups of the history's last
 * day mean an earlier demo got through. After an interrupted one the history is
 * published again (what is stored already is a duplicate, a no-op).
 */
async function historyPresent(): Promise<boolean> {
  return withDatabase(async (db) => {
    const lastDay = new Date(Date.parse(`${HISTORY_TO}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    const [row] = await db.query(`SELECT count(*)::int AS vehicles FROM vehicle_daily WHERE day = $1`, [lastDay]);
    return row.vehicles > 0;
  });
}

/**
 * Statistics of the tables the history just filled. PostgreSQL's autovacuum gathers them a minute
 * or so after a bulk load, but machines like the CI's run PostgreSQL without autovacuum: without
 * statistics the planner takes every partition for nearly empty and joins a vehicle's two years of
 * trips in nested loops (3 s a vehicle instead of 0.1 s, measured on the demo's history).
 */
async function analyzeHistory(): Promise<void> {
  await withDatabase((db) => db.query('ANALYZE vehicle_samples, charge_point_meter, charge_point_status, charge_point_transactions, device_connection_events'));
}

/** What the simulator published, from the JSON line it ends with on stdout. */
interface Published {
  messages: number;
  samples: number;
}

/**
 * Publishes the MQTT devices' history in one simulator run (its progress bar on stderr) and waits
 * for it to exit. The ingest takes messages several times faster than the simulator makes them,
 * so the broker holds no backlog to speak of; one run instead of a run per quarter saved the
 * start and drain of seven runs.
 */
async function publishMqttHistory(mqttUrl: string, ocppPasswords: string, track: (child: ChildProcess) => void): Promise<Published> {
  const backfill = spawn(
    process.execPath,
    [path.join(ROOT, 'dist', 'scripts', 'simulator', 'main.js'), '--url', mqttUrl, '--from', HISTORY_FROM, '--to', HISTORY_TO, ...ocppArgs(ocppPasswords), '--only', 'mqtt'],
    { env: { ...process.env, BACKFILL_HORIZON_DAYS: SERVICE_HORIZON_DAYS }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return finished(backfill, `the history backfill ${HISTORY_FROM} .. ${HISTORY_TO}`, track);
}

/** What a simulator run published, once it exited (its last stdout line). */
async function finished(simulator: ChildProcess, what: string, track: (child: ChildProcess) => void): Promise<Published> {
  track(simulator);
  let stdout = '';
  simulator.stdout!.on('data', (data: Buffer) => (stdout += data.toString()));
  const code = await new Promise<number | null>((resolve) => simulator.once('exit', resolve));
  if (code !== 0) throw new Error(`${what} exited with code ${code}`);
  return JSON.parse(stdout.trim().split('\n').pop()!) as Published;
}

/**
 * The OCPP charge points' whole history in one simulator run, started beside the MQTT devices':
 * OCPP 1.6J lets a charge point have one call unanswered, so its history is a chain of round
 * trips that takes as long as it takes; run with the MQTT devices it held their publishing to
 * its pace (they shared the simulator's window). A call is answered once its rows committed, so
 * the run's end means its history is stored. Its progress goes to a log file, not over the
 * MQTT devices' progress bar.
 */
function publishOcppHistory(mqttUrl: string, ocppPasswords: string, track: (child: ChildProcess) => void): { log: string; done: Promise<Published> } {
  const log = path.join(DATA, 'ocpp-history.log');
  const backfill = spawn(
    process.execPath,
    [path.join(ROOT, 'dist', 'scripts', 'simulator', 'main.js'), '--url', mqttUrl, '--from', HISTORY_FROM, '--to', HISTORY_TO, ...ocppArgs(ocppPasswords), '--only', 'ocpp'],
    { env: { ...process.env, BACKFILL_HORIZON_DAYS: SERVICE_HORIZON_DAYS }, stdio: ['ignore', 'pipe', openSync(log, 'w')] },
  );
  const done = finished(backfill, `the OCPP charge points' history (see ${log})`, track);
  done.catch(() => undefined); // awaited after the MQTT history; a failure must not go unhandled before that
  return { log, done };
}

/** Prints how much of the OCPP history is stored while waiting for its simulator run to end. */
async function waitForOcppHistory(service: ChildProcess, history: { log: string; done: Promise<Published> }): Promise<Published> {
  let ended = false;
  const done = history.done.finally(() => (ended = true));
  done.catch(() => undefined); // returned below; a service that exits first must not leave it unhandled
  await withDatabase(async (db) => {
    let printedAt = Date.now();
    while (!ended) {
      if (service.exitCode !== null) throw new Error(`the service exited with code ${service.exitCode}`);
      if (Date.now() - printedAt > 5000) {
        const [row] = await db.query(OCPP_STORED_SQL);
        say(`  OCPP history: ${Number(row.stored).toLocaleString('en')} samples stored (progress in ${path.relative(ROOT, history.log)})`);
        printedAt = Date.now();
      }
      await Promise.race([done.catch(() => undefined), sleep(500)]);
    }
  });
  return done;
}

/**
 * Raw rows of the MQTT devices' streams with sample times in the history (the simulator's days are
 * the simulated municipality's, $4; the OCPP points' rows, stored beside them, are not counted),
 * and dead letters since $3.
 */
const STORED_SQL = `
WITH r AS (SELECT ($1::date::timestamp AT TIME ZONE $4) AS lo, ($2::date::timestamp AT TIME ZONE $4) AS hi),
     m AS (SELECT id FROM charge_points WHERE protocol = 'mqtt')
SELECT (SELECT count(*) FROM vehicle_samples, r WHERE ts >= r.lo AND ts < r.hi)
     + (SELECT count(*) FROM charge_point_status, r WHERE ts >= r.lo AND ts < r.hi AND charge_point_id IN (SELECT id FROM m))
     + (SELECT count(*) FROM charge_point_meter, r WHERE ts >= r.lo AND ts < r.hi AND charge_point_id IN (SELECT id FROM m))
     + (SELECT count(*) FROM charge_point_transactions, r WHERE ts >= r.lo AND ts < r.hi AND charge_point_id IN (SELECT id FROM m)) AS stored,
       (SELECT count(*) FROM dead_letters WHERE received_at >= $3) AS rejected`;

/** Raw rows of the OCPP charge points, all stored by their calls. */
const OCPP_STORED_SQL = `
WITH o AS (SELECT id FROM charge_points WHERE protocol = 'ocpp')
SELECT (SELECT count(*) FROM charge_point_status WHERE charge_point_id IN (SELECT id FROM o))
     + (SELECT count(*) FROM charge_point_meter WHERE charge_point_id IN (SELECT id FROM o))
     + (SELECT count(*) FROM charge_point_transactions WHERE charge_point_id IN (SELECT id FROM o)) AS stored`;

/** The time a backfill may make no progress before the demo says so and goes on. */
const STALL_MS = 60_000;

/** Waits until the ingest has stored (or dead-lettered) every sample the simulator published. */
async function waitForStored(service: ChildProcess, label: string, published: Published, since: Date): Promise<void> {
  await withDatabase(async (db) => {
    let last = -1;
    let progressAt = Date.now();
    let printedAt = Date.now();
    for (;;) {
      if (service.exitCode !== null) throw new Error(`the service exited with code ${service.exitCode}`);
      const [row] = await db.query(STORED_SQL, [HISTORY_FROM, HISTORY_TO, since, SIMULATED_TIME_ZONE]);
      const done = Number(row.stored) + Number(row.rejected);
      if (done >= published.samples) {
        if (Number(row.rejected) > 0) say(`  ${label}: ${row.rejected} samples rejected, see GET /api/v1/dead-letters`);
        return;
      }
      if (done !== last) progressAt = Date.now();
      last = done;
      if (Date.now() - progressAt > STALL_MS) {
        say(`  ${label}: stored ${done.toLocaleString('en')} of ${published.samples.toLocaleString('en')} samples and no progress for ${STALL_MS / 1000} s; going on`);
        return;
      }
      if (Date.now() - printedAt > 5000) {
        say(`  ${label}: ${done.toLocaleString('en')} of ${published.samples.toLocaleString('en')} samples stored`);
        printedAt = Date.now();
      }
      await sleep(500);
    }
  });
}

/**
 * Waits until no derivation job waits or runs, three polls in a row. Progress is jobs done of
 * jobs known (done + still queued): the ingest keeps handing over the days it held back while
 * the queue was long, so the total may grow, but the jobs done only count up.
 */
async function waitForDerivation(service: ChildProcess): Promise<void> {
  const config = loadConfig({ ...process.env, DATABASE_URL });
  const connection = { url: config.redisUrl };
  const queue = new Queue(QueueName.Derive, { prefix: config.redisKeyPrefix, connection });
  // Completed jobs are removed from the queue after a while, so they are counted as they finish.
  const events = new QueueEvents(QueueName.Derive, { prefix: config.redisKeyPrefix, connection });
  let done = 0;
  events.on('completed', () => (done += 1));
  events.on('failed', () => (done += 1));
  try {
    await events.waitUntilReady();
    let quiet = 0;
    let printedAt = Date.now();
    let printed = '';
    while (quiet < 3) {
      if (service.exitCode !== null) throw new Error(`the service exited with code ${service.exitCode}`);
      await sleep(1000);
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      const jobs = counts.waiting + counts.active + counts.delayed + counts.prioritized;
      quiet = jobs === 0 ? quiet + 1 : 0;
      const line = `  derivation: ${done.toLocaleString('en')} of ${(done + jobs).toLocaleString('en')} jobs done`;
      if (Date.now() - printedAt > 5000 && line !== printed) {
        say(line);
        printed = line;
        printedAt = Date.now();
      }
    }
  } finally {
    await events.close();
    await queue.close();
  }
}

async function main() {
  const startedAt = Date.now();
  mkdirSync(DATA, { recursive: true });
  const children: ChildProcess[] = [];
  let broker: RunningBroker | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping...');
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.all(children.map((child) => (child.exitCode === null ? new Promise((r) => child.once('exit', r)) : undefined)));
    await broker?.stop({ keepData: true });
    say('stopped');
    process.exit(code);
  };
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));

  try {
    const mqttUrl =
      process.env.MQTT_URL ??
      (await (async () => {
        mkdirSync(path.join(DATA, 'mosquitto'), { recursive: true });
        broker = await startBroker({ port: BROKER_PORT, dataDir: path.join(DATA, 'mosquitto') });
        say(`broker (config/mosquitto.conf) on ${broker.url}`);
        return broker.url;
      })());
    await migrate();
    const adminKey = demoAdminKey();
    const serviceEnv = {
      ...process.env,
      DATABASE_URL,
      MQTT_URL: mqttUrl,
      PORT: String(PORT),
      OCPP_PORT: String(OCPP_PORT),
      ADMIN_API_KEY: adminKey,
      ID_TAG_SECRET: demoIdTagSecret(),
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      BACKFILL_HORIZON_DAYS: SERVICE_HORIZON_DAYS,
    };
    const startProcess = (name: keyof typeof SERVICE_PROCESSES): ChildProcess => {
      const roles = SERVICE_PROCESSES[name];
      const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, path.join(ROOT, 'dist', 'src', 'main.js')], { env: { ...serviceEnv, APP_ROLES: roles }, stdio: ['ignore', 'pipe', 'pipe'] });
      relayServiceLog(child.stdout!, process.stdout, name);
      relayServiceLog(child.stderr!, process.stderr, name);
      children.push(child);
      child.once('exit', (code) => {
        if (!stopping) {
          say(`the ${name} process (${roles}) exited (code ${code})`);
          void stop(1);
        }
      });
      return child;
    };
    const service = startProcess('service');
    const ocppProcess = startProcess('ocpp');
    // Two processes starting at once on a busy machine take a while.
    await waitForHealth(service, 120_000);
    await waitForPort(ocppProcess, OCPP_PORT, 120_000);
    say(
      `service up on http://127.0.0.1:${PORT}, its roles in processes of their own: service (${SERVICE_PROCESSES.service}), ocpp (${SERVICE_PROCESSES.ocpp}), worker (${SERVICE_PROCESSES.worker}, started once the MQTT history is stored)`,
    );
    await importDemoFleet(adminKey);
    const ocpp = await setOcppPasswords(adminKey);
    say(`${ocpp.count} charge points report over OCPP to ws://127.0.0.1:${OCPP_PORT}/ocpp (passwords set now, in ${path.relative(ROOT, ocpp.file)})`);
    if (process.env.DEMO_HISTORY === 'skip') {
      startProcess('worker');
      say('history backfill skipped (DEMO_HISTORY=skip)');
    } else if (await historyPresent()) {
      startProcess('worker');
      say(`history ${HISTORY_FROM} .. ${HISTORY_TO} is already in the database; not published again`);
    } else {
      say(`backfilling the scenario's history ${HISTORY_FROM} .. ${HISTORY_TO} through MQTT and OCPP (coarse sampling)...`);
      const backfillStarted = Date.now();
      const ocppHistory = ocpp.count > 0 ? publishOcppHistory(mqttUrl, ocpp.file, (child) => children.push(child)) : null;
      if (ocppHistory)
        say(
          `the ${ocpp.count} OCPP charge points send their history ${HISTORY_FROM} .. ${HISTORY_TO} beside the MQTT devices', call by call (its progress in ${path.relative(ROOT, ocppHistory.log)})`,
        );
      say(`the MQTT devices send their history ${HISTORY_FROM} .. ${HISTORY_TO}`);
      const published = await publishMqttHistory(mqttUrl, ocpp.file, (child) => children.push(child));
      await waitForStored(service, 'MQTT history', published, new Date(backfillStarted));
      say(`MQTT history published and stored in ${Math.round((Date.now() - backfillStarted) / 1000)} s`);
      startProcess('worker');
      // While the worker starts and the OCPP history ends: ANALYZE takes a few seconds and blocks neither.
      const analyzed = analyzeHistory();
      analyzed.catch(() => undefined); // awaited below; a failure must not go unhandled before that
      if (ocppHistory) {
        say("the worker derives trips, daily figures and coverage of the MQTT devices while the OCPP points' history still arrives");
        const sent = await waitForOcppHistory(service, ocppHistory);
        say(`OCPP history answered and stored in ${Math.round((Date.now() - backfillStarted) / 1000)} s: ${sent.messages.toLocaleString('en')} calls, ${sent.samples.toLocaleString('en')} samples`);
      }
      await analyzed;
      say(`history published and stored in ${Math.round((Date.now() - backfillStarted) / 1000)} s; now the worker derives the rest of trips, daily figures, charging sessions and coverage from it`);
      const derivationStarted = Date.now();
      await waitForDerivation(service);
      say(`derived in ${Math.round((Date.now() - derivationStarted) / 1000)} s`);
      say(`history stored and derived in ${Math.round((Date.now() - backfillStarted) / 1000)} s`);
    }
    await seedClimateBudget(`http://127.0.0.1:${PORT}`, adminKey, DATABASE_URL, say);
    // Live from the real clock (DEMO_SPEED: faster, starting that much in the past); its progress lines go to a log file, not over the banner.
    const speed = process.env.DEMO_SPEED ? ['--speed', process.env.DEMO_SPEED] : [];
    const simulatorLog = path.join(DATA, 'simulator.log');
    const simulator = spawn(process.execPath, [path.join(ROOT, 'dist', 'scripts', 'simulator', 'main.js'), '--url', mqttUrl, ...speed, ...ocppArgs(ocpp.file)], {
      env: { ...process.env, BACKFILL_HORIZON_DAYS: SERVICE_HORIZON_DAYS },
      stdio: ['ignore', 'ignore', openSync(simulatorLog, 'a')],
    });
    children.push(simulator);
    simulator.once('exit', (code) => {
      if (!stopping) say(`the simulator exited (code ${code}, see ${simulatorLog}); the service keeps running`);
    });
    say(`fleet simulator publishing live traffic from now on, ${speed.length ? `${process.env.DEMO_SPEED} times real time` : 'in real time'} (its log: ${simulatorLog})`);
    const keys = await demoKeys(`http://127.0.0.1:${PORT}`, adminKey, path.join(DATA, 'demo-keys.json'));
    say(`ready after ${Math.round((Date.now() - startedAt) / 1000)} s. Open a view and sign in with its key:`);
    for (const { who, key, url } of keys) say(`  ${`${who}:`.padEnd(36)} ${url}\n[demo]  ${''.padEnd(36)} key ${key}`);
    say(`  health        http://127.0.0.1:${PORT}/health`);
    say(`  API docs      http://127.0.0.1:${PORT}/docs  (REST)   http://127.0.0.1:${PORT}/asyncapi  (MQTT)`);
    say(`  metrics       http://127.0.0.1:${PORT}/metrics`);
    say(`  queues        http://127.0.0.1:${PORT}/admin/queues  (user: anything, password: the admin key)`);
    say(`  try           curl -H 'Authorization: Bearer ${adminKey}' 'http://127.0.0.1:${PORT}/api/v1/vehicles?status=online&limit=5'`);
    say(`  live stream   curl -N -H 'Authorization: Bearer ${adminKey}' http://127.0.0.1:${PORT}/api/v1/fleet/stream`);
    say('Ctrl-C stops everything the demo started.');
  } catch (error) {
    if (stopping) return; // Ctrl-C during start-up: stop() is already tearing down
    say(`failed: ${(error as Error).message}`);
    await stop(1);
  }
}

void main();
