/**
 * `npm run bench:replay -- [--dead-letters N] [--devices N]`: replay of dead letters at scale.
 * Makes a migrated database of its own holding N dead letters (default 100,000) as the ingest
 * leaves them: 89 % single samples refused as `timestamp_too_old`, 10 % arrays of five samples
 * refused as `unknown_device` (their devices are registered now), 1 % malformed messages that stay
 * refused. Starts a Mosquitto and the service (node dist/src/main.js, APP_ROLES=api) with a horizon
 * wide enough for all of them, and measures:
 *
 * 1. the replay of all of them (POST /api/v1/dead-letters/replay): rate and the service's RSS;
 * 2. resumption: marks and samples reset, a replay killed (SIGKILL) half way, the service
 *    restarted and the replay asked again: it goes on from the marks, and the samples stored in
 *    the end are exactly those expected;
 * 3. a replay after that: only the still-refused are tried again, nothing is stored.
 *
 * Prints one line per phase; exits 1 if a count is not the expected one. Everything it started
 * is stopped on every way out, the database dropped and the Redis keys of its prefix deleted.
 */
import { randomBytes } from 'node:crypto';
import { RunningBroker, freePort, startBroker } from '../lib/mosquitto';
import { BenchDatabase } from './lib/bench-database';
import { ServiceProcess } from './lib/children';
import { cleanUpOnEveryExit } from './lib/cleanup';
import { peakRssMiB, rssMiB } from './lib/proc';
import { UsageError, readCommandLine, wholeNumber } from '../../src/cli/command-line';

const USAGE = `Usage: npm run bench:replay -- [options]

  --dead-letters N   dead letters to replay (default 100000)
  --devices N        registered vehicles they belong to (default 500)
  --help
`;

const DATABASE_SERVER = process.env.BENCH_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** The dead letters' samples are from 2020 on: a horizon that accepts them all. */
const HORIZON_DAYS = 3650;
const ARRAY_SAMPLES = 5;

const log = (line: string) => process.stderr.write(`[replay] ${line}\n`);
const print = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function parseOptions(argv: string[]): { deadLetters: number; devices: number } {
  const { values } = readCommandLine(argv, { 'dead-letters': { type: 'string' }, devices: { type: 'string' } }, USAGE);
  return { deadLetters: wholeNumber('dead-letters', values['dead-letters'], 100_000, 100), devices: wholeNumber('devices', values.devices, 500, 100) };
}

const tag = randomBytes(4).toString('hex');
const redisPrefix = `klimaklok-replay-${tag}`;
const adminKey = `bench-admin-${randomBytes(24).toString('hex')}`;
let broker: RunningBroker | undefined;
let db: BenchDatabase | undefined;

const cleanup = cleanUpOnEveryExit({
  name: 'the replay bench',
  log,
  brokers: () => (broker ? [broker] : []),
  database: () => db,
  redisUrl: REDIS_URL,
  redisPrefix,
});

interface ReplayAnswer {
  replayed: number;
  stored: number;
  duplicates: number;
  stillRejected: Record<string, number>;
}

/**
 * The dead letters, written with SQL as the ingest writes them (the topic, the payload whole, its
 * size; a natural key unique per row). Row g belongs to device g mod `devices`; sample times are a
 * minute apart per device, so no two samples share a key.
 */
async function makeDeadLetters(database: BenchDatabase, count: number, devices: number): Promise<{ samples: number; malformed: number }> {
  await database.registerVehicles(devices);
  const malformed = Math.floor(count / 100);
  const arrays = Math.floor(count / 10);
  const tooOld = count - malformed - arrays;
  const topic = `'fleet/v1/vehicles/bench-' || lpad((g % ${devices})::text, 5, '0') || '/telemetry'`;
  const insert = (reason: string, payload: string, from: number, to: number) =>
    database.sql.query(
      `INSERT INTO dead_letters (received_at, topic, device_id, reason, detail, sample_index, payload, payload_bytes, natural_key)
       SELECT now() - interval '1 hour', ${topic}, 'bench-' || lpad((g % ${devices})::text, 5, '0'), $1, 'bench', NULL, p, length(p), sha256(convert_to('bench ' || g, 'UTF8'))
         FROM generate_series($2::int, $3::int) AS g, LATERAL (SELECT convert_to(${payload}, 'UTF8') AS p) AS x`,
      [reason, from, to],
    );
  // ts of sample k of row g: 2020-01-01 + (g div devices * ARRAY_SAMPLES + k) minutes.
  const sample = (k: string) =>
    `format('{"ts":"%s","odometerKm":%s,"speedKmh":30}', to_char((timestamptz '2020-01-01T00:00:00Z' + make_interval(mins => (g / ${devices}) * ${ARRAY_SAMPLES} + ${k})) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), g + ${k})`;
  for (let from = 0; from < tooOld; from += 20_000) await insert('timestamp_too_old', sample('0'), from, Math.min(tooOld, from + 20_000) - 1);
  const array = `'[' || ${Array.from({ length: ARRAY_SAMPLES }, (_, k) => sample(String(k))).join(` || ',' || `)} || ']'`;
  await insert('unknown_device', array, tooOld, tooOld + arrays - 1);
  await insert('malformed_json', `'{"ts":'`, tooOld + arrays, count - 1);
  await database.sql.query('ANALYZE dead_letters');
  return { samples: tooOld + arrays * ARRAY_SAMPLES, malformed };
}

