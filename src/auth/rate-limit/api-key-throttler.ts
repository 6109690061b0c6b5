import { ExecutionContext, HttpException, HttpStatus, Injectable, Logger, Module } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail, ThrottlerModule, ThrottlerStorage } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import Redis from 'ioredis';
import { AppConfig } from '../../platform/config/app-config';
import { APP_CONFIG } from '../../platform/config/config.module';
import { REDIS } from '../../platform/redis/redis.module';

const WINDOW_MS = 60_000;

/**
 * Requests per API key and minute (API_RATE_LIMIT_PER_MINUTE; 0: off), counted by
 * @nestjs/throttler in Redis so that every api process shares the count. The window starts at a
 * key's first request; a key that goes over is refused for a whole minute from then, its refused
 * requests counted too. The Redis store runs on the service's own connection, so its keys carry
 * REDIS_KEY_PREFIX like every other key. Not a global guard: ApiKeyGuard calls it once it knows
 * the key, before the role check, so that a key over its limit gets 429 on any route.
 */
@Injectable()
export class ApiKeyThrottler extends ThrottlerGuard {
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return !context.switchToHttp().getRequest().principal || this.throttlers.every((throttler) => throttler.limit === 0);
  }

  // The library's signature; the guard has put the principal on the request before this runs.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  protected override async getTracker(request: Record<string, any>): Promise<string> {
    return request.principal.keyId;
  }

  /** One count per key over all routes (the library's default counts each route on its own). */
  protected override generateKey(_context: ExecutionContext, keyId: string): string {
    return `ratelimit:${keyId}`;
  }

  protected override async throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const retryAfter = Math.max(1, detail.timeToBlockExpire);
    context.switchToHttp().getResponse().setHeader('Retry-After', String(retryAfter));
    throw new HttpException({ statusCode: 429, message: `Rate limit of ${detail.limit} requests a minute for this key reached; retry after ${retryAfter} s` }, HttpStatus.TOO_MANY_REQUESTS);
  }
}

type StorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** While Redis is away requests are let through: the limit protects the service, it is not worth an outage. */
class FailOpenStorage implements ThrottlerStorage {
  private readonly logger = new Logger(ApiKeyThrottler.name);
  private warnedAt = 0;

  constructor(private readonly store: ThrottlerStorage) {}

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<StorageRecord> {
    try {
      return await this.store.increment(key, ttl, limit, blockDuration, throttlerName);
    } catch (error) {
      if (Date.now() - this.warnedAt > WINDOW_MS) {
        this.warnedAt = Date.now();
        this.logger.warn({ err: error }, 'Rate limiting is off while Redis is unreachable');
      }
      return { totalHits: 0, timeToExpire: 0, isBlocked: false, timeToBlockExpire: 0 };
    }
  }
}

@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [APP_CONFIG, REDIS],
      useFactory: (config: AppConfig, redis: Redis) => ({
        throttlers: [{ name: 'api-key', ttl: WINDOW_MS, limit: config.apiRateLimitPerMinute }],
        // Retry-After on a 429 only, as before the library: no X-RateLimit-* headers on every answer.
        setHeaders: false,
        storage: new FailOpenStorage(new ThrottlerStorageRedisService(redis)),
      }),
    }),
  ],
  providers: [ApiKeyThrottler],
  exports: [ApiKeyThrottler],
})
export class RateLimitModule {}
