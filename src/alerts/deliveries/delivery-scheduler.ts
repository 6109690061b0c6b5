import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { AppConfig } from '../../platform/config/app-config';
import { APP_CONFIG } from '../../platform/config/config.module';
import { DatabaseAvailability } from '../../platform/database/database-availability';
import { TransactionRunner } from '../../platform/database/transaction-runner';
import { Clock } from '../../platform/time/clock';
import { OrganizationsService } from '../../registry/organizations/organizations.service';
import { MailSender } from '../channels/mail-sender';
import { DeliveryReports } from './delivery-reports';
import { MonthPeriod, lastEndedMonth } from './delivery-period';
import { DueDelivery, ScheduledDeliveryRepository } from './scheduled-delivery.repository';

const INTERVAL_NAME = 'scheduled-deliveries';
/** A delivery that keeps failing (mailbox refused, report error) is left after this many tries; its record keeps the reason. */
const MAX_ATTEMPTS = 5;

/**
 * The worker role's monthly deliveries: each cooperative's charging-usage report to its contact
 * address, the climate office's fleet KPI summary to CLIMATE_OFFICE_MAIL. Checked at start (so a
 * month that turned while the service was down is caught up, within DELIVERY_CATCH_UP of its due
 * time) and every DELIVERY_CHECK_INTERVAL. Exactly once with any number of workers: a due
 * delivery is one row per (kind, subject, period), claimed under a row lock while it is sent.
 *
 * Once, that is, unless a worker dies (or loses PostgreSQL) after the SMTP server accepted the
 * mail and before its commit: the claim rolls back and the delivery is sent again (SMTP cannot
 * be part of the transaction). The copy carries the same Message-ID (deliveryMessageId), so that
 * it can be told apart as the same message; some mail systems drop it by that.
 */
@Injectable()
export class DeliveryScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DeliveryScheduler.name);
  private readonly instance = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private running: Promise<unknown> | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly deliveries: ScheduledDeliveryRepository,
    private readonly reports: DeliveryReports,
    private readonly organizations: OrganizationsService,
    private readonly mail: MailSender,
    private readonly transactions: TransactionRunner,
    private readonly clock: Clock,
    private readonly database: DatabaseAvailability,
    private readonly scheduler: SchedulerRegistry,
  ) {}

  onApplicationBootstrap() {
    if (!this.mail.configured) {
      // Without a mail server deliveries are simply not wanted, unless a recipient was configured.
      const message = 'SMTP_URL not set: scheduled deliveries are off';
      if (this.config.alerts.climateOfficeMail) this.logger.warn(`${message}, although CLIMATE_OFFICE_MAIL is set`);
      else this.logger.log(message);
      return;
    }
    this.tick();
    this.scheduler.addInterval(
      INTERVAL_NAME,
      setInterval(() => this.tick(), this.config.alerts.deliveryCheckEveryMs),
    );
  }

  async onApplicationShutdown() {
    if (this.scheduler.doesExist('interval', INTERVAL_NAME)) this.scheduler.deleteInterval(INTERVAL_NAME);
    await this.running;
  }

  /** Starts a check unless one runs; resolves when it is done. */
  tick(): Promise<unknown> {
    this.running ??= this.check().finally(() => (this.running = undefined));
    return this.running;
  }

  private async check(): Promise<void> {
    try {
      const now = this.clock.now();
      const month = lastEndedMonth(now, this.config.reportTimeZone);
      const catchUpFrom = new Date(now.getTime() - this.config.alerts.deliveryCatchUpMs);
      if (month.dueAt > catchUpFrom) await this.deliveries.addDue(await this.due(month));
      let afterId = '0';
      for (;;) {
        const sent = await this.transactions.run(async (manager) => {
          const delivery = await this.deliveries.claimNext(manager, now, catchUpFrom, MAX_ATTEMPTS, afterId);
          if (!delivery) return undefined;
          afterId = delivery.id;
          try {
            const report = await this.reports.mailOf(delivery, lastEndedMonth(new Date(delivery.dueAt.getTime() + 1), this.config.reportTimeZone));
            const mail = { ...report, messageId: deliveryMessageId(delivery, this.config.alerts.mailFrom) };
            const messageId = await this.mail.send(mail);
            await this.deliveries.delivered(manager, delivery.id, mail.attachments?.[0]?.filename ?? '', messageId, this.instance, this.clock.now());
            this.logger.log({ kind: delivery.kind, subject: delivery.subject, period: delivery.period }, 'Scheduled delivery sent');
          } catch (error) {
            if (this.database.isOutage(error)) throw error;
            await this.deliveries.failed(manager, delivery.id, (error as Error).message);
            this.logger.warn({ kind: delivery.kind, subject: delivery.subject, period: delivery.period, reason: (error as Error).message }, 'Scheduled delivery failed');
          }
          return delivery;
        });
        if (!sent) return;
      }
    } catch (error) {
      if (this.database.isOutage(error)) return; // logged once for the outage
      this.logger.error({ err: error }, 'Scheduled deliveries check failed');
    }
  }

  /** What is due for a month: every cooperative with a contact address, and the climate office's summary. */
  private async due(month: MonthPeriod): Promise<DueDelivery[]> {
    const due: DueDelivery[] = [];
    for (let offset = 0; ; offset += 1000) {
      const page = await this.organizations.list({ kind: 'housing_cooperative', limit: 1000, offset });
      for (const organization of page.items) {
        if (organization.contactEmail) {
          due.push({ kind: 'cooperative_charging_usage', subject: organization.id, period: month.period, organizationId: organization.id, recipient: organization.contactEmail, dueAt: month.dueAt });
        }
      }
      if (page.items.length < 1000) break;
    }
    if (this.config.alerts.climateOfficeMail) {
      due.push({ kind: 'climate_fleet_kpis', subject: 'climate_office', period: month.period, organizationId: null, recipient: this.config.alerts.climateOfficeMail, dueAt: month.dueAt });
    }
    return due;
  }
}

/** The Message-ID of a delivery, the same on every attempt: one per kind, subject and period, in the sender's domain. */
export function deliveryMessageId(delivery: DueDelivery, mailFrom: string): string {
  return `<${delivery.kind}.${delivery.subject}.${delivery.period}@${mailFrom.slice(mailFrom.lastIndexOf('@') + 1)}>`;
}
