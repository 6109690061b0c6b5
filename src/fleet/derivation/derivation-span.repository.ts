import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { PlannedWork, withCustomPlans, withGenericPlans } from '../../platform/database/generic-plans';
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

/** Spans of up to this many days run the trips' and daily statements with generic plans. */
const GENERIC_PLANS_MAX_DAYS = 7;

/**
 * How to plan the trips' and daily statements over a span. Live data re-derives a day or two of
 * a vehicle every few seconds: planned anew, those statements cost more to plan than to run, so
 * short spans use generic plans. Over weeks and months (a backfill, a rebuild) planning is a small
 * part, and the trips' generic plan is the slower one: on the demo's data, one vehicle over a year
 * 233 ms against 81 ms with a plan for the values, over 90 days 51 against 25 ms.
 */
export function derivationPlans(span: DerivationSpan): PlannedWork {
  const days = (span.spanEnd.getTime() - span.spanStart.getTime()) / 86_400_000;
  return days <= GENERIC_PLANS_MAX_DAYS ? withGenericPlans : withCustomPlans;
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
