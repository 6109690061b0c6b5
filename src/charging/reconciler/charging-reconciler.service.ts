import { Inject, Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ReconcilerWork, WatermarkReconciler } from '../../platform/reconciler/watermark-reconciler';
import { AppConfig } from '../../platform/config/app-config';
import { APP_CONFIG } from '../../platform/config/config.module';
import { DatabaseAvailability } from '../../platform/database/database-availability';
import { TransactionRunner } from '../../platform/database/transaction-runner';
import { deriveChargePointDays } from '../../platform/queue/job-catalogue';
import { QueueService } from '../../platform/queue/queue.service';
import { DayRanges } from '../../platform/time/day-ranges';
import { ChargingReconcilerRepository } from './charging-reconciler.repository';

/** How stale today's availability of a charge point online by its connection alone may get. */
const CONNECTED_REFRESH_SECONDS = 3600;

/**
 * The charge points' counterpart of the vehicle reconciler: re-enqueues the derivation of every
 * charge-point day stored since its watermark (Redis may have lost the jobs), of every day with
 * a session left open past SESSION_TIMEOUT (nothing else would close it), and of today for charge
 * points online by their connection alone (nothing else would derive their availability).
 */
@Injectable()
export class ChargingReconcilerService extends WatermarkReconciler {
  protected readonly logger = new Logger(ChargingReconcilerService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    transactions: TransactionRunner,
    private readonly reconciler: ChargingReconcilerRepository,
    queue: QueueService,
    database: DatabaseAvailability,
  ) {
    super('charge-point-days', transactions, reconciler, queue, database);
  }

  protected async collect(manager: EntityManager, after: Date | null, through: Date): Promise<ReconcilerWork> {
    const stored = await this.reconciler.storedChargePointDays(manager, after, through);
    const expired = await this.reconciler.expiredOpenSessions(manager, this.config.charging.sessionTimeoutMs / 1000);
    const connected = await this.reconciler.connectedToday(manager, this.config.reportTimeZone, CONNECTED_REFRESH_SECONDS);
    const work = [...stored, ...expired, ...connected];
    const ranges = new DayRanges();
    for (const { chargePointId, day } of work) ranges.add(chargePointId, day);
    return {
      jobs: ranges.take().map(({ key, firstDay, lastDay }) => deriveChargePointDays(key, firstDay, lastDay)),
      deviceDays: new Set(work.map((w) => `${w.chargePointId}:${w.day}`)).size,
    };
  }
}
