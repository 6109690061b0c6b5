/**
 * `npm run bench:reports`: latency of the climate report endpoints over a year of daily rollups
 * for 500 vehicles. Generates, in its own database, 500 vehicles of mixed classes and carriers
 * and their vehicle_daily rows for the measured year (2020) and the base year of the change
 * report (2019), a trip per driving day of 2020, a depot per department, a budget set and a
 * replacement plan, starts the API and prints p50 / p95 per endpoint over sequential requests.
 *
 *   npm run bench:reports -- [--vehicles 500] [--requests 40] [--check] [--keep-database]
 *
 * --check exits 1 when an endpoint's p95 is above its target: 200 ms, 500 ms for the
 * electrification plan (issue 19).
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/platform/config/app-config';
import { PinoLoggerService } from '../../src/platform/logging/pino-logger.service';
import { BenchDatabase, orgNumber } from './lib/bench-database';
import { percentile, round, sortNumbers } from './lib/stats';
import { UsageError, readCommandLine, wholeNumber } from '../../src/cli/command-line';

const log = (line: string) => process.stderr.write(`[bench:reports] ${line}\n`);
const TARGET_P95_MS = 200;
const PLAN_TARGET_P95_MS = 500;

const USAGE = `Usage: npm run bench:reports -- [options]

  --vehicles N       vehicles generated (default 500)
  --requests N       sequential requests per endpoint (default 40)
  --check            exit 1 when an endpoint's p95 is above its target
  --keep-database    leave the generated database for inspection
  -h, --help         this text
`;

/**
 * 500 vehicles: per 20, 8 electric cars, 4 petrol cars, 2 plug-in hybrids, 2 diesel vans,
 * 2 electric vans, 1 diesel truck, 1 biogas truck; a tenth leave service in mid-2019 and a
 * tenth enter in 2020, so service dates are exercised.
 */
const VEHICLES_SQL = `
INSERT INTO vehicles (registration, vehicle_class, energy_carrier, department_id, in_service_from, in_service_to, nominal_consumption_per_km)
SELECT 'RB' || lpad(g::text, 6, '0'),
       (ARRAY['passenger_car','passenger_car','passenger_car','passenger_car','passenger_car','passenger_car','passenger_car','passenger_car',
              'passenger_car','passenger_car','passenger_car','passenger_car','passenger_car','passenger_car','van','van','van','van','truck','truck'])[g % 20 + 1],
       (ARRAY['electricity','electricity','electricity','electricity','electricity','electricity','electricity','electricity',
              'petrol','petrol','petrol','petrol','plugin_hybrid','plugin_hybrid','diesel','diesel','electricity','electricity','diesel','biogas'])[g % 20 + 1],
       (SELECT id FROM organizations ORDER BY org_number OFFSET (g % 5) LIMIT 1),
       CASE WHEN g % 10 = 3 THEN DATE '2020-02-01' ELSE DATE '2018-01-01' END,
       CASE WHEN g % 10 = 7 THEN DATE '2019-06-30' END,
       CASE WHEN g % 7 = 0 THEN NULL ELSE 0.07 + (g % 5) * 0.01 END
  FROM generate_series(0, $1::int - 1) AS g`;

/**
 * A day per vehicle and calendar day of 2019 and 2020: 10-80 km on working days, little at
 * weekends; counters by carrier, with about one day in twelve without counter data (so that
 * modelled and default figures occur) and electric consumption-only days.
 */
const DAILY_SQL = `
INSERT INTO vehicle_daily (vehicle_id, day, distance_km, driving_seconds, fuel_used_l, gas_used_kg, energy_charged_kwh, energy_consumed_kwh,
                           sample_count, reset_count, implausible_count, long_gap_count)
SELECT v.id, d.day, k.km, k.km * 90,
       CASE WHEN v.energy_carrier IN ('petrol','diesel','plugin_hybrid') AND k.h % 12 <> 0 THEN k.km * 0.075 END,
       CASE WHEN v.energy_carrier = 'biogas' AND k.h % 12 <> 0 THEN k.km * 0.33 END,
       CASE WHEN v.energy_carrier IN ('electricity','plugin_hybrid') AND k.h % 12 > 1 THEN k.km * 0.2 END,
       CASE WHEN v.energy_carrier IN ('electricity','plugin_hybrid') AND k.h % 12 <> 0 THEN k.km * 0.18 END,
       200, 0, 0, 0
  FROM vehicles v
 CROSS JOIN generate_series(DATE '2019-01-01', DATE '2020-12-31', interval '1 day') AS g(ts)
 CROSS JOIN LATERAL (SELECT g.ts::date AS day) AS d
 CROSS JOIN LATERAL (SELECT abs(hashtext(v.id::text || d.day::text)) AS h) AS hh
 CROSS JOIN LATERAL (SELECT hh.h,
                            CASE WHEN extract(isodow FROM d.day) < 6 THEN 10 + (hh.h % 71) ELSE (hh.h % 15) END::float8 AS km) AS k`;

