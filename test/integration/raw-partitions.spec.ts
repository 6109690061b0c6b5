import { Sql } from '../support/sql';
import { TestDatabase, createTestDatabase } from '../support/test-database';

/**
 * Month partitions of the raw stores are made on demand by the ingest (a backfill reaches a month
 * that has none yet). Making one must not wait for the readers of the table: derivations read it
 * for seconds at a time, and a waiting ACCESS EXCLUSIVE lock would stop every query behind it.
 */
describe('raw store month partitions', () => {
  let database: TestDatabase;
  let reader: Sql;
  let writer: Sql;

  beforeAll(async () => {
    database = await createTestDatabase();
    reader = await Sql.connect(database.url);
    writer = await Sql.connect(database.url);
  });

  afterAll(async () => {
    await reader?.close();
    await writer?.close();
    await database?.drop();
  });

  it('adds a month while a long reader holds the table, with the parent key on it', async () => {
    await reader.rows('BEGIN');
    await reader.rows('SELECT count(*) FROM charge_point_transactions');
    // The reader's transaction is still open: a partition that needs ACCESS EXCLUSIVE times out here.
    await writer.rows(`SET lock_timeout = '2s'`);
    await writer.rows(`SELECT ensure_monthly_partition('charge_point_transactions', '2018-10-17')`);
    await reader.rows('COMMIT');

    const [partition] = await writer.rows<{ bound: string }>(`SELECT pg_get_expr(relpartbound, oid) AS bound FROM pg_class WHERE relname = 'charge_point_transactions_2018_10'`);
    expect(partition.bound).toBe(`FOR VALUES FROM ('2018-10-01 00:00:00+00') TO ('2018-11-01 00:00:00+00')`);
    const insert = `INSERT INTO charge_point_transactions (charge_point_id, connector_id, ts, received_at, event, transaction_id, meter_wh)
                    VALUES ('00000000-0000-0000-0000-000000000001', 1, '2018-10-17T18:00:00Z', now(), 'start', '7', 100)
                    ON CONFLICT DO NOTHING RETURNING 1`;
    expect(await writer.rows(insert)).toHaveLength(1);
    expect(await writer.rows(insert)).toHaveLength(0);
  });

  it('lets a second caller return once the first has made the month (two ingest processes starting together)', async () => {
    // The first caller's transaction stays open after making the month, so the second one cannot
    // see it yet and goes on to make it too: it waits for the first to commit, then finds a duplicate.
    await reader.rows('BEGIN');
    await reader.rows(`SELECT ensure_monthly_partition('vehicle_samples', '2016-01-01')`);
    const second = writer.rows(`SELECT ensure_monthly_partition('vehicle_samples', '2016-01-20')`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await reader.rows('COMMIT');
    await expect(second).resolves.toBeDefined();
    expect(await writer.count(`SELECT 1 FROM pg_inherits WHERE inhrelid = 'vehicle_samples_2016_01'::regclass`)).toBe(1);
  });

  it('is a no-op for a month that exists, also when asked for at once', async () => {
    await Promise.all([writer.rows(`SELECT ensure_monthly_partition('vehicle_samples', '2017-03-01')`), reader.rows(`SELECT ensure_monthly_partition('vehicle_samples', '2017-03-31')`)]);
    await writer.rows(`SELECT ensure_monthly_partition('vehicle_samples', '2017-03-15')`);
    expect(await writer.count(`SELECT 1 FROM pg_inherits WHERE inhrelid = 'vehicle_samples_2017_03'::regclass`)).toBe(1);
  });
});
