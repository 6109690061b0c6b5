import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../../src/platform/database/data-source-options';
import { dropDatabase, ensureDatabase } from '../../../src/platform/database/ensure-database';
import { AckedRun } from './protocol';

/** A Norwegian organization number (9 digits, mod-11 check digit) from an 8-digit stem. */
export function orgNumber(stem: number): string {
  for (let s = stem; ; s++) {
    const digits = String(s).padStart(8, '0').slice(-8).split('').map(Number);
    const sum = digits.reduce((acc, digit, i) => acc + digit * [3, 2, 7, 6, 5, 4, 3, 2][i], 0);
    const check = (11 - (sum % 11)) % 11;
    if (check !== 10) return `${digits.join('')}${check}`;
  }
}

export interface Verification {
  /** Rows in vehicle_samples. */
  stored: number;
  /** Keys the broker acknowledged to the publisher. */
  acked: number;
  /** Acknowledged keys found in vehicle_samples. */
  matched: number;
  /** Acknowledged and not stored. */
  lost: number;
  /** Stored and not among the acknowledged keys (sent twice, never sent, or not acknowledged). */
  dup: number;
}

/** The bench's own migrated database, dropped at the end. */
export class BenchDatabase {
  private constructor(
    readonly url: string,
    readonly sql: Client,
  ) {}

  static async create(server: string): Promise<BenchDatabase> {
    const url = `${server.replace(/\/$/, '')}/klimaklok_bench_${process.pid}_${randomBytes(4).toString('hex')}`;
    await ensureDatabase(url);
    const dataSource = await new DataSource(dataSourceOptions(url)).initialize();
    try {
      await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      await dataSource.destroy();
    }
    const sql = new Client({ connectionString: url });
    sql.on('error', () => undefined); // the drop at the end terminates it; errors of queries still reject
    await sql.connect();
    // The month partitions the bench's samples fall into (last month, this one, next): the ingest
    // makes them at its start, the naive consumer does not.
    await sql.query(`SELECT ensure_monthly_partition('vehicle_samples', (date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => m))::date) FROM generate_series(-1, 1) AS m`);
    return new BenchDatabase(url, sql);
  }

  async connect(): Promise<Client> {
    const client = new Client({ connectionString: this.url });
    client.on('error', () => undefined);
    await client.connect();
    return client;
  }

  /** One department and `count` vehicles with device ids `bench-00000`...; returns the vehicle ids in device order. */
  async registerVehicles(count: number): Promise<{ deviceIds: string[]; vehicleIds: string[] }> {
    const org = await this.sql.query<{ id: string }>(`INSERT INTO organizations (org_number, name, kind) VALUES ($1, 'Bench department', 'municipal_department') RETURNING id`, [
      orgNumber(97_300_000 + (process.pid % 100_000)),
    ]);
    const rows = await this.sql.query<{ id: string; device_id: string }>(
      `INSERT INTO vehicles (registration, vehicle_class, energy_carrier, department_id, in_service_from, device_id)
       SELECT 'BENCH' || lpad(g::text, 6, '0'), 'passenger_car', 'electricity', $1, DATE '2020-01-01', 'bench-' || lpad(g::text, 5, '0')
       FROM generate_series(0, $2::int - 1) AS g
       RETURNING id, device_id`,
      [org.rows[0].id, count],
    );
    const byDevice = new Map(rows.rows.map((row) => [row.device_id, row.id]));
    const deviceIds = Array.from({ length: count }, (_, i) => `bench-${String(i).padStart(5, '0')}`);
    return { deviceIds, vehicleIds: deviceIds.map((id) => byDevice.get(id)!) };
  }

  /** Empty raw tables for the next phase (no writer may be running). */
  async truncate(): Promise<void> {
    await this.sql.query('TRUNCATE vehicle_samples, dead_letters');
  }

  async count(): Promise<number> {
    return Number((await this.sql.query<{ n: string }>('SELECT count(*) AS n FROM vehicle_samples')).rows[0].n);
  }

