import { Injectable } from '@nestjs/common';
import { JobName, JobPayloads } from '../../platform/queue/job-catalogue';
import { JobHandler, JobProcessor } from '../../platform/queue/job-processor.decorator';
import { UtcDayRange } from '../../platform/time/day-ranges';
import { ChargePointDerivationService } from './charge-point-derivation.service';

/** New data on a range of UTC days: re-derive the local days those UTC days touch and what they reach. */
@Injectable()
@JobProcessor(JobName.DeriveChargePointDays)
export class DeriveChargePointDaysJob implements JobHandler<JobName.DeriveChargePointDays> {
  constructor(private readonly derivation: ChargePointDerivationService) {}

  handle({ chargePointId, firstDay, lastDay }: JobPayloads[JobName.DeriveChargePointDays]): Promise<void> {
    return this.derivation.derive(chargePointId, new UtcDayRange(firstDay, lastDay).localDays());
  }
}
