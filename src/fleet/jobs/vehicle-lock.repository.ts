import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

@Injectable()
export class VehicleLockRepository {
  /** Transaction-scoped advisory lock: derivations of one vehicle run one after another, whichever worker runs them. */
  async lockVehicle(manager: EntityManager, vehicleId: string): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended('vehicle:' || $1, 0))`, [vehicleId]);
  }
}
