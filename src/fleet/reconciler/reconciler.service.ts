import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { TransactionRunner } from '../../platform/database/transaction-runner';
import { QueueName, deriveVehicleDays } from '../../platform/queue/job-catalogue';
import { QueueService } from '../../platform/queue/queue.service';
import { DayRanges } from '../../platform/time/day-ranges';
import { ReconcilerRepository } from './reconciler.repository';

const WATERMARK = 'vehicle-days';
/** Writes take milliseconds; a row stored by a transaction that began this much before the watermark is still caught. */
const OVERLAP_MS = 60_000;
const ENQUEUE_CHUNK = 1000;

/**
 * Redis carries work, not data: if it loses its queues, this finds the raw data stored since the
 * last run (per watermark in PostgreSQL) and enqueues its derivation again. Re-deriving is
 * idempotent, so overlapping runs and jobs that did run cost time, never correctness.
 */
/** Derivation jobs waiting above which a reconciler run is put off to the next interval. */
const RECONCILE_WHEN_WAITING_AT_MOST = 10;

@Injectable()
export class ReconcilerService implements OnApplicationBootstrap {
  private readonly logger = new Logger(ReconcilerService.name);
  private running = false;

  constructor(
    private readonly transactions: TransactionRunner,
    private readonly reconciler: ReconcilerRepository,
    private readonly queue: QueueService,
  ) {}

  /** At start, so that a worker coming back after a Redis loss catches up at once. */
  onApplicationBootstrap() {
    void this.scheduled();
  }

  @Interval(60_000)
  async scheduled() {
    try {
      await this.run();
    } catch (error) {
      this.logger.error({ err: error }, 'Reconciler run failed; the next run retries');
    }
  }

  /** Returns how many vehicle-days were enqueued, or null when another worker was running it or the workers are busy (the next run covers the same span). */
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
        const stored = await this.reconciler.storedVehicleDays(manager, after, through);
        const ranges = new DayRanges();
        for (const { vehicleId, day } of stored) ranges.add(vehicleId, day);
        const jobs = ranges.take().map(({ key, firstDay, lastDay }) => deriveVehicleDays(key, firstDay, lastDay));
        for (let i = 0; i < jobs.length; i += ENQUEUE_CHUNK) await this.queue.enqueue(jobs.slice(i, i + ENQUEUE_CHUNK));
        // Moved only after everything was enqueued: a failed run is repeated from the same point.
        await this.reconciler.setWatermark(manager, WATERMARK, through);
        if (jobs.length > 0) this.logger.log({ vehicleDays: stored.length, jobs: jobs.length, after, through }, 'Reconciler enqueued derivation');
        return stored.length;
      });
    } finally {
      this.running = false;
    }
  }
}
