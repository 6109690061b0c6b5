import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { JOB_QUEUES, JobRequest, QueueName } from './job-catalogue';

/**
 * The one place that talks to BullMQ as a producer and owns job options (attempts, backoff,
 * bounded history). Producers name a job from the catalogue and give its payload, nothing else.
 */
@Injectable()
export class QueueService implements OnApplicationShutdown {
  private readonly logger = new Logger(QueueService.name);
  private readonly queues = new Map<QueueName, Queue>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  queue(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, {
        prefix: this.config.redisKeyPrefix,
        // Fail fast while Redis is away instead of buffering commands without bound; the data
        // is in PostgreSQL and the reconciler re-enqueues what was missed.
        connection: { url: this.config.redisUrl, enableOfflineQueue: false, maxRetriesPerRequest: 1 },
        defaultJobOptions: {
          // Notifications wait for receivers we do not run: their attempts and delays are configured.
          ...(name === QueueName.Notify
            ? { attempts: this.config.alerts.deliveryAttempts, backoff: { type: 'exponential', delay: this.config.alerts.retryDelayMs } }
            : { attempts: 5, backoff: { type: 'exponential', delay: 1000 } }),
          removeOnComplete: { count: 1000, age: 3600 },
          removeOnFail: { count: 5000, age: 7 * 86400 },
        },
      });
      queue.on('error', (error) => this.logger.warn({ err: error, queue: name }, 'Queue connection error'));
      this.queues.set(name, queue);
    }
    return queue;
  }

  async enqueue(jobs: JobRequest[]): Promise<void> {
    const byQueue = new Map<QueueName, JobRequest[]>();
    for (const job of jobs) byQueue.set(JOB_QUEUES[job.name], [...(byQueue.get(JOB_QUEUES[job.name]) ?? []), job]);
    for (const [name, requests] of byQueue) {
      const queue = this.queue(name);
      await withTimeout(queue.waitUntilReady(), 2000, `Redis not ready for queue ${name}`);
      await queue.addBulk(requests.map((job) => ({ name: job.name, data: job.payload, opts: { deduplication: { id: job.dedupKey, keepLastIfActive: true } } })));
    }
  }

  /** Jobs of a queue waiting for a worker (producers hold back and merge work while it is long). */
  async waiting(name: QueueName): Promise<number> {
    const queue = this.queue(name);
    await withTimeout(queue.waitUntilReady(), 2000, `Redis not ready for queue ${name}`);
    return queue.getWaitingCount();
  }

  async onApplicationShutdown() {
    await Promise.all([...this.queues.values()].map((queue) => queue.close().catch(() => undefined)));
  }
}

function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
