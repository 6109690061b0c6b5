import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { EntityManager } from 'typeorm';
import { DatabaseAvailability } from '../database/database-availability';
import { TransactionRunner } from '../database/transaction-runner';
import { JobRequest, QueueName } from '../queue/job-catalogue';
import { QueueService } from '../queue/queue.service';
import { WatermarkRepository } from './watermark.repository';

/** Writes take milliseconds; a row stored by a transaction that began this much before the watermark is still caught. */
const OVERLAP_MS = 60_000;
const ENQUEUE_CHUNK = 1000;
/** Derivation jobs waiting above which a run is put off to the next interval. */
const RECONCILE_WHEN_WAITING_AT_MOST = 10;

/** What one run found to re-derive. */
export interface ReconcilerWork {
  jobs: JobRequest[];
  /** Device-days the jobs cover (for the log and the caller). */
  deviceDays: number;
}

/**
 * One reconciler run, shared by the vehicle and charge-point reconcilers: under a database lock,
 * collect the work for what was stored since the watermark (less an overlap), enqueue it, and only
 * then move the watermark, so a failed run is repeated from the same point. While the workers have
 * a backlog the run is put off (the watermark stays): the work is most likely queued already, and
 * a backfill's days would otherwise be enqueued twice.
 */
export abstract class WatermarkReconciler implements OnApplicationBootstrap {
  protected abstract readonly logger: Logger;
  private running = false;

  protected constructor(
    private readonly watermarkName: string,
    private readonly transactions: TransactionRunner,
    private readonly repository: WatermarkRepository,
    private readonly queue: QueueService,
    private readonly database: DatabaseAvailability,
  ) {}

  /** The jobs for what was stored in (after, through], plus anything else the run must catch. */
  protected abstract collect(manager: EntityManager, after: Date | null, through: Date): Promise<ReconcilerWork>;

  /** At start, so that a worker coming back after a Redis loss catches up at once. */
  onApplicationBootstrap() {
    void this.scheduled();
  }

  @Interval(60_000)
  async scheduled() {
    try {
      await this.run();
    } catch (error) {
      if (this.database.isOutage(error)) return; // logged once for the outage; the next run covers the same span
      this.logger.error({ err: error, watermark: this.watermarkName }, 'Reconciler run failed; the next run retries');
    }
  }

  /** Device-days enqueued, or null when another run holds the lock or the workers are busy (the next run covers the same span). */
  async run(): Promise<number | null> {
    if (this.running) return null;
    this.running = true;
    try {
      if ((await this.queue.waiting(QueueName.Derive)) > RECONCILE_WHEN_WAITING_AT_MOST) return null;
      return await this.transactions.run(async (manager) => {
        if (!(await this.repository.tryLock(manager))) return null;
        const through = await this.repository.now(manager);
        const previous = await this.repository.watermark(manager, this.watermarkName);
        const after = previous ? new Date(previous.getTime() - OVERLAP_MS) : null;
        const { jobs, deviceDays } = await this.collect(manager, after, through);
        for (let i = 0; i < jobs.length; i += ENQUEUE_CHUNK) await this.queue.enqueue(jobs.slice(i, i + ENQUEUE_CHUNK));
        await this.repository.setWatermark(manager, this.watermarkName, through);
        if (jobs.length > 0) this.logger.log({ watermark: this.watermarkName, deviceDays, jobs: jobs.length, after, through }, 'Reconciler enqueued derivation');
        return deviceDays;
      });
    } finally {
      this.running = false;
    }
  }
}
