import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { Observable, Subject } from 'rxjs';
import { AppConfig } from '../../platform/config/app-config';
import { APP_CONFIG } from '../../platform/config/config.module';
import { REDIS } from '../../platform/redis/redis.module';
import { StatusChange } from './vehicle-state.repository';

/**
 * Vehicle status changes travel from the worker that derived them to every api process over a
 * Redis channel, and from there to server-sent-event clients. A missed event is not data loss:
 * the state table is the truth and clients can re-read it.
 */
@Injectable()
export class StatusEvents implements OnApplicationShutdown {
  private readonly logger = new Logger(StatusEvents.name);
  private readonly channel: string;
  private subscriber: Redis | undefined;
  private readonly changes = new Subject<StatusChange>();

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    // ioredis' keyPrefix does not apply to channel names: prefix by hand.
    this.channel = `${config.redisKeyPrefix}:fleet:status`;
  }

  async publish(changes: StatusChange[]): Promise<void> {
    for (const change of changes) await this.redis.publish(this.channel, JSON.stringify(change));
  }

  /** Status changes from any worker, for as long as the caller subscribes. */
  stream(): Observable<StatusChange> {
    if (!this.subscriber) {
      this.subscriber = this.redis.duplicate();
      this.subscriber.on('message', (_channel, message) => {
        try {
          this.changes.next(JSON.parse(message));
        } catch (error) {
          this.logger.warn({ err: error }, 'Unreadable status event');
        }
      });
      this.subscriber.subscribe(this.channel).catch((error) => this.logger.error({ err: error }, 'Cannot subscribe to status events'));
    }
    return this.changes.asObservable();
  }

  async onApplicationShutdown() {
    this.changes.complete();
    await this.subscriber?.quit().catch(() => undefined);
  }
}
