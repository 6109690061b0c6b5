import { Inject, Injectable, Logger } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { AppConfig } from '../../platform/config/app-config';
import { APP_CONFIG } from '../../platform/config/config.module';
import { PositionRetentionRepository } from './position-retention.repository';

/**
 * Employees' positions are personal data: raw positions, and trip start and end positions, older
 * than POSITION_RETENTION_DAYS are erased every night. Distances, energy and other aggregates stay.
 */
@Injectable()
export class PositionRetention {
  private readonly logger = new Logger(PositionRetention.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly positions: PositionRetentionRepository,
  ) {}

  @Cron('41 2 * * *')
  async nightly() {
    try {
      await this.erase();
    } catch (error) {
      this.logger.error({ err: error }, 'Position retention failed; the next night retries');
    }
  }

  async erase(): Promise<{ samples: number; trips: number }> {
    const before = new Date(Date.now() - this.config.worker.positionRetentionDays * 86_400_000);
    const erased = await this.positions.eraseBefore(before);
    this.logger.log({ ...erased, before }, 'Positions past retention erased');
    return erased;
  }
}
