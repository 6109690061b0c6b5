import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { DatabaseAvailability } from '../../platform/database/database-availability';
import { TransactionRunner } from '../../platform/database/transaction-runner';
import { deriveVehicleDays } from '../../platform/queue/job-catalogue';
import { QueueService } from '../../platform/queue/queue.service';
import { DayRanges } from '../../platform/time/day-ranges';
import { ReconcilerRepository } from './reconciler.repository';
import { ReconcilerWork, WatermarkReconciler } from '../../platform/reconciler/watermark-reconciler';

/**
 * Redis carries work, not data: if it loses its queues, this finds the raw data stored since the
 * last run (per watermark in PostgreSQL) whose figures were not derived since, and enqueues its
 * derivation again. Re-deriving is idempotent, so overlapping runs and jobs that did run cost
 * time, never correctness.
 */
@Injectable()
export class ReconcilerService extends WatermarkReconciler {
  protected readonly logger = new Logger(ReconcilerService.name);

  constructor(
    transactions: TransactionRunner,
    private readonly reconciler: ReconcilerRepository,
    queue: QueueService,
    database: DatabaseAvailability,
  ) {
    super('vehicle-days', transactions, reconciler, queue, database);
  }

  protected async collect(manager: EntityManager, after: Date | null, through: Date): Promise<ReconcilerWork> {
    const stored = await this.reconciler.storedVehicleDays(manager, after, through);
    const ranges = new DayRanges();
    for (const { vehicleId, day } of stored) ranges.add(vehicleId, day);
    return { jobs: ranges.take().map(({ key, firstDay, lastDay }) => deriveVehicleDays(key, firstDay, lastDay)), deviceDays: stored.length };
  }
}
