import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../platform/config/app-config';
import { APP_CONFIG } from '../../platform/config/config.module';
import { TransactionRunner } from '../../platform/database/transaction-runner';
import { JobName, JobPayloads } from '../../platform/queue/job-catalogue';
import { JobHandler, JobProcessor } from '../../platform/queue/job-processor.decorator';
import { VehicleDailyRepository } from '../daily/vehicle-daily.repository';
import { StatusEvents } from '../state/status-events';
import { VehicleStateRepository } from '../state/vehicle-state.repository';
import { VehicleLockRepository } from './vehicle-lock.repository';

const TRIP_MIN_STOP_SECONDS = 5 * 60;

/**
 * Re-derives one vehicle around one UTC day: the daily rollups of the local days that UTC day
 * touches and their neighbours (a counter interval may straddle midnight), and the live state.
 * Idempotent; runs under a per-vehicle lock so that two workers never derive one vehicle at once.
 */
@Injectable()
@JobProcessor(JobName.DeriveVehicleDay)
export class DeriveVehicleDayJob implements JobHandler<JobName.DeriveVehicleDay> {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly transactions: TransactionRunner,
    private readonly locks: VehicleLockRepository,
    private readonly daily: VehicleDailyRepository,
    private readonly state: VehicleStateRepository,
    private readonly events: StatusEvents,
  ) {}

  async handle({ vehicleId, day }: JobPayloads[JobName.DeriveVehicleDay]): Promise<void> {
    const change = await this.transactions.run(async (manager) => {
      await this.locks.lockVehicle(manager, vehicleId);
      await this.daily.derive(manager, {
        vehicleId,
        firstDay: shiftDay(day, -1),
        lastDay: shiftDay(day, 1),
        timeZone: this.config.reportTimeZone,
        maxCounterGapSeconds: this.config.worker.maxCounterGapMs / 1000,
        tripMinStopSeconds: TRIP_MIN_STOP_SECONDS,
      });
      return this.state.derive(manager, vehicleId, this.config.worker.vehicleOfflineAfterMs);
    });
    if (change) await this.events.publish([change]);
  }
}

export function shiftDay(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}
