import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { Observable, filter } from 'rxjs';
import { Principal } from '../../platform/access/role';
import { AppConfig } from '../../platform/config/app-config';
import { APP_CONFIG } from '../../platform/config/config.module';
import { REDIS } from '../../platform/redis/redis.module';
import { RedisEvents } from '../../platform/redis/redis-events';
import { mayWatch } from '../access';
import { SubjectKind } from '../rules/kinds/alert-kind';

/** Alerts of one rule opened, resolved or acknowledged: the dashboard re-reads its list and badge. */
export interface AlertEvent {
  ruleId: string;
  subjectKind: SubjectKind;
  organizationId: string | null;
  opened: number;
  resolved: number;
  acknowledged: number;
}

/**
 * The dashboard channel: alert changes travel from the evaluating worker to every api process over
 * a Redis channel (one message per rule and cycle, not per alert: a first cycle may open
 * thousands), and from there to the server-sent-event clients that may see that rule's alerts.
 */
@Injectable()
export class AlertEvents extends RedisEvents<AlertEvent> {
  constructor(@Inject(REDIS) redis: Redis, @Inject(APP_CONFIG) config: AppConfig) {
    super(redis, config, 'alerts:events', 'alert event');
  }

  /** The events of the rules `principal` may see, for as long as the caller subscribes. */
  stream(principal: Principal): Observable<AlertEvent> {
    return this.received().pipe(filter((event) => mayWatch(principal, event.subjectKind) && (principal.role !== 'cooperative' || event.organizationId === principal.organizationId)));
  }
}
