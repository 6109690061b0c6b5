/**
 * `npm run bench:derive`: rebuilds every derived vehicle figure (trips, daily rollups, state) of
 * one month of the demo fleet from raw samples, through the real job queue and worker, and prints
 * raw samples per second and the total time. The raw month is generated in SQL: working-day
 * driving at one sample a minute, parked samples every 15 minutes.
 *
 *   npm run bench:derive -- [--month 2019-10] [--concurrency 4] [--keep-database]
 */
import 'reflect-metadata';
import { Queue } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/platform/config/app-config';
import { dataSourceOptions } from '../../src/platform/database/data-source-options';
import { dropDatabase, ensureDatabase } from '../../src/platform/database/ensure-database';
import { PinoLoggerService } from '../../src/platform/logging/pino-logger.service';
import { JobName, QueueName } from '../../src/platform/queue/job-catalogue';
import { QueueService } from '../../src/platform/queue/queue.service';
import { parseFleetFile } from '../../src/registry/fleet-import/fleet-file';
import { FleetImportService } from '../../src/registry/fleet-import/fleet-import.service';
import { UsageError, readCommandLine, wholeNumber } from '../../src/cli/command-line';

const ROOT = path.resolve(__dirname, '..', '..', '..');

const log = (line: string) => process.stderr.write(`[bench:derive] ${line}\n`);

const USAGE = `Usage: npm run bench:derive -- [options]

  --month YYYY-MM      month of raw samples generated and derived (default 2019-10)
  --concurrency N      WORKER_CONCURRENCY of the worker (default 4)
  --keep-database      leave the generated database for inspection
  -h, --help           this text
`;

/** One month of raw samples for every vehicle in service that month, generated in the database. */
const GENERATE_SQL = `
INSERT INTO vehicle_samples (vehicle_id, ts, received_at, odometer_km, speed_kmh, lat, lon, ignition, fuel_used_l, gas_used_kg, energy_consumed_kwh, energy_charged_kwh, soc_pct)
SELECT v.id, m.ts, now() - interval '1 hour',
       10000 + m.moved * 0.6,
       CASE WHEN m.moving THEN 36 ELSE 0 END,
       59.85 + (abs(hashtext(v.id::text)) % 1000) / 10000.0 + CASE WHEN m.moving THEN (m.moved % 60) / 1000.0 ELSE 0 END,
       10.45 + (abs(hashtext(v.registration)) % 2000) / 10000.0,
       m.moving,
       CASE WHEN v.energy_carrier IN ('petrol', 'diesel', 'hvo', 'plugin_hybrid') THEN 500 + m.moved * 0.6 * coalesce(v.nominal_consumption_per_km, 0.07) END,
       CASE WHEN v.energy_carrier IN ('biogas', 'cng') THEN 300 + m.moved * 0.6 * coalesce(v.nominal_consumption_per_km, 0.33) END,
       CASE WHEN v.energy_carrier IN ('electricity', 'plugin_hybrid') THEN 2000 + m.moved * 0.6 * coalesce(v.nominal_consumption_per_km, 0.18) END,
       CASE WHEN v.energy_carrier IN ('electricity', 'plugin_hybrid') THEN 2200 + m.moved * 0.6 * coalesce(v.nominal_consumption_per_km, 0.18) / 0.9 END,
       CASE WHEN v.energy_carrier IN ('electricity', 'plugin_hybrid') THEN 80 - (m.moved % 100) * 0.3 END
  FROM vehicles v
  CROSS JOIN LATERAL (
    SELECT ts, moving, sum(moving::int) OVER (ORDER BY ts) AS moved
      FROM (SELECT ts,
                   extract(isodow FROM ts) < 6
                   AND ((ts::time >= time '06:00' + (abs(hashtext(v.id::text)) % 60) * interval '1 minute'
                         AND ts::time < time '07:00' + (abs(hashtext(v.id::text)) % 60) * interval '1 minute')
                     OR (ts::time >= time '14:00' AND ts::time < time '15:00')) AS moving
              FROM generate_series($1::timestamptz, $2::timestamptz - interval '1 minute', interval '1 minute') AS ts) AS minutes
  ) AS m
 WHERE v.device_id IS NOT NULL
   AND v.in_service_from <= $2::date AND (v.in_service_to IS NULL OR v.in_service_to >= $1::date)
   AND (m.moving OR extract(minute FROM m.ts)::int % 15 = 0)`;

