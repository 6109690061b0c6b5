/**
 * `npm run bench:alerts`: one alert evaluation cycle over 10,000 devices with 50,000 open or
 * recent alerts. Generates, in its own database, 8,000 vehicles (live state, half offline, some
 * silent for days, dead letters of some in the last hour) and 2,000 charge points of 50
 * cooperatives (two connectors, a tenth faulted, 30 days of availability intervals, a tenth
 * mostly down), one rule of each kind over all of them plus one per cooperative, and 44,000
 * resolved alerts of the last 30 days. Then it runs the evaluation (the worker's cycle: the same
 * repository and transaction) once to open what holds, and times steady cycles.
 *
 *   npm run bench:alerts -- [--cycles 5] [--check] [--keep-database]
 *
 * --check exits 1 when the median steady cycle is above 1 s (the target).
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { AlertEvaluationRepository } from '../../src/alerts/evaluation/alert-evaluation.repository';
import { dataSourceOptions } from '../../src/platform/database/data-source-options';
import { BenchDatabase, orgNumber } from './lib/bench-database';
import { percentile, round, sortNumbers } from './lib/stats';
import { UsageError, readCommandLine, wholeNumber } from '../../src/cli/command-line';

const log = (line: string) => process.stderr.write(`[bench:alerts] ${line}\n`);
const TARGET_MS = 1000;

const USAGE = `Usage: npm run bench:alerts -- [options]

  --cycles N         steady evaluation cycles timed (default 5)
  --check            exit 1 when the median steady cycle is above 1 s
  --keep-database    leave the generated database for inspection
  -h, --help         this text
`;

const SEED = [
  `INSERT INTO vehicles (registration, vehicle_class, energy_carrier, department_id, in_service_from, device_id)
   SELECT 'AL' || lpad(g::text, 6, '0'), 'passenger_car', 'electricity',
          (SELECT id FROM organizations WHERE kind = 'municipal_department' ORDER BY org_number OFFSET (g % 5) LIMIT 1), DATE '2020-01-01', 'veh-' || g
     FROM generate_series(0, 7999) AS g`,
  // Half offline for 0-99 hours; one in eight silent for 1-5 days.
  `INSERT INTO vehicle_state (vehicle_id, last_sample_at, last_received_at, status, status_since)
   SELECT v.id, t.at, t.at, CASE WHEN n % 2 = 0 THEN 'offline' ELSE 'online' END, t.at
     FROM (SELECT id, substring(registration FROM 3)::int AS n FROM vehicles) v
    CROSS JOIN LATERAL (SELECT now() - CASE WHEN n % 8 = 0 THEN make_interval(days => 1 + n % 5) WHEN n % 2 = 0 THEN make_interval(hours => n % 100) ELSE interval '1 minute' END AS at) t`,
  `INSERT INTO charge_points (organization_id, name, connectors, max_kw, commissioned_on, device_id)
   SELECT (SELECT id FROM organizations WHERE kind = 'housing_cooperative' ORDER BY org_number OFFSET (g % 50) LIMIT 1), 'Garasje ' || g, 2, 7.4, DATE '2020-01-01', 'cp-' || g
     FROM generate_series(0, 1999) AS g`,
  `INSERT INTO charge_point_state (charge_point_id, last_message_at, connection, connection_at)
   SELECT id, now() - CASE WHEN substring(device_id FROM 4)::int % 20 = 0 THEN interval '3 days' ELSE interval '5 minutes' END, 'online', now() FROM charge_points`,
  `INSERT INTO charge_point_connector_state (charge_point_id, connector_id, status, status_at)
   SELECT cp.id, c, CASE WHEN (substring(cp.device_id FROM 4)::int + c) % 10 = 0 THEN 'Faulted' ELSE 'Available' END, now() - interval '2 hours'
     FROM charge_points cp CROSS JOIN generate_series(1, 2) AS c`,
  // A day's interval per charge point and day of the last 31: 22 h available, or 4 h for a tenth.
  `INSERT INTO charge_point_availability (charge_point_id, day, started_at, ended_at)
   SELECT cp.id, d::date, d, d + CASE WHEN substring(cp.device_id FROM 4)::int % 10 = 5 THEN interval '4 hours' ELSE interval '22 hours' END
     FROM charge_points cp CROSS JOIN generate_series(date_trunc('day', now()) - interval '31 days', date_trunc('day', now()) - interval '1 day', interval '1 day') AS d`,
  // 5 dead letters in the last hour for one device in 16, 1 for the others of one in 4; older ones for all of those.
  `INSERT INTO dead_letters (received_at, topic, device_id, reason, detail, payload, payload_bytes, natural_key)
   SELECT now() - make_interval(mins => k * 10 + CASE WHEN n % 16 = 0 THEN 0 ELSE 55 END), 'fleet/v1/vehicles/veh-' || n || '/telemetry', 'veh-' || n, 'invalid_payload', 'bench',
          '\\x00'::bytea, 1, sha256(convert_to(n || '/' || k, 'UTF8'))
     FROM generate_series(0, 7999, 4) AS n CROSS JOIN generate_series(0, CASE WHEN n % 16 = 0 THEN 4 ELSE 20 END) AS k`,
  `INSERT INTO alert_rules (kind, subject_kind, name, organization_id, params)
   VALUES ('vehicle_offline', 'vehicle', 'Offline 30 min', NULL, '{"minutes": 30}'),
          ('device_silent', 'vehicle', 'Vehicles silent 1 day', NULL, '{"days": 1}'),
          ('device_silent', 'charge_point', 'Charge points silent 2 days', NULL, '{"days": 2}'),
          ('connector_fault', 'charge_point', 'Faulted 1 h', NULL, '{"minutes": 60}'),
          ('availability_below', 'charge_point', 'Availability below 90 % over 30 days', NULL, '{"pct": 90, "days": 30, "marginPct": 2}'),
          ('dead_letter_rate', 'vehicle', 'Dead letters above 3 per hour', NULL, '{"perHour": 3}')`,
  `INSERT INTO alert_rules (kind, subject_kind, name, organization_id, params)
   SELECT 'connector_fault', 'charge_point', 'Our faulted connectors', id, '{"minutes": 30}' FROM organizations WHERE kind = 'housing_cooperative'`,
  // History: 44,000 alerts resolved within the last 30 days.
  `INSERT INTO alerts (rule_id, subject_id, subject_part, subject_label, opened_at, resolved_at, clear_since, value, message)
   SELECT r.id, v.id::text, '', v.registration, t.opened, t.opened + interval '2 hours', t.opened + interval '2 hours', 45, 'history'
     FROM (SELECT id FROM alert_rules WHERE kind = 'vehicle_offline') r
    CROSS JOIN generate_series(0, 43999) AS g
    CROSS JOIN LATERAL (SELECT id, registration FROM vehicles OFFSET (g % 8000) LIMIT 1) v
    CROSS JOIN LATERAL (SELECT now() - make_interval(mins => 60 + g % 43000) AS opened) t`,
];

async function main() {
  const { values } = readCommandLine(process.argv.slice(2), { cycles: { type: 'string' }, check: { type: 'boolean' }, 'keep-database': { type: 'boolean' } }, USAGE);
  const cycles = wholeNumber('cycles', values.cycles, 5);
  const database = await BenchDatabase.create('postgres://postgres@127.0.0.1:5432');
  let dataSource: DataSource | undefined;
  try {
    let started = Date.now();
    for (let i = 0; i < 5; i++)
      await database.sql.query(`INSERT INTO organizations (org_number, name, kind) VALUES ($1, $2, 'municipal_department')`, [orgNumber(97_100_000 + i * 17), `Bench department ${i}`]);
    for (let i = 0; i < 50; i++)
      await database.sql.query(`INSERT INTO organizations (org_number, name, kind) VALUES ($1, $2, 'housing_cooperative')`, [orgNumber(98_100_000 + i * 17), `Bench borettslag ${i}`]);
    for (const statement of SEED) await database.sql.query(statement);
    await database.sql.query('ANALYZE');
    log(`generated 8000 vehicles, 2000 charge points, 44000 resolved alerts in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    dataSource = await new DataSource({ ...dataSourceOptions(database.url), logging: false }).initialize();
    const evaluation = new AlertEvaluationRepository(dataSource);
    started = Date.now();
    const first = await evaluation.evaluate(new Date());
    const firstMs = Date.now() - started;
    const { rows } = await database.sql.query(`SELECT count(*) FILTER (WHERE resolved_at IS NULL)::int AS open, count(*)::int AS total FROM alerts`);
    log(`first cycle opened ${first.changes.length} alerts in ${firstMs} ms; ${rows[0].open} open, ${rows[0].total} open or recent`);

    const times: number[] = [];
    let holding = 0;
    for (let i = 0; i < cycles; i++) {
      const t0 = process.hrtime.bigint();
      const result = await evaluation.evaluate(new Date());
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      holding = result.holding;
      if (result.changes.length > 0) log(`cycle ${i + 1}: ${result.changes.length} changes`);
    }
    const sorted = sortNumbers(times);
    const median = percentile(sorted, 50);
    process.stdout.write(
      `bench:alerts: 10000 devices (8000 vehicles, 2000 charge points), ${rows[0].total} open or recent alerts (${rows[0].open} open), ${holding} conditions holding: ` +
        `first cycle ${firstMs} ms (opened ${first.changes.length}); steady cycle median ${round(median)} ms, max ${round(sorted[sorted.length - 1])} ms over ${cycles} cycles (target <= ${TARGET_MS} ms)\n`,
    );
    if (values.check && median > TARGET_MS) process.exitCode = 1;
  } finally {
    await dataSource?.destroy().catch(() => undefined);
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
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
