import { Inject, Injectable, Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '../../platform/config/app-config';
import { APP_CONFIG } from '../../platform/config/config.module';
import { REDIS } from '../../platform/redis/redis.module';

const WINDOW_MS = 60_000;

/**
 * Requests per API key and minute, counted in Redis so that every api process shares the count
 * (a fixed window: simple, and at worst twice the limit across a window edge). While Redis is
 * away requests are let through: the limit protects the service, it is not worth an outage.
 */
@Injectable()
export class RateLimiter {
  private readonly logger = new Logger(RateLimiter.name);
  private warnedAt = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  get limitPerMinute(): number {
    return this.config.apiRateLimitPerMinute;
  }

  /** Counts one request of the key: 0 when it may go on, else the seconds until the key may try again. */
  async take(keyId: string, now = Date.now()): Promise<number> {
    if (this.limitPerMinute === 0) return 0;
    const window = Math.floor(now / WINDOW_MS);
    const counter = `ratelimit:${keyId}:${window}`;
    try {
      const results = await this.redis.multi().incr(counter).pexpire(counter, WINDOW_MS + 1000).exec();
      const count = Number(results?.[0]?.[1] ?? 0);
      return count <= this.limitPerMinute ? 0 : Math.max(1, Math.ceil(((window + 1) * WINDOW_MS - now) / 1000));
    } catch (error) {
      if (now - this.warnedAt > WINDOW_MS) {
        this.warnedAt = now;
        this.logger.warn({ err: error }, 'Rate limiting is off while Redis is unreachable');
      }
      return 0;
    }
  }
}
