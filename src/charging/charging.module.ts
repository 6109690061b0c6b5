import { DynamicModule, Module, Provider } from '@nestjs/common';
import { Role } from '../platform/config/app-config';
import { TransactionRunner } from '../platform/database/transaction-runner';
import { FactorSetsModule } from '../emissions/factor-sets/factor-sets.module';
import { RegistryModule } from '../registry/registry.module';
import { ChargePointStateRepository } from './api/charge-point-state.repository';
import { ChargePointsReadController } from './api/charge-points.controller';
import { ChargePointsReadService } from './api/charge-points.service';
import { ChargingDerivationRepository } from './derivation/charging-derivation.repository';
import { SessionImportController } from './imports/session-import.controller';
import { SessionImportRepository } from './imports/session-import.repository';
import { SessionImportService } from './imports/session-import.service';
import { ChargePointDerivationService } from './jobs/charge-point-derivation.service';
import { DeriveChargePointDaysJob } from './jobs/derive-charge-point-days.job';
import { RebuildChargePointJob } from './jobs/rebuild-charge-point.job';
import { ChargingReconcilerRepository } from './reconciler/charging-reconciler.repository';
import { ChargingReconcilerService } from './reconciler/charging-reconciler.service';
import { ChargingUsageController } from './reports/charging-usage.controller';
import { ChargingUsageRepository } from './reports/charging-usage.repository';
import { ChargingUsageService } from './reports/charging-usage.service';
import { ENABLED_AVOIDED_FACTORS, FactorSetEnabledAvoidedFactors } from './reports/enabled-avoided-factors';
import { FollowUpController } from './follow-up/follow-up.controller';
import { FollowUpRepository } from './follow-up/follow-up.repository';
import { FollowUpService } from './follow-up/follow-up.service';
import { SubmissionRepository } from './submissions/submission.repository';
import { SubmissionsController } from './submissions/submissions.controller';
import { SubmissionsService } from './submissions/submissions.service';

/** Charge points: sessions, availability, daily rollups, live connector state, usage reports, session imports and report submissions. */
@Module({})
export class ChargingModule {
  static forRoles(roles: ReadonlySet<Role>): DynamicModule {
    const worker: Provider[] = roles.has('worker')
      ? [DeriveChargePointDaysJob, RebuildChargePointJob, ChargePointDerivationService, ChargingDerivationRepository, ChargingReconcilerRepository, ChargingReconcilerService]
      : [];
    const api: Provider[] = roles.has('api')
      ? [
          ChargePointStateRepository,
          ChargePointsReadService,
          ChargingUsageRepository,
          ChargingUsageService,
          { provide: ENABLED_AVOIDED_FACTORS, useClass: FactorSetEnabledAvoidedFactors },
          SubmissionRepository,
          SubmissionsService,
          SessionImportRepository,
          SessionImportService,
          FollowUpRepository,
          FollowUpService,
        ]
      : [];
    return {
      module: ChargingModule,
      imports: [RegistryModule, FactorSetsModule],
      controllers: roles.has('api') ? [ChargePointsReadController, ChargingUsageController, SubmissionsController, SessionImportController, FollowUpController] : [],
      providers: [TransactionRunner, ...worker, ...api],
    };
  }
}
