import { Injectable } from '@nestjs/common';
import { shiftDay } from '../../fleet/jobs/derive-vehicle-day.job';
import { JobName, JobPayloads } from '../../platform/queue/job-catalogue';
import { JobHandler, JobProcessor } from '../../platform/queue/job-processor.decorator';
import { ChargePointDerivationService } from './charge-point-derivation.service';

/** New samples of one UTC day: re-derive the local days that UTC day touches and what they reach. */
@Injectable()
@JobProcessor(JobName.DeriveChargePointDay)
export class DeriveChargePointDayJob implements JobHandler<JobName.DeriveChargePointDay> {
  constructor(private readonly derivation: ChargePointDerivationService) {}

  handle({ chargePointId, day }: JobPayloads[JobName.DeriveChargePointDay]): Promise<void> {
    return this.derivation.derive(chargePointId, shiftDay(day, -1), shiftDay(day, 1));
  }
}
