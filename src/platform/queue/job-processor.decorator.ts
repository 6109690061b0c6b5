import { SetMetadata } from '@nestjs/common';
import { Job } from 'bullmq';
import { JobName, JobPayloads } from './job-catalogue';

export const JOB_PROCESSOR = 'klimaklok:job-processor';

/** Marks a provider as the handler of one job of the catalogue; the worker role discovers it. */
export const JobProcessor = (name: JobName) => SetMetadata(JOB_PROCESSOR, name);

export interface JobHandler<N extends JobName = JobName> {
  handle(payload: JobPayloads[N], job: Job): Promise<void>;
}
