import { Injectable, Logger } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { RawSampleRepository } from './raw-sample.repository';

/** Keeps month partitions two months ahead, so that live data never waits for DDL. */
@Injectable()
export class PartitionMaintenance {
  private readonly logger = new Logger(PartitionMaintenance.name);

  constructor(private readonly raw: RawSampleRepository) {}

  @Cron('17 3 * * *')
  async createAhead() {
    await this.raw.ensurePartitionsAhead(new Date(), 2);
    this.logger.log('Raw telemetry partitions ensured two months ahead');
  }
}
