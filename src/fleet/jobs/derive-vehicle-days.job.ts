import { Injectable } from '@nestjs/common';
import { JobName, JobPayloads } from '../../platform/queue/job-catalogue';
import { JobHandler, JobProcessor } from '../../platform/queue/job-processor.decorator';
import { UtcDayRange } from '../../platform/time/day-ranges';
import { VehicleDerivationService } from './vehicle-derivation.service';

/**
 * New samples on a range of UTC days: re-derive the local days those UTC days touch.
 */
@Injectable()
@JobProcessor(JobName.DeriveVehicleDays)
export class DeriveVehicleDaysJob implements JobHandler<JobName.DeriveVehicleDays> {
  constructor(private readonly derivation: VehicleDerivationService) {}

  handle({ vehicleId, firstDay, lastDay }: JobPayloads[JobName.DeriveVehicleDays]): Promise<void> {
    return this.derivation.derive(vehicleId, new UtcDayRange(firstDay, lastDay).localDays());
  }
}
