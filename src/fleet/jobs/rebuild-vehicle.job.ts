import { Injectable } from '@nestjs/common';
import { JobName, JobPayloads } from '../../platform/queue/job-catalogue';
import { JobHandler, JobProcessor } from '../../platform/queue/job-processor.decorator';
import { LocalDayRange } from '../../platform/time/day-ranges';
import { VehicleDerivationService } from './vehicle-derivation.service';

/** Re-derives a vehicle over a range of local days in one pass (cheaper than one job per day when rebuilding). */
@Injectable()
@JobProcessor(JobName.RebuildVehicle)
export class RebuildVehicleJob implements JobHandler<JobName.RebuildVehicle> {
  constructor(private readonly derivation: VehicleDerivationService) {}

  handle({ vehicleId, firstDay, lastDay }: JobPayloads[JobName.RebuildVehicle]): Promise<void> {
    return this.derivation.derive(vehicleId, new LocalDayRange(firstDay, lastDay));
  }
}
