import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

export interface VehicleDayWork {
  vehicleId: string;
  day: string;
}

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

  /** Vehicle and UTC day of every sample or connection event stored in (after, through]. */
  storedVehicleDays(manager: EntityManager, after: Date | null, through: Date): Promise<VehicleDayWork[]> {
    return manager.query(
      `SELECT DISTINCT vehicle_id AS "vehicleId", to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day
         FROM vehicle_samples WHERE received_at > coalesce($1, '-infinity'::timestamptz) AND received_at <= $2
       UNION
       SELECT DISTINCT device_ref, to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')
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
