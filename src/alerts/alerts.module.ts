import { DynamicModule, Module, Provider } from '@nestjs/common';
import { ChargingUsageRepository } from '../charging/reports/charging-usage.repository';
import { ChargingUsageService } from '../charging/reports/charging-usage.service';
import { ENABLED_AVOIDED_FACTORS, FactorSetEnabledAvoidedFactors } from '../charging/reports/enabled-avoided-factors';
import { ActivityRepository } from '../emissions/activity/activity.repository';
import { FactorSetsModule } from '../emissions/factor-sets/factor-sets.module';
import { BudgetReportService } from '../emissions/budgets/budget-report.service';
import { BudgetSetRepository } from '../emissions/budgets/budget-set.repository';
import { BudgetSetsService } from '../emissions/budgets/budget-sets.service';
import { PlanRepository } from '../emissions/electrification-plan/plan.repository';
import { YearLockRepository } from '../emissions/locks/year-lock.repository';
import { EmissionFiguresService } from '../emissions/reports/emission-figures.service';
import { EmissionReportsService } from '../emissions/reports/emission-reports.service';
import { Role } from '../platform/config/app-config';
import { TransactionRunner } from '../platform/database/transaction-runner';
import { RegistryModule } from '../registry/registry.module';
import { AlertRepository } from './alerts/alert.repository';
import { AlertsController } from './alerts/alerts.controller';
import { AlertsService } from './alerts/alerts.service';
import { AlertEvents } from './channels/alert-events';
import { DeliverAlertNotificationJob } from './channels/deliver-alert-notification.job';
import { MailSender } from './channels/mail-sender';
import { NotificationRepository } from './channels/notification.repository';
import { WebhookSender } from './channels/webhook-sender';
import { DeliveriesController } from './deliveries/deliveries.controller';
import { DeliveryReports } from './deliveries/delivery-reports';
import { DeliveryScheduler } from './deliveries/delivery-scheduler';
import { ScheduledDeliveryRepository } from './deliveries/scheduled-delivery.repository';
import { AlertEvaluationRepository } from './evaluation/alert-evaluation.repository';
import { AlertEvaluator } from './evaluation/alert-evaluator';
import { AlertRuleRepository } from './rules/alert-rule.repository';
import { AlertRulesController } from './rules/alert-rules.controller';
import { AlertRulesService } from './rules/alert-rules.service';

/**
 * Alert rules, their evaluation and alerts, notification channels (dashboard stream, webhook,
 * e-mail) and scheduled deliveries. The deliveries attach the reports the API serves, and the
 * budget status rules evaluate the climate budget's: their (stateless) report services are
 * provided here as well, since the charging module provides its usage report to the api role
 * only and the emissions module exports none.
 */
@Module({})
export class AlertsModule {
  static forRoles(roles: ReadonlySet<Role>): DynamicModule {
    const worker: Provider[] = roles.has('worker')
      ? [
          AlertEvaluationRepository,
          AlertEvaluator,
          NotificationRepository,
          WebhookSender,
          MailSender,
          DeliverAlertNotificationJob,
          ScheduledDeliveryRepository,
          DeliveryReports,
          DeliveryScheduler,
          ChargingUsageRepository,
          ChargingUsageService,
          { provide: ENABLED_AVOIDED_FACTORS, useClass: FactorSetEnabledAvoidedFactors },
          ActivityRepository,
          YearLockRepository,
          EmissionFiguresService,
          EmissionReportsService,
          BudgetSetRepository,
          BudgetSetsService,
          PlanRepository,
          BudgetReportService,
        ]
      : [];
    const api: Provider[] = roles.has('api') ? [AlertRulesService, AlertRepository, AlertsService, ...(roles.has('worker') ? [] : [ScheduledDeliveryRepository])] : [];
    return {
      module: AlertsModule,
      imports: [RegistryModule, FactorSetsModule],
      controllers: roles.has('api') ? [AlertRulesController, AlertsController, DeliveriesController] : [],
      providers: [TransactionRunner, AlertRuleRepository, AlertEvents, ...worker, ...api],
    };
  }
}
