import { Logger, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { Observable, Subject } from 'rxjs';
import { AppConfig } from '../config/app-config';

/**
 * Events that travel from the worker that publishes them to every api process over a Redis
 * channel, and from there to server-sent-event clients. A process subscribes when its first
 * client streams; a message it cannot read is logged and skipped.
 */
export abstract class RedisEvents<T> implements OnApplicationShutdown {
  private readonly logger = new Logger(this.constructor.name);
  private readonly channel: string;
  private subscriber: Redis | undefined;
  private readonly events = new Subject<T>();

  protected constructor(
    private readonly redis: Redis,
    config: AppConfig,
    channel: string,
    /** How the log names one event: 'alert event'. */
    private readonly eventName: string,
  ) {
    // ioredis' keyPrefix does not apply to channel names: prefix by hand.
    this.channel = `${config.redisKeyPrefix}:${channel}`;
  }

  async publish(events: T[]): Promise<void> {
    for (const event of events) await this.redis.publish(this.channel, JSON.stringify(event));
  }

  /** Every event published from now on, for as long as the caller subscribes. */
  protected received(): Observable<T> {
    if (!this.subscriber) {
      this.subscriber = this.redis.duplicate();
      this.subscriber.on('message', (_channel, message) => {
        try {
          this.events.next(JSON.parse(message));
        } catch (error) {
          this.logger.warn({ err: error }, `Unreadable ${this.eventName}`);
        }
      });
      this.subscriber.subscribe(this.channel).catch((error) => this.logger.error({ err: error }, `Cannot subscribe to ${this.eventName}s`));
    }
    return this.events.asObservable();
  }

  async onApplicationShutdown() {
    this.events.complete();
    await this.subscriber?.quit().catch(() => undefined);
  }
}
