import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { FuelRow } from './fuel-file';

export interface StoredTransaction {
  transactionId: string;
  vehicleId: string;
  occurredAt: Date;
  carrier: string;
  quantity: number;
  unit: string;
}

export interface VehicleService {
  id: string;
  registration: string;
  inServiceFrom: string;
  inServiceTo: string | null;
}

@Injectable()
export class FuelTransactionRepository {
  /** Imports run one at a time, so that two imports of the same file cannot both insert a row. */
  async serialise(manager: EntityManager): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('fuel_transactions_import'))`);
  }

  vehicles(manager: EntityManager, registrations: string[]): Promise<VehicleService[]> {
    return manager.query(
      `SELECT id, registration, to_char(in_service_from, 'YYYY-MM-DD') AS "inServiceFrom", to_char(in_service_to, 'YYYY-MM-DD') AS "inServiceTo"
         FROM vehicles WHERE registration = ANY($1::text[])`,
      [registrations],
    );
  }

  existing(manager: EntityManager, ids: string[]): Promise<StoredTransaction[]> {
    return manager.query(
      `SELECT transaction_id AS "transactionId", vehicle_id AS "vehicleId", occurred_at AS "occurredAt", carrier, quantity, unit
         FROM fuel_transactions WHERE transaction_id = ANY($1::text[])`,
      [ids],
    );
  }

  async insert(manager: EntityManager, rows: Array<FuelRow & { vehicleId: string }>): Promise<void> {
    if (rows.length === 0) return;
    await manager.query(
      `INSERT INTO fuel_transactions (transaction_id, vehicle_id, occurred_at, product, carrier, quantity, unit)
       SELECT * FROM unnest($1::text[], $2::uuid[], $3::timestamptz[], $4::text[], $5::text[], $6::float8[], $7::text[])`,
      [
        rows.map((r) => r.transactionId),
        rows.map((r) => r.vehicleId),
        rows.map((r) => r.occurredAt.toISOString()),
        rows.map((r) => r.product),
        rows.map((r) => r.carrier),
        rows.map((r) => r.quantity),
        rows.map((r) => r.unit),
      ],
    );
  }

  lockedYears(manager: EntityManager): Promise<Array<{ year: number }>> {
    return manager.query(`SELECT DISTINCT year FROM emission_year_locks WHERE superseded_at IS NULL`);
  }
}
