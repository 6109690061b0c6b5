import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

export interface VehicleDayWork {
  vehicleId: string;
  day: string;
}

/** Seconds between a sample's stored_at stamp and a derivation that surely saw it. */
const DERIVED_AFTER_STORE_S = 10;

@Injectable()
export class ReconcilerRepository {
  /** Only one reconciler at a time across all workers; false when another holds it. */
  async tryLock(manager: EntityManager): Promise<boolean> {
    const [row] = await manager.query(`SELECT pg_try_advisory_xact_lock(hashtextextended('reconciler:vehicles', 0)) AS locked`);
    return row.locked;
  }

  async watermark(manager: EntityManager, name: string): Promise<Date | null> {
    const [row] = await manager.query(`SELECT stored_through FROM reconciler_watermarks WHERE name = $1`, [name]);
    return row?.stored_through ?? null;
  }

  async setWatermark(manager: EntityManager, name: string, storedThrough: Date): Promise<void> {
    await manager.query(
      `INSERT INTO reconciler_watermarks (name, stored_through) VALUES ($1, $2)
       ON CONFLICT (name) DO UPDATE SET stored_through = EXCLUDED.stored_through`,
      [name, storedThrough],
    );
  }

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

  /** The database clock: watermarks compare with received_at, which the database set. */
  async now(manager: EntityManager): Promise<Date> {
    const [row] = await manager.query(`SELECT clock_timestamp() AS now`);
    return row.now;
  }
}