async function main() {
  const { values } = readCommandLine(process.argv.slice(2), { month: { type: 'string' }, concurrency: { type: 'string' }, 'keep-database': { type: 'boolean' } }, USAGE);
  const month = values.month ?? '2019-10';
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new UsageError(`--month must be YYYY-MM, got "${month}"`);
  const concurrency = String(wholeNumber('concurrency', values.concurrency, 4));
  const start = `${month}-01T00:00:00Z`;
  const endDate = new Date(start);
  endDate.setUTCMonth(endDate.getUTCMonth() + 1);
  const end = endDate.toISOString();
  const databaseUrl = `postgres://postgres@127.0.0.1:5432/klimaklok_bench_derive_${randomBytes(4).toString('hex')}`;
  const prefix = `bench-derive-${randomBytes(4).toString('hex')}`;
  const config = loadConfig({
    ...process.env,
    APP_ROLES: 'worker',
    DATABASE_URL: databaseUrl,
    REDIS_KEY_PREFIX: prefix,
    WORKER_CONCURRENCY: concurrency,
    LOG_LEVEL: 'error',
  });
  let app: Awaited<ReturnType<typeof createApp>> | undefined;
  const cleanUp = async () => {
    await app?.close().catch(() => undefined);
    if (values['keep-database']) log(`kept ${databaseUrl}`);
    else await dropDatabase(databaseUrl).catch(() => undefined);
  };
  process.once('SIGINT', () => void cleanUp().then(() => process.exit(130)));
  try {
    await ensureDatabase(databaseUrl);
    const dataSource = await new DataSource(dataSourceOptions(databaseUrl)).initialize();
    await dataSource.runMigrations({ transaction: 'each' });

    app = await createApp(config, new PinoLoggerService('error'));
    await app.init();
    const imported = await app.get(FleetImportService).import(parseFleetFile(readFileSync(path.join(ROOT, 'demo', 'baerum-fleet.yaml'), 'utf8')));
    log(`demo fleet imported: ${imported.summary.created} rows`);

    await dataSource.query(`SELECT ensure_monthly_partition('vehicle_samples', $1::date)`, [start.slice(0, 10)]);
    let started = Date.now();
    await dataSource.query(GENERATE_SQL, [start, end]);
    const [{ samples, vehicles }] = await dataSource.query(`SELECT count(*)::int AS samples, count(DISTINCT vehicle_id)::int AS vehicles FROM vehicle_samples`);
    log(`generated ${samples} raw samples of ${vehicles} vehicles for ${month} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await dataSource.query('ANALYZE vehicle_samples');
    // The samples (dated an hour back) are accounted for by the rebuild below: keep the reconciler
    // from enqueuing them day by day as well.
    await dataSource.query(`INSERT INTO reconciler_watermarks (name, stored_through) VALUES ('vehicle-days', now())
       ON CONFLICT (name) DO UPDATE SET stored_through = EXCLUDED.stored_through`);
    const ids: Array<{ id: string }> = await dataSource.query(`SELECT DISTINCT vehicle_id AS id FROM vehicle_samples`);
    await dataSource.destroy();

    const lastDay = new Date(endDate.getTime() - 86_400_000).toISOString().slice(0, 10);
    started = Date.now();
    await app.get(QueueService).enqueue(ids.map(({ id }) => ({ name: JobName.RebuildVehicle, payload: { vehicleId: id, firstDay: `${month}-01`, lastDay }, dedupKey: `rebuild:${id}:${month}` })));
    const queue = new Queue(QueueName.Derive, { prefix, connection: { url: config.redisUrl } });
    try {
      for (;;) {
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
        if (counts.failed > 0) throw new Error(`${counts.failed} rebuild jobs failed`);
        if (counts.waiting + counts.active + counts.delayed === 0) break;
        log(`rebuilding: ${counts.completed}/${ids.length} vehicles done`);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    } finally {
      await queue.close();
    }
    const seconds = (Date.now() - started) / 1000;
    const rate = Math.round(samples / seconds);
    process.stdout.write(`derive: ${samples} samples of ${vehicles} vehicles (${month}) rebuilt in ${seconds.toFixed(1)} s = ${rate} samples/s (worker concurrency ${concurrency})\n`);
  } finally {
    await cleanUp();
  }
}

main().catch((error) => {
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`bench:derive failed: ${(error as Error).stack}\n`);
  process.exit(1);
});
