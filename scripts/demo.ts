/**
 * `npm run demo`: the whole system on one machine. Starts a Mosquitto with the project's config
 * (its data in .data/), applies migrations, starts the service with all roles, imports the demo
 * fleet, starts the fleet simulator feeding it live traffic (a simulated minute per second, so
 * that vehicles visibly move) and prints where to look. Ctrl-C stops everything it started.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/platform/database/data-source-options';
import { ensureDatabase } from '../src/platform/database/ensure-database';
import { RunningBroker, startBroker } from './lib/mosquitto';

const ROOT = path.resolve(__dirname, '..', '..');
const DATA = path.join(ROOT, '.data');
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/klimaklok';
const PORT = Number(process.env.PORT ?? 3000);
const BROKER_PORT = Number(process.env.DEMO_BROKER_PORT ?? 1884);

const say = (line: string) => process.stdout.write(`[demo] ${line}\n`);

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

async function main() {
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
      env: { ...process.env, DATABASE_URL, MQTT_URL: mqttUrl, PORT: String(PORT), ADMIN_API_KEY: adminKey, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
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
    say('ready:');
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
    say(`failed: ${(error as Error).message}`);
    await stop(1);
  }
}

void main();
