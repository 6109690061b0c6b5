import { EntityManager } from 'typeorm';

/**
 * The watermarks (reconciler_watermarks) and the database clock of a WatermarkReconciler; each
 * reconciler names its own advisory lock, so that the vehicle and charge-point ones run side by side.
 */
export abstract class WatermarkRepository {
  protected abstract readonly lockName: string;

  /** Only one run of this reconciler at a time across all workers; false when another holds it. */
  async tryLock(manager: EntityManager): Promise<boolean> {
    const [row] = await manager.query(`SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS locked`, [this.lockName]);
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

  /** The database clock: watermarks compare with received_at, which the database set. */
  async now(manager: EntityManager): Promise<Date> {
    const [row] = await manager.query(`SELECT clock_timestamp() AS now`);
    return row.now;
  }
}
