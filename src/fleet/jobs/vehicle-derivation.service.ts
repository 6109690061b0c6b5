import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../platform/config/app-config';
import { APP_CONFIG } from '../../platform/config/config.module';
import { TransactionRunner } from '../../platform/database/transaction-runner';
import { VehicleDailyRepository } from '../daily/vehicle-daily.repository';
import { DerivationSpanRepository } from '../derivation/derivation-span.repository';
import { LocalDayRange } from '../../platform/time/day-ranges';
import { StatusEvents } from '../state/status-events';
import { VehicleStateRepository } from '../state/vehicle-state.repository';
import { TripRepository } from '../trips/trip.repository';
import { VehicleLockRepository } from './vehicle-lock.repository';

const TRIP_MIN_STOP_SECONDS = 5 * 60;

/**
 * Re-derives one vehicle over a range of local days: trips and daily rollups of those days and
 * of every day a counter interval reaching into them spans, then the live state. Idempotent; runs
 * under a per-vehicle lock so that two workers never derive one vehicle at once.
 */
@Injectable()
export class VehicleDerivationService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly transactions: TransactionRunner,
    private readonly locks: VehicleLockRepository,
    private readonly spans: DerivationSpanRepository,
    private readonly daily: VehicleDailyRepository,
    private readonly trips: TripRepository,
    private readonly state: VehicleStateRepository,
    private readonly events: StatusEvents,
  ) {}

  async derive(vehicleId: string, days: LocalDayRange): Promise<void> {
    const change = await this.transactions.run(async (manager) => {
      await this.locks.lockVehicle(manager, vehicleId);
      const span = await this.spans.span(manager, vehicleId, days, this.config.reportTimeZone);
      const maxGapSeconds = this.config.worker.maxCounterGapMs / 1000;
      // Trips first: the daily rollups take their driving time from them.
      await this.trips.derive(manager, span, TRIP_MIN_STOP_SECONDS);
      await this.daily.derive(manager, span, maxGapSeconds);
      return this.state.derive(manager, vehicleId, this.config.worker.vehicleOfflineAfterMs, this.config.reportTimeZone);
    });
    if (change) await this.events.publish([change]);
  }
}
