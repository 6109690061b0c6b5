import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { Observable, Subject, filter } from 'rxjs';
import { Principal } from '../../platform/access/role';
import { AppConfig } from '../../platform/config/app-config';
import { APP_CONFIG } from '../../platform/config/config.module';
import { REDIS } from '../../platform/redis/redis.module';
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
export class AlertEvents implements OnApplicationShutdown {
  private readonly logger = new Logger(AlertEvents.name);
  private readonly channel: string;
  private subscriber: Redis | undefined;
  private readonly events = new Subject<AlertEvent>();

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    // ioredis' keyPrefix does not apply to channel names: prefix by hand.
    this.channel = `${config.redisKeyPrefix}:alerts:events`;
  }

  async publish(events: AlertEvent[]): Promise<void> {
    for (const event of events) await this.redis.publish(this.channel, JSON.stringify(event));
  }

  /** The events of the rules `principal` may see, for as long as the caller subscribes. */
  stream(principal: Principal): Observable<AlertEvent> {
    if (!this.subscriber) {
      this.subscriber = this.redis.duplicate();
      this.subscriber.on('message', (_channel, message) => {
        try {
          this.events.next(JSON.parse(message));
        } catch (error) {
          this.logger.warn({ err: error }, 'Unreadable alert event');
        }
      });
      this.subscriber.subscribe(this.channel).catch((error) => this.logger.error({ err: error }, 'Cannot subscribe to alert events'));
    }
    return this.events.pipe(filter((event) => mayWatch(principal, event.subjectKind) && (principal.role !== 'cooperative' || event.organizationId === principal.organizationId)));
  }

  async onApplicationShutdown() {
    this.events.complete();
    await this.subscriber?.quit().catch(() => undefined);
  }
}
