import { DynamicModule, Module } from '@nestjs/common';
import { Role } from '../platform/config/app-config';
import { TransactionRunner } from '../platform/database/transaction-runner';
import { ActivityRepository } from './activity/activity.repository';
import { FuelImportController } from './fuel-import/fuel-import.controller';
import { FuelImportService } from './fuel-import/fuel-import.service';
import { FuelTransactionRepository } from './fuel-import/fuel-transaction.repository';
import { FactorSetsController } from './factor-sets/factor-sets.controller';
import { FactorSetsModule } from './factor-sets/factor-sets.module';
import { YearLockRepository } from './locks/year-lock.repository';
import { YearLocksController } from './locks/year-locks.controller';
import { YearLocksService } from './locks/year-locks.service';
import { BudgetReportController } from './budgets/budget-report.controller';
import { BudgetReportService } from './budgets/budget-report.service';
import { BudgetSetRepository } from './budgets/budget-set.repository';
import { BudgetSetsController } from './budgets/budget-sets.controller';
import { BudgetSetsService } from './budgets/budget-sets.service';
import { ElectrificationController, ElectrificationPlanController } from './electrification-plan/electrification.controller';
import { ElectrificationPlanService } from './electrification-plan/electrification-plan.service';
import { PlanInputsService } from './electrification-plan/plan-inputs.service';
import { PlanActivityRepository, PlanRepository } from './electrification-plan/plan.repository';
import { EmissionFiguresService } from './reports/emission-figures.service';
import { EmissionReportsController } from './reports/emission-reports.controller';
import { EmissionReportsService } from './reports/emission-reports.service';

/** Emission accounting: factor sets, energy and emissions from the daily rollups, climate reports, fuel-card import, locked years, climate budgets and the electrification plan. */
@Module({})
export class EmissionsModule {
  static forRoles(roles: ReadonlySet<Role>): DynamicModule {
    return {
      module: EmissionsModule,
      imports: [FactorSetsModule],
      controllers: roles.has('api')
        ? [
            FactorSetsController,
            EmissionReportsController,
            FuelImportController,
            YearLocksController,
            BudgetSetsController,
            BudgetReportController,
            ElectrificationController,
            ElectrificationPlanController,
          ]
        : [],
      providers: [
        TransactionRunner,
        ActivityRepository,
        YearLockRepository,
        EmissionFiguresService,
        EmissionReportsService,
        FuelTransactionRepository,
        FuelImportService,
        YearLocksService,
        BudgetSetRepository,
        BudgetSetsService,
        BudgetReportService,
        PlanRepository,
        PlanActivityRepository,
        PlanInputsService,
        ElectrificationPlanService,
      ],
    };
  }
}
