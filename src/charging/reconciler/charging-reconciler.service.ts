import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { AppConfig } from '../../platform/config/app-config';
import { APP_CONFIG } from '../../platform/config/config.module';
import { TransactionRunner } from '../../platform/database/transaction-runner';
import { QueueName, deriveChargePointDays } from '../../platform/queue/job-catalogue';
import { QueueService } from '../../platform/queue/queue.service';
import { DayRanges } from '../../platform/time/day-ranges';
import { ChargingReconcilerRepository } from './charging-reconciler.repository';

const WATERMARK = 'charge-point-days';
/** Writes take milliseconds; a row stored by a transaction that began this much before the watermark is still caught. */
const OVERLAP_MS = 60_000;
const ENQUEUE_CHUNK = 1000;
/** How stale today's availability of a charge point online by its connection alone may get. */
const CONNECTED_REFRESH_SECONDS = 3600;

/**
 * The charge points' counterpart of the vehicle reconciler: re-enqueues the derivation of every
 * charge-point day stored since its watermark (Redis may have lost the jobs), of every day with
 * a session left open past SESSION_TIMEOUT (nothing else would close it), and of today for charge
 * points online by their connection alone (nothing else would derive their availability).
 */
/** Derivation jobs waiting above which a reconciler run is put off to the next interval. */
const RECONCILE_WHEN_WAITING_AT_MOST = 10;

@Injectable()
export class ChargingReconcilerService implements OnApplicationBootstrap {
  private readonly logger = new Logger(ChargingReconcilerService.name);
  private running = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly transactions: TransactionRunner,
    private readonly reconciler: ChargingReconcilerRepository,
    private readonly queue: QueueService,
  ) {}

  onApplicationBootstrap() {
    void this.scheduled();
  }

  @Interval(60_000)
  async scheduled() {
    try {
      await this.run();
    } catch (error) {
      this.logger.error({ err: error }, 'Charging reconciler run failed; the next run retries');
    }
  }

  /** Returns how many charge-point days were enqueued, or null when another worker was running it or the workers are busy (the next run covers the same span). */
  async run(): Promise<number | null> {
    if (this.running) return null;
    this.running = true;
    try {
      // While the workers have a backlog the run waits (the watermark stays where it is): the
      // work is most likely queued already, and a backfill's days would otherwise be enqueued twice.
      if ((await this.queue.waiting(QueueName.Derive)) > RECONCILE_WHEN_WAITING_AT_MOST) return null;
      return await this.transactions.run(async (manager) => {
        if (!(await this.reconciler.tryLock(manager))) return null;
        const through = await this.reconciler.now(manager);
        const previous = await this.reconciler.watermark(manager, WATERMARK);
        const after = previous ? new Date(previous.getTime() - OVERLAP_MS) : null;
        const stored = await this.reconciler.storedChargePointDays(manager, after, through);
        const expired = await this.reconciler.expiredOpenSessions(manager, this.config.charging.sessionTimeoutMs / 1000);
        const connected = await this.reconciler.connectedToday(manager, this.config.reportTimeZone, CONNECTED_REFRESH_SECONDS);
        const ranges = new DayRanges();
        for (const { chargePointId, day } of [...stored, ...expired, ...connected]) ranges.add(chargePointId, day);
        const jobs = ranges.take().map(({ key, firstDay, lastDay }) => deriveChargePointDays(key, firstDay, lastDay));
        for (let i = 0; i < jobs.length; i += ENQUEUE_CHUNK) await this.queue.enqueue(jobs.slice(i, i + ENQUEUE_CHUNK));
        await this.reconciler.setWatermark(manager, WATERMARK, through);
        const days = new Set([...stored, ...expired, ...connected].map((w) => `${w.chargePointId}:${w.day}`)).size;
        if (jobs.length > 0) this.logger.log({ chargePointDays: days, jobs: jobs.length, after, through }, 'Charging reconciler enqueued derivation');
        return days;
      });
    } finally {
      this.running = false;
    }
  }
}