function startServiceProcess(database: BenchDatabase, port: number): ServiceProcess {
  return new ServiceProcess({
    APP_ROLES: 'api',
    PORT: String(port),
    DATABASE_URL: database.url,
    REDIS_URL,
    REDIS_KEY_PREFIX: redisPrefix,
    MQTT_URL: broker!.url,
    BACKFILL_HORIZON_DAYS: String(HORIZON_DAYS),
    ADMIN_API_KEY: adminKey,
    API_RATE_LIMIT_PER_MINUTE: '0',
    LOG_LEVEL: 'info',
  });
}

async function healthy(service: ServiceProcess, port: number): Promise<void> {
  for (let waited = 0; ; waited += 200) {
    const status = await fetch(`http://127.0.0.1:${port}/health`).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return;
    if (!service.alive || waited > 30_000) throw new Error(`the service did not become healthy:\n${service.output}`);
    await sleep(200);
  }
}

async function replay(port: number): Promise<ReplayAnswer> {
  const response = await fetch(`http://127.0.0.1:${port}/api/v1/dead-letters/replay`, { method: 'POST', headers: { authorization: `Bearer ${adminKey}` } });
  if (response.status !== 200) throw new Error(`replay answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as ReplayAnswer;
}

const count = async (sql: string) => Number((await db!.sql.query<{ n: string }>(sql)).rows[0].n);
const describe = (rejected: Record<string, number>) =>
  Object.entries(rejected)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ') || 'none';

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const failures: string[] = [];
  const check = (what: string, actual: unknown, expected: unknown) => {
    if (JSON.stringify(actual) !== JSON.stringify(expected)) failures.push(`${what}: ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
  };
  broker = await startBroker();
  db = await BenchDatabase.create(DATABASE_SERVER);
  const made = Date.now();
  const { samples, malformed } = await makeDeadLetters(db, options.deadLetters, options.devices);
  const written = (await db.deadLetters()).map(({ reason, n }) => `${reason} ${n}`).join(', ');
  log(`${options.deadLetters} dead letters (${written}; ${samples} samples) for ${options.devices} vehicles written in ${((Date.now() - made) / 1000).toFixed(1)} s`);

  // 1. The whole replay, measured.
  const port = await freePort();
  let service = startServiceProcess(db, port);
  await healthy(service, port);
  const rssBefore = rssMiB(service.pid);
  let rssPeak = rssBefore;
  const watch = setInterval(() => (rssPeak = Math.max(rssPeak, rssMiB(service.pid) || 0)), 100);
  const started = Date.now();
  const full = await replay(port);
  const seconds = (Date.now() - started) / 1000;
  clearInterval(watch);
  const hwm = peakRssMiB(service.pid);
  check('replayed', full.replayed, options.deadLetters);
  check('stored', full.stored, samples);
  check('still rejected', full.stillRejected, { malformed_json: malformed });
  check('samples in the table', await count('SELECT count(*) AS n FROM vehicle_samples'), samples);
  const progressLines = service.output.split('\n').filter((line) => line.includes('Dead-letter replay in progress')).length;
  print(
    `replay: ${full.replayed} dead letters in ${seconds.toFixed(1)} s (${Math.round(full.replayed / seconds)}/s, ${Math.round(full.stored / seconds)} samples/s): ` +
      `samples stored ${full.stored}, duplicates ${full.duplicates}, still rejected ${describe(full.stillRejected)}; ` +
      `service RSS ${rssBefore.toFixed(0)} MiB before, peak ${Math.max(rssPeak, hwm).toFixed(0)} MiB (VmHWM ${hwm.toFixed(0)}); progress log lines ${progressLines}`,
  );

  // 2. Resumption after a restart in the middle of a replay.
  await db.sql.query('UPDATE dead_letters SET replayed_at = NULL, replay_outcome = NULL');
  await db.sql.query('TRUNCATE vehicle_samples');
  const cut = replay(port).then(
    () => 'finished',
    () => 'cut',
  );
  await sleep((seconds * 1000) / 2);
  service.child.kill('SIGKILL');
  await service.exited;
  const outcome = await cut;
  const marked = await count('SELECT count(*) AS n FROM dead_letters WHERE replayed_at IS NOT NULL');
  const storedBefore = await count('SELECT count(*) AS n FROM vehicle_samples');
  service = startServiceProcess(db, port);
  await healthy(service, port);
  const resumed = await replay(port);
  const storedAfter = await count('SELECT count(*) AS n FROM vehicle_samples');
  check('samples in the table after resuming', storedAfter, samples);
  check('stored before the kill plus after the restart', storedBefore + resumed.stored, samples);
  if (outcome !== 'cut' || marked === 0 || marked >= options.deadLetters) failures.push(`the kill did not land half way (request ${outcome}, ${marked} marked)`);
  print(
    `resume: service killed after ${((seconds * 1000) / 2 / 1000).toFixed(1)} s with ${marked} dead letters marked and ${storedBefore} samples stored; ` +
      `after the restart the replay took ${resumed.replayed} (skipping those stored), stored ${resumed.stored}, duplicates ${resumed.duplicates}; samples in the table ${storedAfter} of ${samples}`,
  );

  // 3. Once more: nothing left but the malformed.
  const again = await replay(port);
  check('a further replay', again, { replayed: malformed, stored: 0, duplicates: 0, stillRejected: { malformed_json: malformed } });
  print(`again: replayed ${again.replayed}, stored ${again.stored}, still rejected ${describe(again.stillRejected)}`);
  await service.stop();

  for (const failure of failures) print(`FAILED: ${failure}`);
  return failures.length ? 1 : 0;
}

main()
  .then(
    (code) => cleanup().then(() => code),
    (error: unknown) => {
      if (error instanceof UsageError) log(error.message);
      else log(error instanceof Error ? (error.stack ?? error.message) : String(error));
      return cleanup().then(() => 1);
    },
  )
  .then((code) => process.exit(code));
