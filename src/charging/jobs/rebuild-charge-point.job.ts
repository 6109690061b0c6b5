import { Injectable } from '@nestjs/common';
import { JobName, JobPayloads } from '../../platform/queue/job-catalogue';
import { JobHandler, JobProcessor } from '../../platform/queue/job-processor.decorator';
import { LocalDayRange } from '../../platform/time/day-ranges';
import { ChargePointDerivationService } from './charge-point-derivation.service';

/** Re-derives a charge point over a range of local days in one pass (rebuilds, session imports). */
@Injectable()
@JobProcessor(JobName.RebuildChargePoint)
export class RebuildChargePointJob implements JobHandler<JobName.RebuildChargePoint> {
  constructor(private readonly derivation: ChargePointDerivationService) {}

  handle({ chargePointId, firstDay, lastDay }: JobPayloads[JobName.RebuildChargePoint]): Promise<void> {
    return this.derivation.derive(chargePointId, new LocalDayRange(firstDay, lastDay));
  }
}
