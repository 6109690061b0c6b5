import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { LocalDayRange } from '../../platform/time/day-ranges';
import { DERIVE_AVAILABILITY_SQL, DERIVE_DAILY_SQL, DERIVE_LIVE_STATE_SQL, DERIVE_SESSIONS_SQL, FORWARD_REACH_SQL, REMOVE_AVAILABILITY_SQL, REMOVE_SESSIONS_SQL, SPAN_SQL } from './charging-sql';

export interface SessionSpan {
  /** Sessions starting in [sessionsFrom, sessionsTo) are re-derived. */
  sessionsFrom: Date;
  sessionsTo: Date;
  windowStart: Date;
  windowEnd: Date;
}

export interface DayAvailability {
  day: string;
  availableSeconds: number;
  onlineSeconds: number;
}

/** The SQL of one charge point's derivation; the service decides the order and the ranges. */
@Injectable()
export class ChargingDerivationRepository {
  /** Transaction-scoped advisory lock: derivations of one charge point run one after another, whichever worker runs them. */
  async lockChargePoint(manager: EntityManager, chargePointId: string): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended('charge_point:' || $1, 0))`, [chargePointId]);
  }

  async span(manager: EntityManager, chargePointId: string, days: LocalDayRange, timeZone: string, timeoutSeconds: number): Promise<SessionSpan> {
    const [row] = await manager.query(SPAN_SQL, [chargePointId, days.firstDay, days.lastDay, timeZone, timeoutSeconds]);
    return row;
  }

  async forwardReach(manager: EntityManager, chargePointId: string, windowStart: Date, windowEnd: Date): Promise<Date | null> {
    const [row] = await manager.query(FORWARD_REACH_SQL, [chargePointId, windowStart, windowEnd]);
    return row.reach;
  }

  /** Rewrites the derived sessions starting in [from, to); returns the latest end of a session removed or written. */
  async deriveSessions(manager: EntityManager, chargePointId: string, from: Date, to: Date, timeoutSeconds: number): Promise<Date | null> {
    const timeoutMs = timeoutSeconds * 1000;
    const [removed] = await manager.query(REMOVE_SESSIONS_SQL, [chargePointId, from, to]);
    const [written] = await manager.query(DERIVE_SESSIONS_SQL, [chargePointId, from, to, new Date(from.getTime() - timeoutMs), new Date(to.getTime() + timeoutMs), timeoutSeconds]);
    const ends = [removed.latestEnd, written.latestEnd].filter((end): end is Date => end !== null);
    return ends.length ? new Date(Math.max(...ends.map((end) => end.getTime()))) : null;
  }

  /** Availability intervals and daily rollups of the local days; sessions must be derived first. */
  async deriveDays(manager: EntityManager, chargePointId: string, { firstDay, lastDay }: LocalDayRange, timeZone: string, heartbeatSeconds: number, timeoutSeconds: number): Promise<void> {
    await manager.query(REMOVE_AVAILABILITY_SQL, [chargePointId, firstDay, lastDay]);
    const availability: DayAvailability[] = await manager.query(DERIVE_AVAILABILITY_SQL, [chargePointId, firstDay, lastDay, timeZone, heartbeatSeconds, timeoutSeconds]);
    await manager.query(DERIVE_DAILY_SQL, [chargePointId, firstDay, lastDay, timeZone, heartbeatSeconds, timeoutSeconds, JSON.stringify(availability)]);
  }

  async deriveLiveState(manager: EntityManager, chargePointId: string): Promise<void> {
    await manager.query(DERIVE_LIVE_STATE_SQL, [chargePointId]);
  }

  async exists(manager: EntityManager, chargePointId: string): Promise<boolean> {
    const [row] = await manager.query(`SELECT EXISTS (SELECT 1 FROM charge_points WHERE id = $1) AS found`, [chargePointId]);
    return row.found;
  }
}
