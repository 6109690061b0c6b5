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

@Injectable()
export class DerivationSpanRepository {
  /** The local days to re-derive around `days` and the samples that needs. */
  async span(manager: EntityManager, vehicleId: string, days: LocalDayRange, timeZone: string): Promise<DerivationSpan> {
    const [reach] = await manager.query(REACH_SQL, [vehicleId, days.firstDay, days.lastDay, timeZone]);
    const [row] = await manager.query(SPAN_SQL, [vehicleId, reach.lo, reach.hi, timeZone]);
    return { vehicleId, timeZone, ...row };
  }
}
