import { ChildProcess, spawn } from 'node:child_process';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { freePort, startBroker } from '../../scripts/lib/mosquitto';
import { BrokerHolder, runBrokerRestart } from '../support/broker-restart';
import { compareWithAcknowledged, sampleKey } from '../support/delivery-check';
import { registerVehicles } from '../support/fleet-fixture';
import { TestPublisher } from '../support/mqtt-publisher';
import { PrivatePostgres, startPrivatePostgres } from '../support/private-postgres';
import { ServiceProcess, startService, waitFor } from '../support/service-process';
import { Sql } from '../support/sql';
import { TestDatabase, createTestDatabase } from '../support/test-database';

/**
 * `npm run test:faults`: the service (api, ingest, worker) under load while its dependencies fail.
 * PostgreSQL and Redis are servers of the test's own (stopping the machine's would break every
 * other run on it), the broker is the project's config. Phases, one after the other:
 *
 * 1. PostgreSQL stopped for 30 s, then Redis restarted: nothing acknowledged lost or duplicated,
 *    the API answers 503 with Retry-After meanwhile, fewer than 10 log lines per minute of
 *    outage, no derivation job left failed, and the derived figures equal a rebuild from scratch.
 * 2. The broker stopped with SIGTERM and started again after 10 s, with a publisher that re-sends
 *    what is unacknowledged: stored == acknowledged, as sets.
 * 3. The broker killed with SIGKILL while it holds a backlog for the (paused) service: lost only
 *    what it acknowledged after its last save, everything it saved stored after the restart.
 */
