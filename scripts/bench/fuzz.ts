/**
 * `npm run bench:fuzz -- [--payloads N] [--seed S] [--max-rss-mib M]`: hostile input against the
 * running service. Starts a Mosquitto with the project's config, a migrated database of its own
 * and the service (node dist/src/main.js, APP_ROLES=api,ingest) as a process of its own, then
 * runs the fuzz run of lib/fuzz-run.ts: N generated payloads (default 100,000) through the broker,
 * health and memory watched throughout, the database compared with the contract at the end.
 * Prints the summary line and exits 1 if any check failed. Everything it started is stopped on
 * every way out, the database dropped and the Redis keys of its prefix deleted.
 */
import { randomBytes } from 'node:crypto';
import { RunningBroker, freePort, startBroker } from '../lib/mosquitto';
import { BenchDatabase } from './lib/bench-database';
import { ServiceProcess } from './lib/children';
import { cleanUpOnEveryExit } from './lib/cleanup';
import { registerFuzzFleet, runFuzz } from './lib/fuzz-run';
import { rssMiB } from './lib/proc';
import { UsageError, readCommandLine, wholeNumber } from '../../src/cli/command-line';

const USAGE = `Usage: npm run bench:fuzz -- [options]

  --payloads N      generated MQTT messages (default 100000)
  --seed S          fast-check seed (default: random, printed)
  --max-rss-mib M   peak resident memory the service may reach (default 512)
  --help
`;

const TOPIC_ROOT = 'fleet';
const HORIZON_DAYS = 800;
const DATABASE_SERVER = process.env.BENCH_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const log = (line: string) => process.stderr.write(`[fuzz] ${line}\n`);
const print = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function parseOptions(argv: string[]): { payloads: number; seed: number; maxRssMiB: number } {
  const { values } = readCommandLine(argv, { payloads: { type: 'string' }, seed: { type: 'string' }, 'max-rss-mib': { type: 'string' } }, USAGE);
  return {
    payloads: wholeNumber('payloads', values.payloads, 100_000),
    seed: wholeNumber('seed', values.seed, randomBytes(4).readUInt32BE() >>> 1),
    maxRssMiB: wholeNumber('max-rss-mib', values['max-rss-mib'], 512),
  };
}

const tag = randomBytes(4).toString('hex');
const redisPrefix = `klimaklok-fuzz-${tag}`;
let broker: RunningBroker | undefined;
let db: BenchDatabase | undefined;

const cleanup = cleanUpOnEveryExit({
  name: 'the fuzz run',
  log,
  brokers: () => (broker ? [broker] : []),
  database: () => db,
  redisUrl: REDIS_URL,
  redisPrefix,
});

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  log(`${options.payloads} payloads, seed ${options.seed} (--seed ${options.seed} repeats this run)`);
  broker = await startBroker();
  db = await BenchDatabase.create(DATABASE_SERVER);
  const fleet = await registerFuzzFleet(db.sql);
  const port = await freePort();
  const service = new ServiceProcess({
    APP_ROLES: 'api,ingest',
    PORT: String(port),
    DATABASE_URL: db.url,
    REDIS_URL,
    REDIS_KEY_PREFIX: redisPrefix,
    MQTT_URL: broker.url,
    MQTT_TOPIC_ROOT: TOPIC_ROOT,
    BACKFILL_HORIZON_DAYS: String(HORIZON_DAYS),
    INGEST_INSTANCE_ID: `fuzz-${tag}`,
    ID_TAG_SECRET: `fuzz-id-tag-secret-${tag}`,
    LOG_LEVEL: 'warn',
  });
  const health = async () => (await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(10_000) })).status;
  for (let waited = 0; (await health().catch(() => 0)) !== 200; waited += 200) {
    if (!service.alive || waited > 30_000) throw new Error(`the service did not become healthy:\n${service.output}`);
    await sleep(200);
  }
  log(`service pid ${service.pid} healthy on port ${port}, broker ${broker.url}`);

  const report = await runFuzz({
    mqttUrl: broker.url,
    databaseUrl: db.url,
    topicRoot: TOPIC_ROOT,
    horizonDays: HORIZON_DAYS,
    fleet,
    payloads: options.payloads,
    seed: options.seed,
    health,
    memory: { label: 'service RSS', mib: () => rssMiB(service.pid), max: options.maxRssMiB },
    serviceExited: () => !service.alive,
    log,
  });
  print(
    `sent per kind: ${[...report.sentByLabel]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([label, n]) => `${label} ${n}`)
      .join(', ')}`,
  );
  for (const failure of report.failures) print(`FAILED: ${failure}`);
  if (report.failures.length && service.keepaliveTimeouts) {
    print(
      `note: ${service.keepaliveTimeouts} ingest connections timed out (MQTT keepalive); the broker re-delivered their unacknowledged messages, and a re-delivered bad message leaves its dead letter again`,
    );
  }
  if (report.failures.length && service.output) print(`service output (last lines):\n${service.output.split('\n').slice(-20).join('\n')}`);
  print(`${report.summary}; service log lines ${service.logLines} (ingest keepalive timeouts ${service.keepaliveTimeouts}); seed ${options.seed}`);
  return report.failures.length ? 1 : 0;
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
