/**
 * `npm run bench:ocpp`: the `ocpp` role under charge-point load, end to end, on this machine.
 *
 * A fresh migrated database with N charge points registered for OCPP (one password, hashed as the
 * API stores it), the service as its own process (node dist/src/main.js, APP_ROLES=ocpp, a free
 * OCPP_PORT), and the charge points spread over a few client processes (ocpp-clients.ts, one
 * ocpp-rpc RPCClient per point). Phases:
 *   connect  every point connects with HTTP Basic auth and sends BootNotification; all held open;
 *   max      every point sends MeterValues (one sample each) one at a time as fast as they are
 *            answered: the rate the service keeps up with, answers leaving only after commit;
 *   fixed    1,000 MeterValues per second over the points: call -> CALLRESULT latency.
 * Then answered calls are compared with the stored rows: lost = answered and not in
 * charge_point_meter; dup = stored and never answered. RSS is the service process's peak (VmHWM).
 * Everything started is stopped on every way out; the database is dropped and the Redis keys of
 * the bench's prefix deleted.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { freePort } from '../lib/mosquitto';
import { hashOcppPassword } from '../../src/registry/charge-points/ocpp-password';
import { BenchDatabase, orgNumber } from './lib/bench-database';
import { BenchChild, ServiceProcess } from './lib/children';
import { cleanUpOnEveryExit } from './lib/cleanup';
import { OcppClientsConfig, OcppCommand, OcppPhaseResult } from './lib/ocpp-protocol';
import { CpuMeter, peakRssMiB, pidsNamed } from './lib/proc';
import { duration, percentile, round, sortNumbers } from './lib/stats';
import { UsageError, readCommandLine, wholeNumber } from '../../src/cli/command-line';

const DATABASE_SERVER = process.env.BENCH_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const log = (line: string) => process.stderr.write(`[bench:ocpp] ${line}\n`);
const print = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const USAGE = `Usage: npm run bench:ocpp -- [options]

Connects N OCPP 1.6J charge points to the ocpp role (its own process, a private port and database)
and measures connections held, the MeterValues rate it stores, latency at a fixed rate, lost and
duplicated rows and the process's RSS. Prints one line:
  ocpp: connected N, max R msg/s stored, p99 P ms at 1000 msg/s, lost 0, dup 0, rss M MiB

  --charge-points N     charge points (default 5000)
  --per-point N         MeterValues per point in the max phase (default 60)
  --rate N              rate of the latency phase, msg/s (default 1000)
  --fixed-seconds N     length of the latency phase (default 30)
  --processes N         client processes the points are spread over (default 4)
  --quick               500 points, 20 per point, 10 s at the fixed rate (development)
  --check               exit 1 when a target of the issue is missed
  --help
`;

interface Options {
  chargePoints: number;
  perPoint: number;
  rate: number;
  fixedSeconds: number;
  processes: number;
  check: boolean;
  quick: boolean;
}

function parseOptions(argv: string[]): Options {
  const number = { type: 'string' } as const;
  const flag = { type: 'boolean' } as const;
  const { values } = readCommandLine(argv, { 'charge-points': number, 'per-point': number, rate: number, 'fixed-seconds': number, processes: number, quick: flag, check: flag }, USAGE);
  const quick = values.quick ?? false;
  return {
    chargePoints: wholeNumber('charge-points', values['charge-points'], quick ? 500 : 5000),
    perPoint: wholeNumber('per-point', values['per-point'], quick ? 20 : 60),
    rate: wholeNumber('rate', values.rate, 1000),
    fixedSeconds: wholeNumber('fixed-seconds', values['fixed-seconds'], quick ? 10 : 30),
    processes: wholeNumber('processes', values.processes, 4),
    check: values.check ?? false,
    quick,
  };
}

const tag = randomBytes(4).toString('hex');
const redisPrefix = `klimaklok-bench-ocpp-${tag}`;
let db: BenchDatabase | undefined;
let interrupted = false;
const cleanup = cleanUpOnEveryExit({
  name: 'the bench',
  log,
  brokers: () => [],
  database: () => db,
  redisUrl: REDIS_URL,
  redisPrefix,
  onSignal: () => (interrupted = true),
});

const deviceId = (index: number) => `ocpp-bench-${String(index).padStart(5, '0')}`;

/** One cooperative and `count` OCPP charge points sharing one password; returns the password. */
async function registerChargePoints(count: number): Promise<string> {
  const password = randomBytes(24).toString('base64url');
  const hash = await hashOcppPassword(password);
  const org = await db!.sql.query<{ id: string }>(`INSERT INTO organizations (org_number, name, kind) VALUES ($1, 'Bench cooperative', 'housing_cooperative') RETURNING id`, [
    orgNumber(96_300_000 + (process.pid % 100_000)),
  ]);
  await db!.sql.query(
    `INSERT INTO charge_points (organization_id, name, connectors, max_kw, commissioned_on, device_id, protocol, ocpp_password_hash)
     SELECT $1, 'Bench point ' || g, 1, 11, DATE '2020-01-01', 'ocpp-bench-' || lpad(g::text, 5, '0'), 'ocpp', $3
     FROM generate_series(0, $2::int - 1) AS g`,
    [org.rows[0].id, count, hash],
  );
  return password;
}

