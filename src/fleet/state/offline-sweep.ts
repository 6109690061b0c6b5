import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../../platform/config/app-config';
import { APP_CONFIG } from '../../platform/config/config.module';
import { DatabaseAvailability } from '../../platform/database/database-availability';
import { StatusEvents } from './status-events';
import { VehicleStateRepository } from './vehicle-state.repository';

/**
 * A silent vehicle triggers no job, so this sweep marks vehicles offline that have been silent
 * for longer than VEHICLE_OFFLINE_AFTER. It runs four times per that period (at most every 30 s),
 * so a vehicle is reported offline at most a quarter period late. It first retires the vehicles
 * whose last day in service has passed (never offline, whatever they send).
 */
@Injectable()
export class OfflineSweep implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(OfflineSweep.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly state: VehicleStateRepository,
    private readonly events: StatusEvents,
    private readonly database: DatabaseAvailability,
  ) {}

  onModuleInit() {
    const period = Math.min(30_000, Math.max(1000, this.config.worker.vehicleOfflineAfterMs / 4));
    this.timer = setInterval(() => void this.sweep(), period);
  }

  onApplicationShutdown() {
    clearInterval(this.timer);
  }

  async sweep() {
    try {
      const offlineAfterMs = this.config.worker.vehicleOfflineAfterMs;
      const retired = await this.state.applyServiceDates(offlineAfterMs, this.config.reportTimeZone);
      if (retired.length > 0) {
        await this.events.publish(retired);
        this.logger.log({ vehicles: retired.length }, 'Vehicles past or back in service re-marked');
      }
      const changes = await this.state.markSilentOffline(offlineAfterMs);
      if (changes.length > 0) {
        await this.events.publish(changes);
        this.logger.log({ vehicles: changes.length }, 'Vehicles gone silent marked offline');
      }
    } catch (error) {
      if (this.database.isOutage(error)) return; // logged once for the outage
      this.logger.error({ err: error }, 'Offline sweep failed');
    }
  }
}
