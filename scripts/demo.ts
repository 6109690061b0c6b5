/**
 * `npm run demo`: the whole system on one machine. Starts a Mosquitto with the project's config
 * (its data in .data/), applies migrations, starts the service with all roles, imports the demo
 * fleet, backfills the scenario's 2018-2019 history through MQTT (the simulator's progress bar,
 * then the derivation until the queue is empty; skipped when the database has it already), starts
 * the fleet simulator feeding it live traffic (a simulated minute per second, so that vehicles
 * visibly move) and prints where to look. Ctrl-C stops everything it started.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { loadConfig } from '../src/platform/config/app-config';
import { dataSourceOptions } from '../src/platform/database/data-source-options';
import { ensureDatabase } from '../src/platform/database/ensure-database';
import { QueueName } from '../src/platform/queue/job-catalogue';
import { RunningBroker, startBroker } from './lib/mosquitto';

const ROOT = path.resolve(__dirname, '..', '..');
const DATA = path.join(ROOT, '.data');
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/klimaklok';
const PORT = Number(process.env.PORT ?? 3000);
const BROKER_PORT = Number(process.env.DEMO_BROKER_PORT ?? 1884);

/** The scenario's history: 2018 with the fossil-dominated fleet, 2019 with its replacements. */
const HISTORY_FROM = '2018-01-01';
const HISTORY_TO = '2020-01-01';
/** The service must accept samples back to the start of the history. */
const HORIZON_DAYS = Math.ceil((Date.now() - Date.parse(`${HISTORY_FROM}T00:00:00Z`)) / 86_400_000) + 30;

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
    const ok = await fetch(`http://127.0.0.1:${PORT}/health`).then((r) => r.status === 200, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the service did not become healthy within ${timeoutMs / 1000} s`);
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

async function withDatabase<T>(work: (db: DataSource) => Promise<T>): Promise<T> {
  const db = await new DataSource(dataSourceOptions(DATABASE_URL)).initialize();
  try {
    return await work(db);
  } finally {
    await db.destroy();
  }
}

async function historyPresent(): Promise<boolean> {
  return withDatabase(async (db) => {
    const [row] = await db.query(`SELECT count(*)::int AS days FROM vehicle_daily WHERE day >= $1 AND day < $2`, [HISTORY_FROM, HISTORY_TO]);
    return row.days > 0;
  });
}

/** The history in quarters: the broker never holds more than a quarter's messages that the ingest has not taken yet. */
function historyChunks(): Array<{ from: string; to: string }> {
  const chunks: Array<{ from: string; to: string }> = [];
  for (let month = new Date(`${HISTORY_FROM}T00:00:00Z`); month.toISOString().slice(0, 10) < HISTORY_TO; ) {
    const from = month.toISOString().slice(0, 10);
    month = new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + 3, 1));
    const to = month.toISOString().slice(0, 10) < HISTORY_TO ? month.toISOString().slice(0, 10) : HISTORY_TO;
    chunks.push({ from, to });
  }
  return chunks;
}

/** Publishes one chunk of history with the simulator (its progress bar on stderr) and waits for it to exit. */
async function publishChunk(mqttUrl: string, chunk: { from: string; to: string }, track: (child: ChildProcess) => void): Promise<void> {
  const backfill = spawn(
    process.execPath,
    [path.join(ROOT, 'dist', 'scripts', 'simulator', 'main.js'), '--url', mqttUrl, '--from', chunk.from, '--to', chunk.to],
    { env: process.env, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  track(backfill);
  const code = await new Promise<number | null>((resolve) => backfill.once('exit', resolve));
  if (code !== 0) throw new Error(`the history backfill ${chunk.from} .. ${chunk.to} exited with code ${code}`);
}

/**
 * Waits until the ingest has taken what was published: the raw row count stands still for two
 * polls in a row (the broker hands messages over as fast as the ingest commits them). With
 * `derived`, also until no derivation job waits or runs.
 */
async function waitForService(service: ChildProcess, label: string, derived: boolean): Promise<void> {
  const config = loadConfig({ ...process.env, DATABASE_URL });
  const queue = new Queue(QueueName.Derive, { prefix: config.redisKeyPrefix, connection: { url: config.redisUrl } });
  try {
    await withDatabase(async (db) => {
      let quiet = 0;
      let lastRows = -1;
      let lastPrint = Date.now();
      while (quiet < (derived ? 3 : 2)) {
        if (service.exitCode !== null) throw new Error(`the service exited with code ${service.exitCode}`);
        await sleep(1000);
        const [{ rows }] = await db.query(
          `SELECT (SELECT count(*) FROM vehicle_samples WHERE ts < $1) + (SELECT count(*) FROM charge_point_meter WHERE ts < $1) AS rows`,
          [HISTORY_TO],
        );
        const counts = derived ? await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized') : { waiting: 0, active: 0, delayed: 0, prioritized: 0 };
        const jobs = counts.waiting + counts.active + counts.delayed + counts.prioritized;
        quiet = Number(rows) === lastRows && jobs === 0 ? quiet + 1 : 0;
        lastRows = Number(rows);
        if (Date.now() - lastPrint > 5000) {
          say(`  ${label}: ${lastRows.toLocaleString('en')} raw samples stored${derived ? `, ${jobs} derivation jobs to go` : ''}`);
          lastPrint = Date.now();
        }
      }
    });
  } finally {
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
    const mqttUrl = process.env.MQTT_URL ?? (await (async () => {
      mkdirSync(path.join(DATA, 'mosquitto'), { recursive: true });
      broker = await startBroker({ port: BROKER_PORT, dataDir: path.join(DATA, 'mosquitto') });
      say(`broker (config/mosquitto.conf) on ${broker.url}`);
      return broker.url;
    })());
    await migrate();
    const adminKey = demoAdminKey();
    const service = spawn(process.execPath, [path.join(ROOT, 'dist', 'src', 'main.js')], {
      env: {
        ...process.env,
        DATABASE_URL,
        MQTT_URL: mqttUrl,
        PORT: String(PORT),
        ADMIN_API_KEY: adminKey,
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
        BACKFILL_HORIZON_DAYS: process.env.BACKFILL_HORIZON_DAYS ?? String(HORIZON_DAYS),
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    children.push(service);
    service.once('exit', (code) => {
      if (!stopping) {
        say(`the service exited (code ${code})`);
        void stop(1);
      }
    });
    await waitForHealth(service, 30_000);
    say(`service up with roles api, ingest, worker on http://127.0.0.1:${PORT}`);
    await importDemoFleet(adminKey);
    if (process.env.DEMO_HISTORY === 'skip') {
      say('history backfill skipped (DEMO_HISTORY=skip)');
    } else if (await historyPresent()) {
      say(`history ${HISTORY_FROM} .. ${HISTORY_TO} is already in the database; not published again`);
    } else {
      say(`backfilling the scenario's history ${HISTORY_FROM} .. ${HISTORY_TO} through MQTT (coarse sampling)...`);
      const backfillStarted = Date.now();
      const chunks = historyChunks();
      for (const [index, chunk] of chunks.entries()) {
        say(`history ${index + 1}/${chunks.length}: ${chunk.from} .. ${chunk.to}`);
        await publishChunk(mqttUrl, chunk, (child) => children.push(child));
        await waitForService(service, `history ${index + 1}/${chunks.length}`, false);
      }
      say(`history published and stored in ${Math.round((Date.now() - backfillStarted) / 1000)} s; waiting for the derivation`);
      await waitForService(service, 'derivation', true);
      say(`history stored and derived in ${Math.round((Date.now() - backfillStarted) / 1000)} s`);
    }
    const simulator = spawn(
      process.execPath,
      [path.join(ROOT, 'dist', 'scripts', 'simulator', 'main.js'), '--url', mqttUrl, '--speed', process.env.DEMO_SPEED ?? '60'],
      { env: process.env, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    children.push(simulator);
    simulator.once('exit', (code) => {
      if (!stopping) say(`the simulator exited (code ${code}); the service keeps running`);
    });
    say('fleet simulator publishing live traffic (a simulated minute per second)');
    say(`ready after ${Math.round((Date.now() - startedAt) / 1000)} s:`);
    say(`  dashboard     http://127.0.0.1:${PORT}/  (sign in with the admin key below, or a fleet_manager key)`);
    say(`  health        http://127.0.0.1:${PORT}/health`);
    say(`  API docs      http://127.0.0.1:${PORT}/docs`);
    say(`  metrics       http://127.0.0.1:${PORT}/metrics`);
    say(`  admin key     ${adminKey}`);
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
