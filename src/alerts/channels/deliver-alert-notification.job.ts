import { Injectable, Logger } from '@nestjs/common';
import { Job, UnrecoverableError } from 'bullmq';
import { JobName, JobPayloads } from '../../platform/queue/job-catalogue';
import { JobHandler, JobProcessor } from '../../platform/queue/job-processor.decorator';
import { Clock } from '../../platform/time/clock';
import { MailSender } from './mail-sender';
import { NotificationRepository, PendingNotification } from './notification.repository';
import { WebhookSender } from './webhook-sender';

/**
 * Sends one alert notification. A failed attempt is recorded and rethrown, so that BullMQ retries
 * it with exponential backoff (ALERT_RETRY_DELAY, doubling); the last allowed attempt records the
 * notification as given up with its reason. Errors name the failure, never the target's secrets.
 */
@Injectable()
@JobProcessor(JobName.DeliverAlertNotification)
export class DeliverAlertNotificationJob implements JobHandler<JobName.DeliverAlertNotification> {
  private readonly logger = new Logger(DeliverAlertNotificationJob.name);

  constructor(
    private readonly notifications: NotificationRepository,
    private readonly webhooks: WebhookSender,
    private readonly mail: MailSender,
    private readonly clock: Clock,
  ) {}

  async handle({ notificationId }: JobPayloads[JobName.DeliverAlertNotification], job: Job): Promise<void> {
    const notification = await this.notifications.find(notificationId);
    if (!notification || notification.status === 'delivered' || notification.status === 'given_up') return;
    if (notification.channel === 'email' && !this.mail.configured) {
      // Retrying cannot help until the service is configured and restarted.
      await this.notifications.failed(notificationId, 'no SMTP server configured (SMTP_URL)', true);
      return;
    }
    try {
      await this.send(notification);
    } catch (error) {
      const reason = (error as Error).message;
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      await this.notifications.failed(notificationId, reason, lastAttempt);
      if (lastAttempt) {
        this.logger.warn({ notificationId, channel: notification.channel, attempts: job.attemptsMade + 1, reason }, 'Alert notification given up');
        throw new UnrecoverableError(reason);
      }
      throw error;
    }
    await this.notifications.delivered(notificationId);
  }

  private async send(notification: PendingNotification): Promise<void> {
    const { alert, event } = notification;
    if (notification.channel === 'webhook') {
      await this.webhooks.send(notification.target, notification.webhookSecret!, { event, alert }, this.clock.now());
      return;
    }
    const verb = event === 'opened' ? 'Alert' : 'Resolved';
    await this.mail.send({
      to: notification.target,
      subject: `[Klimaklok] ${verb}: ${alert.ruleName} - ${alert.subjectLabel}`,
      text: [
        `${verb}: ${alert.ruleName}`,
        `Subject: ${alert.subjectLabel}`,
        `Condition: ${alert.message}`,
        `Opened: ${new Date(alert.openedAt).toISOString()}`,
        ...(alert.resolvedAt ? [`Resolved: ${new Date(alert.resolvedAt).toISOString()}`] : []),
        `Alert id: ${alert.id}`,
      ].join('\n'),
    });
  }
}