const log = (line: string) => process.stdout.write(`[faults ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ADMIN_KEY = `faults-admin-${'k'.repeat(40)}`;

/** A Redis of the test's own, without persistence like the machine's. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await waitFor(
    async () => {
      const client = new Redis({ port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      try {
        await client.connect();
        return (await client.ping()) === 'PONG' ? true : undefined;
      } finally {
        client.disconnect();
      }
    },
    10_000,
    'redis',
  );
  return child;
}

async function stopRedis(child: ChildProcess | undefined) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describe('ingest under faults', () => {
  const broker: BrokerHolder = { current: undefined! };
  let postgres: PrivatePostgres;
  let database: TestDatabase;
  let redis: ChildProcess | undefined;
  let redisPort: number;
  let service: ServiceProcess | undefined;
  let port: number;
  let sql: Sql;
  let devices: Map<string, string>;
  const prefix = `faults-${process.pid}`;

  beforeAll(async () => {
    broker.current = await startBroker();
    postgres = await startPrivatePostgres();
    database = await createTestDatabase({ server: postgres.server });
    redisPort = await freePort();
    redis = await startRedis(redisPort);
    sql = await Sql.connect(database.url);
    devices = await registerVehicles(sql, 200, 'veh-fault');
    port = await freePort();
    service = startService({
      APP_ROLES: 'api,ingest,worker',
      PORT: String(port),
      DATABASE_URL: database.url,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      MQTT_URL: broker.current.url,
      REDIS_KEY_PREFIX: prefix,
      ADMIN_API_KEY: ADMIN_KEY,
      INGEST_INSTANCE_ID: 'faults',
      INGEST_CONNECTIONS: '16',
      LOG_LEVEL: 'info',
    });
    await waitFor(async () => ((await fetch(`http://127.0.0.1:${port}/health`)).status === 200 ? true : undefined), 30_000, 'health').catch((error) => {
      throw new Error(`${(error as Error).message}\n${service?.output()}`);
    });
  });

  afterAll(async () => {
    await service?.stop();
    await sql?.close().catch(() => undefined);
    await broker.current?.stop();
    await stopRedis(redis);
    postgres?.destroy();
  });

  it('loses and duplicates nothing through a 30 s PostgreSQL outage and a Redis restart, answers 503 meanwhile, and derives everything after', async () => {
    const publisher = await TestPublisher.connect(broker.current.url);
    const deviceIds = [...devices.keys()];
    const base = Date.now() - 3_600_000;
    const acknowledged = new Set<string>();
    const RATE = 400;
    const SECONDS = 60;
    let sent = 0;
    const publishing = (async () => {
      const started = Date.now();
      const pending = new Set<Promise<void>>();
      while (sent < RATE * SECONDS) {
        const due = Math.floor(((Date.now() - started) / 1000) * RATE);
        while (sent < Math.min(due, RATE * SECONDS)) {
          const i = sent++;
          const deviceId = deviceIds[i % deviceIds.length];
          const p = publisher.publish(`fleet/v1/vehicles/${deviceId}/telemetry`, { ts: base + i * 10, speedKmh: 20, odometerKm: i / 100 }).then(() => {
            acknowledged.add(sampleKey(devices.get(deviceId)!, base + i * 10));
          });
          pending.add(p);
          void p.finally(() => pending.delete(p));
        }
        await sleep(10);
      }
      await Promise.all(pending);
    })();

    await sleep(5000);
    await sql.close();
    log(`stopping PostgreSQL (sent so far: ${sent})`);
    const outageStarted = Date.now();
    postgres.stop();
    await sleep(3000);
    const during = await fetch(`http://127.0.0.1:${port}/api/v1/vehicles`, { headers: { Authorization: `Bearer ${ADMIN_KEY}` } });
    const duringBody = (await during.json()) as { statusCode: number; message: string };
    log(`API during the outage: ${during.status} Retry-After ${during.headers.get('retry-after')} ${JSON.stringify(duringBody)}`);
    await sleep(27_000);
    expect(service!.child.exitCode).toBeNull();
    log(`starting PostgreSQL (sent so far: ${sent}, acknowledged by broker: ${acknowledged.size})`);
    postgres.start();
    const outageEnded = Date.now();
    await sleep(8000);
    log('restarting Redis');
    await stopRedis(redis);
    await sleep(2000);
    redis = await startRedis(redisPort);
    await publishing;
    await publisher.close();
    log(`published ${sent}, acknowledged by broker ${acknowledged.size}`);

    sql = await Sql.connect(database.url);
    const { stored, missing, unexpected, duplicates } = await compareWithAcknowledged(sql, base, acknowledged, 120_000);
    log(`stored ${stored}, missing ${missing}, unexpected ${unexpected}, duplicates ${duplicates}`);
    expect({ missing, unexpected, duplicates }).toEqual({ missing: 0, unexpected: 0, duplicates: 0 });
    expect(acknowledged.size).toBe(RATE * SECONDS);
    expect(during.status).toBe(503);
    expect(during.headers.get('retry-after')).toBe('5');
    expect(duringBody).toEqual({ statusCode: 503, message: expect.any(String) });

    const outageLines = service!
      .output()
      .split('\n')
      .filter((line) => {
        const time = Date.parse((/"time":"([^"]+)"/.exec(line) ?? [])[1] ?? '');
        return time >= outageStarted && time <= outageEnded + 2000;
      });
    const perMinute = outageLines.length / ((outageEnded - outageStarted) / 60_000);
    log(`log lines during the outage: ${outageLines.length} in ${Math.round((outageEnded - outageStarted) / 1000)} s (${perMinute.toFixed(1)} per minute):\n${outageLines.join('\n')}`);
    expect(perMinute).toBeLessThan(10);

    // Every vehicle-day derived from all its samples, nothing failed; then a rebuild from scratch changes nothing.
    const queue = new Queue('derive', { prefix, connection: { host: '127.0.0.1', port: redisPort } });
    try {
      const derivedSamples = () => sql.rows<{ n: string }>(`SELECT coalesce(sum(sample_count), 0) AS n FROM vehicle_daily`).then(([row]) => Number(row.n));
      const samples = await sql.count(`SELECT 1 FROM vehicle_samples`);
      await waitFor(async () => ((await derivedSamples()) === samples ? true : undefined), 180_000, `every sample derived (${samples})`).catch(async (error) => {
        throw new Error(`${(error as Error).message}: derived ${await derivedSamples()}, jobs ${JSON.stringify(await queue.getJobCounts())}`);
      });
      const counts = await queue.getJobCounts('failed', 'waiting', 'active', 'delayed');
      log(`derived: ${samples} samples in rollups; jobs ${JSON.stringify(counts)}`);
      expect(counts.failed).toBe(0);

      const figures = () =>
        sql.rows<Record<string, unknown>>(`SELECT vehicle_id, day::text, distance_km, driving_seconds, sample_count, reset_count, implausible_count FROM vehicle_daily ORDER BY vehicle_id, day`);
      const afterOutage = await figures();
      const today = new Date();
      const day = (offset: number) => new Date(today.getTime() + offset * 86_400_000).toISOString().slice(0, 10);
      await queue.addBulk([...devices.values()].map((vehicleId) => ({ name: 'rebuild-vehicle', data: { vehicleId, firstDay: day(-1), lastDay: day(1) } })));
      await waitFor(
        async () => {
          const now = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
          return now.waiting + now.active + now.delayed + now.prioritized === 0 ? true : undefined;
        },
        180_000,
        'rebuild',
      );
      expect(await figures()).toEqual(afterOutage);
      expect((await queue.getJobCounts('failed')).failed).toBe(0);
    } finally {
      await queue.close();
    }
    const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { status: string };
    expect(health.status).toBe('ok');
  }, 600_000);

  const restartRun = (signal: 'SIGTERM' | 'SIGKILL', base: number, beforeStop?: () => Promise<() => void>) =>
    runBrokerRestart({
      beforeStop,
      signal,
      broker,
      sql,
      devices,
      messages: 60_000,
      perSecond: 2000,
      stopAfter: 40_000,
      downMs: 10_000,
      healthUrl: `http://127.0.0.1:${port}/health`,
      base,
      log,
    });

  it('stores everything the broker acknowledged across a broker SIGTERM and restart after 10 s', async () => {
    const outcome = await restartRun('SIGTERM', Date.now() - 2 * 3_600_000);
    log(`broker SIGTERM: ${JSON.stringify(outcome)}`);
    log(`broker restart to first stored row: ${outcome.restartToFirstStoredMs} ms; to /health ok: ${outcome.restartToHealthyMs} ms`);
    expect({ acknowledged: outcome.acknowledged, stored: outcome.stored, missing: outcome.missing, unexpected: outcome.unexpected, duplicates: outcome.duplicates }).toEqual({
      acknowledged: 60_000,
      stored: 60_000,
      missing: 0,
      unexpected: 0,
      duplicates: 0,
    });
    expect(outcome.healthWhileDown).toEqual({ status: 503, ingest: 'degraded', broker: 'down' });
  }, 300_000);

  it('loses across a broker SIGKILL only what the broker acknowledged after its last save (autosave_interval of the project config)', async () => {
    // The service is paused for 3 s before the kill, so that the broker holds a backlog for it, and
    // halfway the broker saves (SIGUSR1): what it saved must arrive after the restart, what it
    // acknowledged after the save is the broker's loss.
    const pause = async () => {
      service!.child.kill('SIGSTOP');
      await sleep(1500);
      broker.current.process.kill('SIGUSR1');
      await sleep(1500);
      return () => void service!.child.kill('SIGCONT');
    };
    const outcome = await restartRun('SIGKILL', Date.now() - 3 * 3_600_000, pause);
    log(`broker SIGKILL: ${JSON.stringify(outcome)}`);
    log(
      `broker SIGKILL: ${outcome.ackedAfterSave} acknowledged after the broker's last save (${outcome.savedAt ? new Date(outcome.savedAt).toISOString() : 'none'}), ` +
        `${outcome.missingAckedAfterSave} of them lost by the broker, ${outcome.missingAckedBeforeSave} lost by the service; first row ${outcome.restartToFirstStoredMs} ms after the restart`,
    );
    expect(outcome.savedAt).toBeDefined();
    expect(outcome.missingAckedBeforeSave).toBe(0);
    expect(outcome.missing).toBeLessThanOrEqual(outcome.ackedAfterSave);
    // The backlog saved at SIGUSR1 (1.5 s of publishing) came back from the broker's file and was stored.
    expect(outcome.stored).toBeGreaterThanOrEqual(outcome.acknowledged - outcome.ackedAfterSave);
    expect({ unexpected: outcome.unexpected, duplicates: outcome.duplicates }).toEqual({ unexpected: 0, duplicates: 0 });
  }, 300_000);
});
