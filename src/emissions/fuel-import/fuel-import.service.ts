import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../platform/config/app-config';
import { APP_CONFIG } from '../../platform/config/config.module';
import { TransactionRunner } from '../../platform/database/transaction-runner';
import { FieldError } from '../../platform/http/validation';
import { FuelRow, parseFuelFile } from './fuel-file';
import { FuelTransactionRepository } from './fuel-transaction.repository';
import { localDay } from '../../platform/time/local-time';

export type FuelRowOutcome = 'imported' | 'duplicate' | 'rejected';

export interface FuelRowResult {
  line: number;
  transactionId: string | null;
  outcome: FuelRowOutcome;
  errors?: FieldError[];
  notes?: string[];
}

export interface FuelImportResult {
  summary: Record<FuelRowOutcome, number>;
  rows: FuelRowResult[];
}

/**
 * Imports a fuel-card file. Each row is imported whole or reported with its faults, never in part;
 * the good rows of a file with bad ones are imported (as the fleet import does), all in one
 * transaction, so a failure half way leaves nothing of the file behind. Idempotent by transaction
 * id: a row whose id is already stored with the same content is a `duplicate` and counts once; the
 * same id with different content is rejected, never overwritten (a correction is a new transaction).
 */
@Injectable()
export class FuelImportService {
  private readonly logger = new Logger(FuelImportService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly transactions: TransactionRunner,
    private readonly fuel: FuelTransactionRepository,
  ) {}

  async import(text: string): Promise<FuelImportResult> {
    const timeZone = this.config.reportTimeZone;
    const parsed = parseFuelFile(text, timeZone);
    const results: FuelRowResult[] = parsed.rejected.map((row) => ({ ...row, outcome: 'rejected' }));
    await this.transactions.run(async (manager) => {
      await this.fuel.serialise(manager);
      const vehicles = new Map((await this.fuel.vehicles(manager, [...new Set(parsed.rows.map((row) => row.registration))])).map((v) => [v.registration, v]));
      const stored = new Map(
        (
          await this.fuel.existing(
            manager,
            parsed.rows.map((row) => row.transactionId),
          )
        ).map((t) => [t.transactionId, t]),
      );
      const locked = new Set((await this.fuel.lockedYears(manager)).map((row) => Number(row.year)));
      const accepted = new Map<string, FuelRow & { vehicleId: string }>();
      for (const row of parsed.rows) {
        const reject = (errors: FieldError[]) => results.push({ line: row.line, transactionId: row.transactionId, outcome: 'rejected', errors });
        const vehicle = vehicles.get(row.registration);
        if (!vehicle) {
          reject([{ field: 'registration', message: `no vehicle with registration ${row.registration}` }]);
          continue;
        }
        const day = localDay(row.occurredAt, timeZone);
        if (day < vehicle.inServiceFrom || (vehicle.inServiceTo !== null && day > vehicle.inServiceTo)) {
          reject([{ field: 'dateTime', message: `${row.registration} was not in service on ${day} (${vehicle.inServiceFrom} to ${vehicle.inServiceTo ?? 'now'})` }]);
          continue;
        }
        const candidate = { ...row, vehicleId: vehicle.id };
        const earlier = stored.get(row.transactionId) ?? accepted.get(row.transactionId);
        if (earlier) {
          if (sameTransaction(earlier, candidate)) results.push({ line: row.line, transactionId: row.transactionId, outcome: 'duplicate' });
          else reject([{ field: 'transactionId', message: `transaction ${row.transactionId} is already imported with other content; it is not changed` }]);
          continue;
        }
        accepted.set(row.transactionId, candidate);
        const year = Number(day.slice(0, 4));
        const notes = locked.has(year) ? [`${year} is locked: its published figures change only when an admin recomputes the year`] : undefined;
        results.push({ line: row.line, transactionId: row.transactionId, outcome: 'imported', ...(notes ? { notes } : {}) });
      }
      await this.fuel.insert(manager, [...accepted.values()]);
    });
    results.sort((a, b) => a.line - b.line);
    const summary: Record<FuelRowOutcome, number> = { imported: 0, duplicate: 0, rejected: 0 };
    for (const row of results) summary[row.outcome] += 1;
    this.logger.log({ ...summary }, 'Fuel transactions imported');
    return { summary, rows: results };
  }
}

function sameTransaction(a: { vehicleId: string; occurredAt: Date; carrier: string; quantity: number; unit: string }, b: typeof a): boolean {
  return a.vehicleId === b.vehicleId && new Date(a.occurredAt).getTime() === b.occurredAt.getTime() && a.carrier === b.carrier && Number(a.quantity) === b.quantity && a.unit === b.unit;
}
