import { Inject, Injectable, Logger, BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { DelayedError, Job, UnrecoverableError, Worker } from 'bullmq';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { DATABASE_RETRY_SECONDS, DatabaseAvailability } from '../database/database-availability';
import { JOB_QUEUES, JobName, QueueName } from './job-catalogue';
import { JOB_PROCESSOR, JobHandler } from './job-processor.decorator';

/**
 * The worker role: one BullMQ worker per queue, dispatching each job to the provider marked
 * @JobProcessor for its name. Refuses to start if a job of the catalogue has no handler, so that
 * no job can pile up unprocessed. Errors are logged with the job id and rethrown for BullMQ to
 * retry with backoff; an UnrecoverableError marks a permanent failure that is not retried.
 * A job that fails because PostgreSQL is unreachable is put back, delayed, without using up an
 * attempt and without a log line: an outage of any length leaves no job failed.
 */
@Injectable()
export class WorkerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WorkerHost.name);
  private readonly workers: Worker[] = [];

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly discovery: DiscoveryService,
    private readonly database: DatabaseAvailability,
  ) {}

  async onApplicationBootstrap() {
    const handlers = this.discoverHandlers();
    const missing = Object.values(JobName).filter((name) => !handlers.has(name));
    if (missing.length > 0) throw new Error(`No handler for job(s): ${missing.join(', ')}`);
    for (const queue of new Set(Object.values(JOB_QUEUES))) this.workers.push(this.startWorker(queue, handlers));
    this.logger.log({ queues: this.workers.map((w) => w.name), concurrency: this.config.worker.concurrency }, 'Workers started');
  }

  private discoverHandlers(): Map<JobName, JobHandler> {
    const handlers = new Map<JobName, JobHandler>();
    for (const wrapper of this.discovery.getProviders()) {
      const name: JobName | undefined = wrapper.metatype ? Reflect.getMetadata(JOB_PROCESSOR, wrapper.metatype) : undefined;
      if (!name || !wrapper.instance) continue;
      if (handlers.has(name)) throw new Error(`Two handlers for job ${name}`);
      handlers.set(name, wrapper.instance as JobHandler);
    }
    return handlers;
  }

  private startWorker(queue: QueueName, handlers: Map<JobName, JobHandler>): Worker {
    const worker = new Worker(
      queue,
      async (job: Job, token?: string) => {
        const handler = handlers.get(job.name as JobName);
        if (!handler) throw new UnrecoverableError(`Unknown job ${job.name}`);
        try {
          await handler.handle(job.data, job);
        } catch (error) {
          if (this.database.isOutage(error)) {
            // DelayedError: BullMQ neither counts an attempt nor fails the job (docs: "Stop retrying jobs").
            await job.moveToDelayed(Date.now() + DATABASE_RETRY_SECONDS * 1000, token);
            throw new DelayedError();
          }
          this.logger.error({ err: error, jobId: job.id, job: job.name, data: job.data, attempt: job.attemptsMade + 1 }, 'Job failed');
          throw error;
        }
      },
      {
        prefix: this.config.redisKeyPrefix,
        connection: { url: this.config.redisUrl, maxRetriesPerRequest: null },
        concurrency: this.config.worker.concurrency,
      },
    );
    worker.on('error', (error) => this.logger.warn({ err: error, queue }, 'Worker connection error'));
    return worker;
  }

  /** Before any module closes its connections: running jobs finish against a live database. */
  async beforeApplicationShutdown() {
    await Promise.all(this.workers.map((worker) => worker.close()));
  }
}
