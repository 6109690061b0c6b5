import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { MetricsService } from '../metrics/metrics.service';
import { isDatabaseUnreachable, isPoolExhausted } from './database-errors';

/** How often an unreachable database is tried again, and what clients are told to wait (Retry-After). */
export const DATABASE_RETRY_SECONDS = 5;
const PROBE_EVERY_MS = 1000;
/** A saturated pool is reported at most this often: under a burst every caller would hit it. */
const POOL_WARNING_EVERY_MS = 60_000;

/**
 * Whether PostgreSQL is reachable, as this process last found it. Callers hand it the errors
 * they catch (`isOutage`): an unreachable database is an outage, logged once when it begins and
 * once when it ends (a probe finds the end), instead of an error per request, job and timer run.
 * A pool that had no free connection in time is waited out the same way (503, job delayed), but
 * the database is reachable: it is logged as a saturated pool, not as an outage.
 */
@Injectable()
export class DatabaseAvailability implements OnApplicationShutdown {
  private readonly logger = new Logger('Database');
  private downSince: number | undefined;
  private poolWarnedAt = 0;
  private probe: NodeJS.Timeout | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    metrics: MetricsService,
  ) {
    metrics.gauge('database_reachable', '1 while PostgreSQL is reachable as this process last found it, else 0', [], () => (this.reachable ? 1 : 0));
  }

  get reachable(): boolean {
    return this.downSince === undefined;
  }

  /** True when `error` is one to wait out: the database is unreachable (the outage is then known and logged) or the pool had no free connection in time; false for any other error, which stays the caller's to report. */
  isOutage(error: unknown): boolean {
    if (isPoolExhausted(error)) {
      this.warnPoolExhausted();
      return true;
    }
    if (!isDatabaseUnreachable(error)) return false;
    if (this.downSince === undefined) {
      this.downSince = Date.now();
      this.logger.error({ err: error }, `PostgreSQL unreachable; requests answer 503, jobs wait, trying again every ${PROBE_EVERY_MS / 1000} s`);
      this.scheduleProbe();
    }
    return true;
  }

  private warnPoolExhausted() {
    const now = Date.now();
    if (now - this.poolWarnedAt < POOL_WARNING_EVERY_MS) return;
    this.poolWarnedAt = now;
    this.logger.warn('PostgreSQL connection pool saturated: a caller waited longer than the pool timeout for a connection; requests answer 503, jobs wait (reported at most once a minute)');
  }

  private scheduleProbe() {
    this.probe = setTimeout(() => void this.tryAgain(), PROBE_EVERY_MS);
    this.probe.unref();
  }

  private async tryAgain() {
    try {
      await this.dataSource.query('SELECT 1');
    } catch {
      this.scheduleProbe();
      return;
    }
    const outageSeconds = Math.round((Date.now() - this.downSince!) / 100) / 10;
    this.downSince = undefined;
    this.logger.log({ outageSeconds }, 'PostgreSQL reachable again');
  }

  onApplicationShutdown() {
    clearTimeout(this.probe);
  }
}
