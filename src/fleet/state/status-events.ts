import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { Observable } from 'rxjs';
import { AppConfig } from '../../platform/config/app-config';
import { APP_CONFIG } from '../../platform/config/config.module';
import { REDIS } from '../../platform/redis/redis.module';
import { RedisEvents } from '../../platform/redis/redis-events';
import { StatusChange } from './vehicle-state.repository';

/**
 * Vehicle status changes, from the worker that derived them to the api processes' server-sent-event
 * clients. A missed event is not data loss: the state table is the truth and clients can re-read it.
 */
@Injectable()
export class StatusEvents extends RedisEvents<StatusChange> {
  constructor(@Inject(REDIS) redis: Redis, @Inject(APP_CONFIG) config: AppConfig) {
    super(redis, config, 'fleet:status', 'status event');
  }

  /** Status changes from any worker, for as long as the caller subscribes. */
  stream(): Observable<StatusChange> {
    return this.received();
  }
}