  /** PostgreSQL processes working for this database: its backends and the server's background processes (WAL writer, checkpointer...). */
  async serverPids(): Promise<number[]> {
    const result = await this.sql.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() OR datname IS NULL`);
    return result.rows.map((row) => row.pid);
  }

  async deadLetters(): Promise<Array<{ reason: string; n: number }>> {
    const result = await this.sql.query<{ reason: string; n: string }>(`SELECT reason, count(*) AS n FROM dead_letters GROUP BY reason ORDER BY reason`);
    return result.rows.map((row) => ({ reason: row.reason, n: Number(row.n) }));
  }

  async clearDeadLetters(): Promise<void> {
    await this.sql.query('DELETE FROM dead_letters');
  }

  /** The newest received_at (the time of the statement that stored the row) as epoch ms. */
  async lastReceivedAt(): Promise<number> {
    const result = await this.sql.query<{ last: string | null }>(`SELECT (extract(epoch FROM max(received_at)) * 1000)::bigint AS last FROM vehicle_samples`);
    return Number(result.rows[0].last ?? NaN);
  }

  /**
   * Compares vehicle_samples with the keys the broker acknowledged, as sets: the acknowledged keys
   * go into a temporary table as runs of consecutive ms per vehicle, and every stored row matches
   * at most one run (runs of a vehicle do not overlap).
   */
  async verify(runs: AckedRun[], vehicleIds: string[]): Promise<Verification> {
    await this.sql.query('DROP TABLE IF EXISTS bench_acked');
    await this.sql.query('CREATE TEMP TABLE bench_acked (vehicle_id uuid NOT NULL, ts_from timestamptz NOT NULL, ts_to timestamptz NOT NULL, n int NOT NULL)');
    const iso = (ms: number) => new Date(ms).toISOString();
    for (let i = 0; i < runs.length; i += 20_000) {
      const chunk = runs.slice(i, i + 20_000);
      await this.sql.query(`INSERT INTO bench_acked SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[], $4::int[])`, [
        chunk.map(([device]) => vehicleIds[device]),
        chunk.map(([, from]) => iso(from)),
        chunk.map(([, , to]) => iso(to)),
        chunk.map(([, from, to]) => to - from + 1),
      ]);
    }
    await this.sql.query('ANALYZE bench_acked');
    const result = await this.sql.query<{ stored: string; acked: string; matched: string }>(`
      SELECT (SELECT count(*) FROM vehicle_samples) AS stored,
             (SELECT coalesce(sum(n), 0) FROM bench_acked) AS acked,
             (SELECT count(*) FROM bench_acked a JOIN vehicle_samples s ON s.vehicle_id = a.vehicle_id AND s.ts BETWEEN a.ts_from AND a.ts_to) AS matched`);
    await this.sql.query('DROP TABLE bench_acked');
    const stored = Number(result.rows[0].stored);
    const acked = Number(result.rows[0].acked);
    const matched = Number(result.rows[0].matched);
    return { stored, acked, matched, lost: acked - matched, dup: stored - matched };
  }

  async close(): Promise<void> {
    await this.sql.end().catch(() => undefined);
  }

  drop(): Promise<void> {
    return dropDatabase(this.url);
  }
}

/**
 * Sees commits as they happen without scanning the whole table: polls only the newest pages of
 * vehicle_samples' partitions (a TID range scan from a little before the last page seen), so a
 * poll stays cheap however big the table grows. An insert-only table grows at its end; the ingest
 * writes up to INGEST_CONCURRENT_FLUSHES batches at once, and a batch that commits after a later
 * one has pages before that one's, so the margin of pages read again covers more than two whole
 * batches (5,000 rows each at most, about 60 rows a page).
 *
 * It counts the rows visible per page (exact for an append-only table; `count()` confirms at the
 * end) and, with `stampKeys`, stamps each row it has not seen before with the time of the poll
 * that first saw it: the latency from the row's ts to its commit being visible.
 */
const RESCAN_PAGES = 256;

export class CommitObserver {
  private readonly cursors = new Map<string, number>();
  private readonly pageRows = new Map<string, number>();
  private rows = 0;
  private partitions: string[] = [];
  private partitionsAt = 0;
  private readonly seen = new Set<string>();
  readonly latencies: number[] = [];
  polls = 0;
  private running = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly sql: Client,
    private readonly intervalMs: number,
    private readonly stampKeys: boolean,
  ) {}

  /** Rows committed and visible so far. */
  get observed(): number {
    return this.rows;
  }

  start(): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        const started = Date.now();
        await this.poll();
        const wait = this.intervalMs - (Date.now() - started);
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
    })();
  }

  /** Stops polling after one last poll. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    await this.loop;
    await this.poll();
  }

  async close(): Promise<void> {
    this.running = false;
    await this.loop?.catch(() => undefined);
    await this.sql.end().catch(() => undefined);
  }

  private async poll(): Promise<void> {
    if (Date.now() - this.partitionsAt > 1000) {
      const result = await this.sql.query<{ name: string }>(`SELECT inhrelid::regclass::text AS name FROM pg_inherits WHERE inhparent = 'vehicle_samples'::regclass`);
      this.partitions = result.rows.map((row) => row.name);
      this.partitionsAt = Date.now();
    }
    for (const partition of this.partitions) {
      const from = this.cursors.get(partition) ?? 0;
      const columns = this.stampKeys ? `, vehicle_id::text AS vehicle_id, (extract(epoch FROM ts) * 1000)::bigint AS ts` : ', count(*)::int AS n';
      const result = await this.sql.query<{ page: number; vehicle_id: string; ts: string; n: number }>(
        `SELECT (ctid::text::point)[0]::int AS page${columns} FROM ${partition} WHERE ctid >= '(${from},0)'::tid${this.stampKeys ? '' : ' GROUP BY 1'}`,
      );
      const now = Date.now();
      let maxPage = from;
      const perPage = new Map<number, number>();
      for (const row of result.rows) {
        if (row.page > maxPage) maxPage = row.page;
        perPage.set(row.page, (perPage.get(row.page) ?? 0) + (this.stampKeys ? 1 : row.n));
        if (!this.stampKeys) continue;
        const key = `${row.vehicle_id}|${row.ts}`;
        if (this.seen.has(key)) continue;
        this.seen.add(key);
        this.latencies.push(now - Number(row.ts));
      }
      for (const [page, n] of perPage) {
        const key = `${partition}:${page}`;
        this.rows += n - (this.pageRows.get(key) ?? 0);
        this.pageRows.set(key, n);
      }
      this.cursors.set(partition, Math.max(from, maxPage - RESCAN_PAGES));
    }
    this.polls++;
  }
}
