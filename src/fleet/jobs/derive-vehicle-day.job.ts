import { Injectable } from '@nestjs/common';
import { JobName, JobPayloads } from '../../platform/queue/job-catalogue';
import { JobHandler, JobProcessor } from '../../platform/queue/job-processor.decorator';
import { VehicleDerivationService } from './vehicle-derivation.service';

/** New samples of one UTC day: re-derive the local days that UTC day touches and their neighbours. */
@Injectable()
@JobProcessor(JobName.DeriveVehicleDay)
export class DeriveVehicleDayJob implements JobHandler<JobName.DeriveVehicleDay> {
  constructor(private readonly derivation: VehicleDerivationService) {}

  handle({ vehicleId, day }: JobPayloads[JobName.DeriveVehicleDay]): Promise<void> {
    return this.derivation.derive(vehicleId, shiftDay(day, -1), shiftDay(day, 1));
  }
}

export function shiftDay(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}
