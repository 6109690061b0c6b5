import { DataSource } from 'typeorm';
import { AlertEvaluationRepository } from '../../src/alerts/evaluation/alert-evaluation.repository';
import { dataSourceOptions } from '../../src/platform/database/data-source-options';
import { anOrgNumber } from '../support/builders';
import { Sql } from '../support/sql';
import { TestDatabase, createTestDatabase } from '../support/test-database';

/**
 * Several workers evaluating at the same moment (each its own connection pool, as separate
 * processes would have): every cycle is evaluated by one of them, and there is never more than
 * one open alert per rule and subject.
 */
describe('alerts: evaluation by several workers at once', () => {
  let database: TestDatabase;
  let sql: Sql;
  const pools: DataSource[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    sql = await Sql.connect(database.url);
    for (let i = 0; i < 3; i++) pools.push(await new DataSource({ ...dataSourceOptions(database.url), logging: false }).initialize());
    const [{ id: department }] = await sql.rows<{ id: string }>(`INSERT INTO organizations (org_number, name, kind) VALUES ($1, 'Dept', 'municipal_department') RETURNING id`, [anOrgNumber()]);
    await sql.rows(
      `INSERT INTO vehicles (registration, vehicle_class, energy_carrier, department_id, in_service_from, device_id)
       SELECT 'CC' || lpad(g::text, 5, '0'), 'van', 'diesel', $1, DATE '2020-01-01', 'veh-cc-' || g FROM generate_series(1, 200) AS g`,
      [department],
    );
    await sql.rows(
      `INSERT INTO vehicle_state (vehicle_id, last_sample_at, last_received_at, status, status_since) SELECT id, now() - interval '2 hours', now() - interval '2 hours', 'offline', now() - interval '2 hours' FROM vehicles`,
    );
    await sql.rows(`INSERT INTO alert_rules (kind, subject_kind, name, params) VALUES ('vehicle_offline', 'vehicle', 'Offline', '{"minutes": 30}')`);
  });

  afterAll(async () => {
    for (const pool of pools) await pool.destroy();
    await sql?.close();
    await database?.drop();
  });

  it('opens each alert once however the cycles of three workers interleave', async () => {
    const workers = pools.map((pool) => new AlertEvaluationRepository(pool));
    let evaluated = 0;
    let opened = 0;
    for (let round = 0; round < 10; round++) {
      const results = await Promise.all(workers.map((worker) => worker.evaluate(new Date())));
      evaluated += results.filter((r) => r.evaluated).length;
      opened += results.reduce((sum, r) => sum + r.changes.filter((c) => c.event === 'opened').length, 0);
    }
    expect(opened).toBe(200);
    expect(evaluated).toBeGreaterThanOrEqual(10);
    expect(await sql.count(`SELECT 1 FROM alerts`)).toBe(200);
    expect(await sql.count(`SELECT 1 FROM alerts GROUP BY rule_id, subject_id HAVING count(*) > 1`)).toBe(0);
  });
});