async function waitForPort(service: ServiceProcess, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!service.alive) throw new Error(`the ocpp service exited during start-up:\n${service.output}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await sleep(250);
  }
  throw new Error(`the ocpp service did not open port ${port} within ${timeoutMs / 1000} s:\n${service.output}`);
}

/** Runs one phase in every client process and collects their results. */
async function phase(children: BenchChild[], command: OcppCommand, timeoutMs: number): Promise<OcppPhaseResult[]> {
  const results = children.map((child) => child.next('ocpp', timeoutMs));
  for (const child of children) child.child.send(command);
  const answers = await Promise.all(results);
  return answers.map((answer) => answer.result);
}

function sum(results: OcppPhaseResult[], field: 'done' | 'failed' | 'resent' | 'open'): number {
  return results.reduce((total, result) => total + result[field], 0);
}

function errorsNote(label: string, results: OcppPhaseResult[]): void {
  const errors = results.flatMap((result) => result.errors);
  if (errors.length > 0) log(`${label}: ${sum(results, 'failed')} calls failed, e.g. ${errors.slice(0, 3).join(' | ')}`);
  if (sum(results, 'resent') > 0) log(`${label}: ${sum(results, 'resent')} calls sent again after a lost answer`);
}

/** Answered keys against stored rows: the (charge point, ts) keys of charge_point_meter. */
async function verify(slices: string[][], answered: OcppPhaseResult[], tsBase: number): Promise<{ stored: number; lost: number; dup: number }> {
  const expected = new Set<string>();
  answered.forEach((result, child) => {
    for (const [index, first, last] of result.answered ?? []) {
      for (let seq = first; seq <= last; seq += 1) expected.add(`${slices[child][index]}|${tsBase + seq * 1000}`);
    }
  });
  const rows = await db!.sql.query<{ device_id: string; ms: string }>(
    `SELECT c.device_id, (extract(epoch FROM m.ts) * 1000)::bigint AS ms FROM charge_point_meter m JOIN charge_points c ON c.id = m.charge_point_id`,
  );
  let matched = 0;
  let dup = 0;
  const seen = new Set<string>();
  for (const row of rows.rows) {
    const key = `${row.device_id}|${row.ms}`;
    if (expected.has(key) && !seen.has(key)) matched += 1;
    else dup += 1;
    seen.add(key);
  }
  return { stored: rows.rows.length, lost: expected.size - matched, dup };
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const started = Date.now();
  log(
    `${options.quick ? 'quick run' : 'full run'}: ${options.chargePoints} charge points over ${options.processes} client processes, ` +
      `${options.perPoint} MeterValues each at max rate, then ${options.rate} msg/s x ${options.fixedSeconds} s`,
  );
  db = await BenchDatabase.create(DATABASE_SERVER);
  await db.sql.query(`SELECT ensure_monthly_partition('charge_point_meter', (date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => m))::date) FROM generate_series(-1, 1) AS m`);
  const password = await registerChargePoints(options.chargePoints);
  log(`database ${new URL(db.url).pathname.slice(1)} migrated, ${options.chargePoints} OCPP charge points registered; Redis prefix ${redisPrefix}`);

  const port = await freePort();
  const service = new ServiceProcess({
    APP_ROLES: 'ocpp',
    OCPP_PORT: String(port),
    DATABASE_URL: db.url,
    REDIS_URL,
    REDIS_KEY_PREFIX: redisPrefix,
    ID_TAG_SECRET: `bench-id-tag-secret-${tag}`,
    LOG_LEVEL: 'warn',
  });
  await waitForPort(service, port, 60_000);
  log(`ocpp role up on port ${port} (pid ${service.pid})`);

  // Every sample in the past and inside the backfill horizon: seq s of a point is stamped tsBase + s seconds.
  const maxSeq = options.perPoint + Math.ceil((options.rate * options.fixedSeconds) / options.chargePoints) + 10;
  const tsBase = Math.floor((Date.now() - (maxSeq + 3600) * 1000) / 1000) * 1000;
  const slices = Array.from({ length: options.processes }, (_, child) =>
    Array.from({ length: options.chargePoints }, (_, index) => index)
      .filter((index) => index % options.processes === child)
      .map(deviceId),
  );
  const children = slices.map((ids, index) => {
    const child = new BenchChild(`clients ${index + 1}`, 'ocpp-clients.js');
    const config: OcppClientsConfig = { url: `ws://127.0.0.1:${port}/ocpp`, deviceIds: ids, password, connectConcurrency: 50, tsBase };
    child.send({ type: 'start', config });
    return child;
  });
  try {
    await Promise.all(children.map((child) => child.next('ready', 30_000)));

    // Password checks (scrypt) bound the connect rate: on a busy 2-core machine 5,000 took minutes.
    const connect = await phase(children, { type: 'connect' }, 1_800_000);
    errorsNote('connect', connect);
    const connectMs = Math.max(...connect.map((r) => r.lastAt)) - Math.min(...connect.map((r) => r.firstAt));
    await sleep(2000);
    // Still open after the last one came: all held at once.
    const held = sum(await phase(children, { type: 'held' }, 60_000), 'open');
    log(`connect: ${sum(connect, 'done')} of ${options.chargePoints} booted in ${duration(connectMs)}, ${held} connections open together`);

    // Where the CPU went, the machine's other tenants included: on a shared machine they decide the figures as much as the service.
    const cpu = () =>
      new CpuMeter({
        ocpp: () => [service.pid],
        clients: () => children.map((child) => child.child.pid!),
        postgres: () => db!.serverPids(),
        redis: () => pidsNamed('redis-server'),
      });
    const maxCpu = cpu();
    await maxCpu.start();
    const max = await phase(children, { type: 'max', perPoint: options.perPoint }, 1_800_000);
    const maxCpuLine = await maxCpu.stop();
    errorsNote('max', max);
    const maxMs = Math.max(...max.map((r) => r.lastAt)) - Math.min(...max.map((r) => r.firstAt));
    const maxRate = sum(max, 'done') / (maxMs / 1000);
    log(`max: ${sum(max, 'done')} MeterValues answered (after commit) in ${duration(maxMs)} = ${Math.round(maxRate)} msg/s; cpu: ${maxCpuLine}`);

    const fixedCpu = cpu();
    await fixedCpu.start();
    const fixed = await phase(children, { type: 'fixed', rate: options.rate / options.processes, seconds: options.fixedSeconds }, options.fixedSeconds * 1000 + 120_000);
    const fixedCpuLine = await fixedCpu.stop();
    errorsNote('fixed', fixed);
    const latencies = sortNumbers(fixed.flatMap((r) => r.latencies ?? []));
    const fixedMs = Math.max(...fixed.map((r) => r.lastAt)) - Math.min(...fixed.map((r) => r.firstAt));
    const p99 = percentile(latencies, 99);
    log(
      `fixed: ${latencies.length} answered at ${Math.round(latencies.length / (fixedMs / 1000))} msg/s; latency p50 ${round(percentile(latencies, 50), 1)} ms, ` +
        `p99 ${round(p99, 1)} ms, max ${round(latencies[latencies.length - 1] ?? NaN, 1)} ms; cpu: ${fixedCpuLine}`,
    );

    const keys = await phase(children, { type: 'keys' }, 120_000);
    const verification = await verify(slices, keys, tsBase);
    const rss = peakRssMiB(service.pid);
    const failed = sum(connect, 'failed') + sum(max, 'failed') + sum(fixed, 'failed');
    log(`stored ${verification.stored} rows; ${failed} calls failed; bench took ${duration(Date.now() - started)}`);
    if (service.logLines > 0) log(`the service logged ${service.logLines} line(s) at warn or above, the last: ${service.output.trim().split('\n').slice(-3).join(' | ').slice(0, 600)}`);

    const connected = Math.min(sum(connect, 'done'), held);
    const targets: [string, boolean][] = [
      [`connected ${connected} >= 5000`, connected >= 5000],
      [`max ${Math.round(maxRate)} >= 5000 msg/s`, maxRate >= 5000],
      [`p99 ${Math.round(p99)} <= 250 ms`, p99 <= 250],
      [`lost ${verification.lost} = 0`, verification.lost === 0],
      [`dup ${verification.dup} = 0`, verification.dup === 0],
      [`rss ${Math.round(rss)} <= 768 MiB`, rss <= 768],
    ];
    print(`targets: ${targets.map(([text, ok]) => `${text} ${ok ? 'ok' : 'MISSED'}`).join('; ')}`);
    print(
      `ocpp: connected ${connected}, max ${Math.round(maxRate)} msg/s stored, p99 ${Math.round(p99)} ms at ${options.rate} msg/s, ` +
        `lost ${verification.lost}, dup ${verification.dup}, rss ${Math.round(rss)} MiB`,
    );
    return options.check && targets.some(([, ok]) => !ok) ? 1 : 0;
  } finally {
    await Promise.all(children.map((child) => child.stop()));
    await service.stop();
  }
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
