import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AppConfig } from '../../platform/config/app-config';
import { APP_CONFIG } from '../../platform/config/config.module';
import { DatabaseAvailability } from '../../platform/database/database-availability';
import { deliverAlertNotification } from '../../platform/queue/job-catalogue';
import { QueueService } from '../../platform/queue/queue.service';
import { Clock } from '../../platform/time/clock';
import { AlertEvent, AlertEvents } from '../channels/alert-events';
import { AlertRuleRepository } from '../rules/alert-rule.repository';
import { AlertEvaluationRepository, EvaluationResult } from './alert-evaluation.repository';

const INTERVAL_NAME = 'alert-evaluation';

/**
 * The worker role's evaluation loop, every ALERT_EVALUATION_INTERVAL. Several workers may run it:
 * the cycle's advisory lock lets one evaluate and the others skip. After the commit it tells the
 * dashboards (one event per rule) and queues the notifications the cycle recorded; notifications
 * whose queueing failed (Redis away) are picked up again by a later cycle.
 */
@Injectable()
export class AlertEvaluator implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AlertEvaluator.name);
  private running: Promise<unknown> | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly evaluation: AlertEvaluationRepository,
    private readonly rules: AlertRuleRepository,
    private readonly events: AlertEvents,
    private readonly queue: QueueService,
    private readonly clock: Clock,
    private readonly database: DatabaseAvailability,
    private readonly scheduler: SchedulerRegistry,
  ) {}

  onApplicationBootstrap() {
    this.scheduler.addInterval(
      INTERVAL_NAME,
      setInterval(() => {
        // A cycle slower than the interval is not stacked on itself.
        if (!this.running) this.running = this.cycle().finally(() => (this.running = undefined));
      }, this.config.alerts.evaluateEveryMs),
    );
  }

  async onApplicationShutdown() {
    if (this.scheduler.doesExist('interval', INTERVAL_NAME)) this.scheduler.deleteInterval(INTERVAL_NAME);
    await this.running;
  }

  /** One cycle; errors are logged, never thrown (the next cycle tries again). */
  async cycle(): Promise<EvaluationResult | undefined> {
    try {
      const result = await this.evaluation.evaluate(this.clock.now());
      if (result.changes.length > 0) {
        await this.events.publish(await this.eventsOf(result));
        this.logger.log({ opened: result.changes.filter((c) => c.event === 'opened').length, resolved: result.changes.filter((c) => c.event === 'resolved').length }, 'Alerts changed');
      }
      const unqueued = result.evaluated ? await this.evaluation.unqueuedNotifications() : [];
      const notificationIds = [...new Set([...result.notificationIds, ...unqueued])];
      if (notificationIds.length > 0) await this.queue.enqueue(notificationIds.map(deliverAlertNotification));
      return result;
    } catch (error) {
      if (this.database.isOutage(error)) return undefined; // logged once for the outage
      this.logger.error({ err: error }, 'Alert evaluation failed');
      return undefined;
    }
  }

  private async eventsOf(result: EvaluationResult): Promise<AlertEvent[]> {
    const byRule = new Map<string, { opened: number; resolved: number }>();
    for (const change of result.changes) {
      const counts = byRule.get(change.ruleId) ?? { opened: 0, resolved: 0 };
      counts[change.event] += 1;
      byRule.set(change.ruleId, counts);
    }
    const scopes = await this.rules.scopes([...byRule.keys()]);
    return scopes.map((scope) => ({ ruleId: scope.id, subjectKind: scope.subjectKind, organizationId: scope.organizationId, ...byRule.get(scope.id)!, acknowledged: 0 }));
  }
}