/** One trip per driving day of 2020, 07:00-15:00 UTC; four vehicles in five park at their department's depot. */
const TRIPS_SQL = `
INSERT INTO trips (vehicle_id, started_at, ended_at, start_lat, start_lon, end_lat, end_lon, distance_km, sample_count, by_ignition)
SELECT d.vehicle_id, d.day + time '07:00' AT TIME ZONE 'UTC', d.day + time '15:00' AT TIME ZONE 'UTC', p.lat, p.lon,
       CASE WHEN abs(hashtext(v.id::text)) % 5 = 0 THEN p.lat + 0.05 ELSE p.lat END, p.lon, d.distance_km, 50, true
  FROM vehicle_daily d JOIN vehicles v ON v.id = d.vehicle_id JOIN depots p ON p.organization_id = v.department_id
 WHERE d.day >= DATE '2020-01-01' AND d.distance_km > 0`;

async function main() {
  const { values } = readCommandLine(process.argv.slice(2), { vehicles: { type: 'string' }, requests: { type: 'string' }, check: { type: 'boolean' }, 'keep-database': { type: 'boolean' } }, USAGE);
  const vehicles = wholeNumber('vehicles', values.vehicles, 500);
  const requests = wholeNumber('requests', values.requests, 40);
  const adminKey = randomBytes(24).toString('hex');
  const database = await BenchDatabase.create('postgres://postgres@127.0.0.1:5432');
  let app: Awaited<ReturnType<typeof createApp>> | undefined;
  try {
    for (let i = 0; i < 5; i++) {
      await database.sql.query(`INSERT INTO organizations (org_number, name, kind) VALUES ($1, $2, 'municipal_department')`, [orgNumber(96_100_000 + i * 17), `Bench department ${i}`]);
    }
    await database.sql.query(VEHICLES_SQL, [vehicles]);
    const started = Date.now();
    await database.sql.query(DAILY_SQL);
    await database.sql.query('ANALYZE vehicle_daily');
    const { rows } = await database.sql.query(`SELECT count(*)::int AS n, count(*) FILTER (WHERE day >= DATE '2020-01-01')::int AS year FROM vehicle_daily`);
    log(`generated ${rows[0].n} daily rollups (${rows[0].year} in 2020) of ${vehicles} vehicles in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const config = loadConfig({
      ...process.env,
      APP_ROLES: 'api',
      DATABASE_URL: database.url,
      REDIS_KEY_PREFIX: `bench-reports-${randomBytes(4).toString('hex')}`,
      ADMIN_API_KEY: adminKey,
      LOG_LEVEL: 'error',
      PORT: '0',
    });
    app = await createApp(config, new PinoLoggerService('error'));
    await app.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;

    await database.sql.query(
      `INSERT INTO depots (organization_id, name, lat, lon, radius_m, charger_kw)
       SELECT id, name || ' depot', 59.9 + row_number() OVER (ORDER BY org_number) * 0.01, 10.7, 300, 11 FROM organizations`,
    );
    await database.sql.query(TRIPS_SQL);
    await database.sql.query('ANALYZE trips');
    const post = async (path: string, body: object) => {
      const response = await fetch(base + path, { method: 'POST', headers: { Authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (response.status !== 201) throw new Error(`${path}: ${response.status} ${await response.text()}`);
      return response.json();
    };
    await post('/api/v1/emissions/budget-sets', {
      name: 'Bench budget',
      budgets: [
        { scope: 'fleet', fromYear: 2020, toYear: 2030, boundary: 'ttw', annualKg: 300_000 },
        { scope: 'vehicleClass:passenger_car', fromYear: 2020, toYear: 2030, boundary: 'ttw', annualKg: 100_000 },
      ],
      targets: [{ name: 'Passenger cars -25 % against 2019', scope: 'vehicleClass:passenger_car', kind: 'change', year: 2020, baseYear: 2019, changePct: -25 }],
    });
    const { rows: fossil } = await database.sql.query(
      `SELECT v.id, c.id AS candidate FROM vehicles v JOIN LATERAL (SELECT id FROM ev_candidates WHERE vehicle_class = v.vehicle_class LIMIT 1) c ON true
        WHERE v.energy_carrier IN ('petrol', 'diesel') AND (v.in_service_to IS NULL OR v.in_service_to >= DATE '2020-09-01') ORDER BY v.registration LIMIT 50`,
    );
    const plan = (await post('/api/v1/electrification/plans', {
      name: 'Bench plan',
      items: fossil.map((row, i) => ({ vehicleId: row.id, month: `2020-${String(7 + (i % 6)).padStart(2, '0')}`, candidateId: row.candidate })),
    })) as { id: string };

    const endpoints = [
      '/api/v1/reports/emissions?from=2020-01-01&to=2021-01-01',
      '/api/v1/reports/emissions?from=2020-01-01&to=2021-01-01&groupBy=vehicle&boundary=wtw&gridMethod=market',
      '/api/v1/reports/emissions?from=2020-01-01&to=2021-01-01&groupBy=department',
      '/api/v1/reports/emissions?from=2020-01-01&to=2021-01-01&groupBy=month&format=csv',
      '/api/v1/reports/emissions?from=2020-01-01&to=2021-01-01&groupBy=carrier&format=xlsx',
      '/api/v1/reports/emissions/change?baseYear=2019&year=2020&vehicleClass=passenger_car',
      '/api/v1/reports/emissions/change?baseYear=2019&year=2020&boundary=wtw',
      '/api/v1/reports/fleet-kpis?year=2020',
      '/api/v1/reports/climate-budget?year=2020&month=6',
      `/api/v1/reports/climate-budget?year=2020&month=6&scope=vehicleClass:passenger_car&plan=${plan.id}`,
      '/api/v1/reports/climate-budget?year=2020&format=xlsx',
      '/api/v1/reports/electrification-plan?asOf=2021-01-01',
      '/api/v1/reports/electrification-plan?asOf=2021-01-01&petrolNokPerL=20&dieselNokPerL=21&electricityNokPerKwh=1.5&format=xlsx',
    ];
    const targetOf = (endpoint: string) => (endpoint.includes('electrification-plan') ? PLAN_TARGET_P95_MS : TARGET_P95_MS);
    const results: Array<{ endpoint: string; p50: number; p95: number; max: number; target: number }> = [];
    const loadBefore = loadavg()[0];
    for (const endpoint of endpoints) {
      const get = async () => {
        const t0 = process.hrtime.bigint();
        const response = await fetch(base + endpoint, { headers: { Authorization: `Bearer ${adminKey}` } });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`${endpoint}: ${response.status}`);
        return Number(process.hrtime.bigint() - t0) / 1e6;
      };
      for (let i = 0; i < 3; i++) await get(); // warm-up: connections, caches, plans
      const times: number[] = [];
      for (let i = 0; i < requests; i++) times.push(await get());
      const sorted = sortNumbers(times);
      results.push({ endpoint, p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted[sorted.length - 1], target: targetOf(endpoint) });
    }
    // Latency on a shared machine depends on what else runs: say how busy it was.
    const load = `load average ${loadBefore.toFixed(1)} -> ${loadavg()[0].toFixed(1)} on ${cpus().length} cores`;
    process.stdout.write(`reports: ${vehicles} vehicles, a year of daily rollups (2020; 2019 as base year), ${requests} sequential requests per endpoint, ${load}\n`);
    for (const r of results) {
      process.stdout.write(
        `  p50 ${String(round(r.p50, 1)).padStart(6)} ms  p95 ${String(round(r.p95, 1)).padStart(6)} ms  max ${String(round(r.max, 1)).padStart(6)} ms  ${r.p95 <= r.target ? 'ok ' : 'MISS'}  ${r.endpoint}\n`,
      );
    }
    const missed = results.filter((r) => r.p95 > r.target);
    const targets = `${TARGET_P95_MS} ms (electrification plan ${PLAN_TARGET_P95_MS} ms)`;
    process.stdout.write(missed.length === 0 ? `all p95 within target: ${targets}\n` : `${missed.length} endpoint(s) above their p95 target: ${targets}\n`);
    if (values.check && missed.length > 0) process.exitCode = 1;
  } finally {
    await app?.close().catch(() => undefined);
    await database.close();
    if (values['keep-database']) log(`kept ${database.url}`);
    else await database.drop().catch(() => undefined);
  }
}

main().catch((error) => {
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`bench:reports failed: ${(error as Error).stack}\n`);
  process.exit(1);
});
