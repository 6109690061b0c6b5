import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { WatermarkRepository } from '../../platform/reconciler/watermark.repository';

export interface ChargePointDayWork {
  chargePointId: string;
  day: string;
}

/** The charging reconciler's lock (independent of the vehicle one), watermarks and clock, and what it re-derives. */
@Injectable()
export class ChargingReconcilerRepository extends WatermarkRepository {
  protected readonly lockName = 'reconciler:charge-points';

  /** Charge point and UTC day of every raw charge-point row or connection event stored in (after, through]. */
  storedChargePointDays(manager: EntityManager, after: Date | null, through: Date): Promise<ChargePointDayWork[]> {
    const stream = (table: string) =>
      `SELECT DISTINCT charge_point_id AS "chargePointId", to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day
         FROM ${table} WHERE received_at > coalesce($1, '-infinity'::timestamptz) AND received_at <= $2`;
    return manager.query(
      `${stream('charge_point_status')}
       UNION ${stream('charge_point_meter')}
       UNION ${stream('charge_point_transactions')}
       UNION
       SELECT DISTINCT device_ref, to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD')
         FROM device_connection_events
        WHERE device_kind = 'charge_point' AND received_at > coalesce($1, '-infinity'::timestamptz) AND received_at <= $2`,
      [after, through],
    );
  }

  /**
   * Sessions still open although their timeout has passed: no new data will come to close them,
   * so the reconciler re-derives their day, which closes them at their last meter sample.
   */
  expiredOpenSessions(manager: EntityManager, timeoutSeconds: number): Promise<ChargePointDayWork[]> {
    return manager.query(
      `SELECT DISTINCT charge_point_id AS "chargePointId", to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day
         FROM charging_sessions WHERE open AND started_at < clock_timestamp() - make_interval(secs => $1)`,
      [timeoutSeconds],
    );
  }

  /**
   * Charge points online by their connection event alone send nothing that would derive today's
   * availability: today (UTC day) of every charge point whose connection is `online` and whose
   * rollup of the local day is missing or older than `refreshSeconds`.
   */
  connectedToday(manager: EntityManager, timeZone: string, refreshSeconds: number): Promise<ChargePointDayWork[]> {
    return manager.query(
      `SELECT s.charge_point_id AS "chargePointId", to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day
         FROM charge_point_state s
        WHERE s.connection = 'online'
          AND NOT EXISTS (SELECT 1 FROM charge_point_daily d
                           WHERE d.charge_point_id = s.charge_point_id AND d.day = (clock_timestamp() AT TIME ZONE $1)::date
                             AND d.derived_at > clock_timestamp() - make_interval(secs => $2))`,
      [timeZone, refreshSeconds],
    );
  }
}
