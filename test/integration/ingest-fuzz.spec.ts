import { randomInt } from 'node:crypto';
import { Client } from 'pg';
import { registerFuzzFleet, runFuzz } from '../../scripts/bench/lib/fuzz-run';
import { rssMiB } from '../../scripts/bench/lib/proc';
import { TestApp, startTestApp } from '../support/test-app';

/**
 * The fuzz run of `npm run bench:fuzz` on a smaller scale, against the service in this process:
 * generated hostile payloads through the real Mosquitto into the real ingest, PostgreSQL and
 * Redis. A new seed each run (FUZZ_SEED repeats one); the seed is in the failure message.
 */
describe('ingest under hostile input', () => {
  const PAYLOADS = 2000;
  const seed = Number(process.env.FUZZ_SEED ?? randomInt(2 ** 31));
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ APP_ROLES: 'api,ingest', BACKFILL_HORIZON_DAYS: '800' });
  });

  afterAll(async () => {
    await t?.close();
  });

  it(`stays up and stores every valid sample and a dead letter for every bad one of ${PAYLOADS} generated payloads`, async () => {
    const sql = new Client({ connectionString: t.database.url });
    await sql.connect();
    const fleet = await registerFuzzFleet(sql).finally(() => sql.end());
    const baseline = rssMiB(process.pid);
    const report = await runFuzz({
      mqttUrl: t.broker.url,
      databaseUrl: t.database.url,
      topicRoot: t.config.mqttTopicRoot,
      horizonDays: t.config.ingest.backfillHorizonDays,
      fleet,
      payloads: PAYLOADS,
      seed,
      health: async () => (await t.http().get('/health')).status,
      // The service shares this process with Jest and the test files before it: what the run adds to it is bounded.
      memory: { label: 'RSS growth of the test process', mib: () => rssMiB(process.pid) - baseline, max: 512 },
      serviceExited: () => false,
      log: () => undefined,
    });
    process.stdout.write(`${report.summary}; seed ${seed}\n`);
    expect({ seed, failures: report.failures }).toEqual({ seed, failures: [] });
  });
});
