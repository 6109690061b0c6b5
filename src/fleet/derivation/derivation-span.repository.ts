import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { withGenericPlans } from '../../platform/database/generic-plans';
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

@Injectable()
export class DerivationSpanRepository {
  /**
   * The local days to re-derive around `days` and the samples that needs.
   *
   * Its two statements probe the nearest readings of five counters before and after (24 index
   * probes), over every monthly partition. Planned anew for each call, planning was the larger
   * part: on the demo's two years (28 partitions) 11-22 ms to plan each statement against 3 ms to
   * run it, and live derivation runs them for every vehicle every few seconds. So they run as
   * prepared statements of the connection with a generic plan (withGenericPlans): planned once
   * per connection, then ~0.05 ms to plan and 1.5-7 ms to run. Runs in the derivation's transaction.
   */
  async span(manager: EntityManager, vehicleId: string, days: LocalDayRange, timeZone: string): Promise<DerivationSpan> {
    return withGenericPlans(manager, async (query) => {
      const [reach] = await query<{ lo: Date; hi: Date }>('derivation-reach', REACH_SQL, [vehicleId, days.firstDay, days.lastDay, timeZone]);
      const [row] = await query<Omit<DerivationSpan, 'vehicleId' | 'timeZone'>>('derivation-span', SPAN_SQL, [vehicleId, reach.lo, reach.hi, timeZone]);
      return { vehicleId, timeZone, ...row };
    });
  }
}
