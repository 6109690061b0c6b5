import { Inject, Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { AppConfig } from '../../platform/config/app-config';
import { APP_CONFIG } from '../../platform/config/config.module';
import { StatusEvents } from './status-events';
import { VehicleStateRepository } from './vehicle-state.repository';

/** Every 30 s: vehicles silent for longer than VEHICLE_OFFLINE_AFTER go offline (a silent vehicle triggers no job). */
@Injectable()
export class OfflineSweep {
  private readonly logger = new Logger(OfflineSweep.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly state: VehicleStateRepository,
    private readonly events: StatusEvents,
  ) {}

  @Interval(30_000)
  async sweep() {
    try {
      const changes = await this.state.markSilentOffline(this.config.worker.vehicleOfflineAfterMs);
      if (changes.length > 0) {
        await this.events.publish(changes);
        this.logger.log({ vehicles: changes.length }, 'Vehicles gone silent marked offline');
      }
    } catch (error) {
      this.logger.error({ err: error }, 'Offline sweep failed');
    }
  }
}
