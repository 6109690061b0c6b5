import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { WatermarkRepository } from '../../platform/reconciler/watermark.repository';

export interface VehicleDayWork {
  vehicleId: string;
  day: string;
}

/** Seconds between a sample's stored_at stamp and a derivation that surely saw it. */
const DERIVED_AFTER_STORE_S = 10;

/** The vehicle reconciler's lock, watermarks and clock, and what it re-derives. */
@Injectable()
export class ReconcilerRepository extends WatermarkRepository {
  protected readonly lockName = 'reconciler:vehicles';

  /**
   * Vehicle and UTC day of every sample or connection event stored in (after, through] whose
   * figures were not derived since: a day's rollup derived more than DERIVED_AFTER_STORE_S after
   * the day's newest sample was stored has seen it (the storing transaction, stamped at its start,
   * commits within milliseconds). Work the ingest's jobs did already is not done twice, which
   * matters after a backfill of millions of samples.
   */
  storedVehicleDays(manager: EntityManager, after: Date | null, through: Date): Promise<VehicleDayWork[]> {
    return manager.query(
      `SELECT s."vehicleId", s.day
         FROM (SELECT vehicle_id AS "vehicleId", to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, max(received_at) AS stored_at
                 FROM vehicle_samples WHERE received_at > coalesce($1, '-infinity'::timestamptz) AND received_at <= $2
                GROUP BY 1, 2) AS s
         LEFT JOIN vehicle_daily d ON d.vehicle_id = s."vehicleId" AND d.day = s.day::date
        WHERE d.derived_at IS NULL OR d.derived_at < s.stored_at + interval '${DERIVED_AFTER_STORE_S} seconds'
       UNION
       SELECT DISTINCT device_ref, to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD')
         FROM device_connection_events
        WHERE device_kind = 'vehicle' AND received_at > coalesce($1, '-infinity'::timestamptz) AND received_at <= $2`,
      [after, through],
    );
  }
}
