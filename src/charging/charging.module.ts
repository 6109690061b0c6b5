import { DynamicModule, Module, Provider } from '@nestjs/common';
import { Role } from '../platform/config/app-config';
import { TransactionRunner } from '../platform/database/transaction-runner';
import { RegistryModule } from '../registry/registry.module';
import { ChargingDerivationRepository } from './derivation/charging-derivation.repository';
import { ChargePointDerivationService } from './jobs/charge-point-derivation.service';
import { DeriveChargePointDayJob } from './jobs/derive-charge-point-day.job';
import { RebuildChargePointJob } from './jobs/rebuild-charge-point.job';
import { ChargingReconcilerRepository } from './reconciler/charging-reconciler.repository';
import { ChargingReconcilerService } from './reconciler/charging-reconciler.service';

/** Charge points: sessions, availability, daily rollups, live connector state, usage reports, session imports and report submissions. */
@Module({})
export class ChargingModule {
  static forRoles(roles: ReadonlySet<Role>): DynamicModule {
    const worker: Provider[] = roles.has('worker')
      ? [DeriveChargePointDayJob, RebuildChargePointJob, ChargePointDerivationService, ChargingReconcilerRepository, ChargingReconcilerService]
      : [];
    return {
      module: ChargingModule,
      imports: [RegistryModule],
      controllers: roles.has('api') ? [] : [],
      providers: [TransactionRunner, ChargingDerivationRepository, ...worker],
    };
  }
}
