import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { LocalDayRange } from '../../platform/time/day-ranges';
import { REACH_SQL, SPAN_SQL } from './derivation-sql';

export interface DerivationSpan {
  vehicleId: string;
  /** Whole local days to re-derive, [spanStart, spanEnd), also as dates. */
  spanStart: Date;
  spanEnd: Date;
  firstDay: string;
  lastDay: string;
  /** Samples in [lo, hi] are everything those days need. */
  lo: Date;
  hi: Date;
  timeZone: string;
}

/** The node-postgres client of a transaction's connection: what named prepared statements need. */
interface PgClient {
  query(query: string | { name: string; text: string; values: unknown[] }): Promise<{ rows: Array<Record<string, unknown>> }>;
}

@Injectable()
export class DerivationSpanRepository {
  /**
   * The local days to re-derive around `days` and the samples that needs.
   *
   * Its two statements probe the nearest readings of five counters before and after (24 index
   * probes), over every monthly partition. Planned anew for each call, planning was the larger
   * part: on the demo's two years (28 partitions) 11-22 ms to plan each statement against 3 ms to
   * run it, and live derivation runs them for every vehicle every few seconds. So they run as
   * prepared statements of the connection with a generic plan (the partitions pruned when run):
   * planned once per connection, then ~0.05 ms to plan and 1.5-7 ms to run.
   */
  async span(manager: EntityManager, vehicleId: string, days: LocalDayRange, timeZone: string): Promise<DerivationSpan> {
    const client = manager.queryRunner?.isTransactionActive ? ((await manager.queryRunner.connect()) as PgClient) : null;
    if (!client) {
      const [reach] = await manager.query(REACH_SQL, [vehicleId, days.firstDay, days.lastDay, timeZone]);
      const [row] = await manager.query(SPAN_SQL, [vehicleId, reach.lo, reach.hi, timeZone]);
      return { vehicleId, timeZone, ...row };
    }
    // SET LOCAL: for these two statements of this transaction only (a custom plan suits the others).
    await client.query('SET LOCAL plan_cache_mode = force_generic_plan');
    const {
      rows: [reach],
    } = await client.query({ name: 'derivation-reach', text: REACH_SQL, values: [vehicleId, days.firstDay, days.lastDay, timeZone] });
    const {
      rows: [row],
    } = await client.query({ name: 'derivation-span', text: SPAN_SQL, values: [vehicleId, reach.lo, reach.hi, timeZone] });
    await client.query('SET LOCAL plan_cache_mode = auto');
    return { vehicleId, timeZone, ...(row as Omit<DerivationSpan, 'vehicleId' | 'timeZone'>) };
  }
}
