import { Logger } from '@nestjs/common';
import { QueueName, deriveChargePointDays, deriveVehicleDays } from '../../platform/queue/job-catalogue';
import { QueueService } from '../../platform/queue/queue.service';
import { DayRanges } from '../../platform/time/day-ranges';
import { RawBatch, addTouchedDays } from '../storage/raw-batch';

/**
 * Derivation jobs of the batches committed in this interval go to Redis together, one per
 * device and range of days: a busy device costs one job per interval instead of one per batch.
 */
const ENQUEUE_EVERY_MS = 500;
/**
 * Derivation jobs waiting beyond which new work is held back and merged into longer ranges: a
 * few seconds of work for the workers, so that live data waits little and a backfill's days
 * gather into long ranges instead of many short jobs that each re-derive their neighbour days.
 */
const DERIVE_BACKLOG_LIMIT = 10;

/**
 * One derivation job per vehicle or charge point and UTC day range that committed batches
 * touched, sent within ENQUEUE_EVERY_MS. Fire and forget: the samples are committed, and if
 * Redis is away the reconciler finds the work from PostgreSQL later. Shared by the MQTT ingest
 * and the OCPP endpoint.
 */
export class DerivationEnqueuer {
  private readonly logger = new Logger(DerivationEnqueuer.name);
  /** Days of committed data per vehicle and per charge point (by id) not yet enqueued for derivation. */
  private readonly vehicleDays = new DayRanges();
  private readonly chargePointDays = new DayRanges();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly queue: QueueService) {}

  /** After the batch committed. */
  committed(batch: RawBatch): void {
    addTouchedDays(batch, this.vehicleDays, this.chargePointDays);
    if (this.pendingDevices > 0 && !this.timer) {
      this.timer = setTimeout(() => void this.send(), ENQUEUE_EVERY_MS);
    }
  }

  /** Sends what is pending now, whatever the backlog (at shutdown). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    await this.send(true);
  }

  private get pendingDevices(): number {
    return this.vehicleDays.size + this.chargePointDays.size;
  }

  /**
   * Sends the collected day ranges as jobs, unless the workers are behind: then the ranges keep
   * growing here (one entry per device, so memory stays bounded) and a backfill becomes a few
   * long jobs per vehicle instead of one per vehicle-day.
   */
  private async send(force = false) {
    this.timer = undefined;
    if (this.pendingDevices === 0) return;
    try {
      if (!force && (await this.queue.waiting(QueueName.Derive)) > DERIVE_BACKLOG_LIMIT) {
        this.timer = setTimeout(() => void this.send(), ENQUEUE_EVERY_MS);
        return;
      }
      const jobs = [...this.vehicleDays.take().map(({ key, days }) => deriveVehicleDays(key, days)), ...this.chargePointDays.take().map(({ key, days }) => deriveChargePointDays(key, days))];
      await this.queue.enqueue(jobs);
    } catch (error) {
      this.vehicleDays.take();
      this.chargePointDays.take();
      this.logger.warn({ err: error }, 'Could not enqueue derivation jobs; the reconciler will');
    }
  }
}
