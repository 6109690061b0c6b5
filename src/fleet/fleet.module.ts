import { DynamicModule, Module, Provider } from '@nestjs/common';
import { Role } from '../platform/config/app-config';
import { TransactionRunner } from '../platform/database/transaction-runner';
import { RegistryModule } from '../registry/registry.module';
import { FleetVehiclesController } from './api/fleet-vehicles.controller';
import { MapController } from './map/map.controller';
import { PositionRepository } from './map/position.repository';
import { VehicleDailyRepository } from './daily/vehicle-daily.repository';
import { DerivationSpanRepository } from './derivation/derivation-span.repository';
import { TripRepository } from './trips/trip.repository';
import { FleetService } from './fleet.service';
import { DeriveVehicleDaysJob } from './jobs/derive-vehicle-days.job';
import { RebuildVehicleJob } from './jobs/rebuild-vehicle.job';
import { VehicleDerivationService } from './jobs/vehicle-derivation.service';
import { VehicleLockRepository } from './jobs/vehicle-lock.repository';
import { ReconcilerRepository } from './reconciler/reconciler.repository';
import { ReconcilerService } from './reconciler/reconciler.service';
import { PositionRetention } from './retention/position-retention';
import { PositionRetentionRepository } from './retention/position-retention.repository';
import { OfflineSweep } from './state/offline-sweep';
import { StatusEvents } from './state/status-events';
import { VehicleStateRepository } from './state/vehicle-state.repository';
import { LiveVehiclesRepository } from './state/live-vehicles.repository';

/** Vehicle state, daily rollups, offline detection and the live fleet API. */
@Module({})
export class FleetModule {
  static forRoles(roles: ReadonlySet<Role>): DynamicModule {
    const worker: Provider[] = roles.has('worker')
      ? [
          DeriveVehicleDaysJob,
          RebuildVehicleJob,
          VehicleDerivationService,
          VehicleLockRepository,
          DerivationSpanRepository,
          OfflineSweep,
          ReconcilerRepository,
          ReconcilerService,
          PositionRetention,
          PositionRetentionRepository,
        ]
      : [];
    return {
      module: FleetModule,
      imports: [RegistryModule],
      controllers: roles.has('api') ? [FleetVehiclesController, MapController] : [],
      providers: [TransactionRunner, PositionRepository, VehicleStateRepository, LiveVehiclesRepository, VehicleDailyRepository, TripRepository, StatusEvents, FleetService, ...worker],
    };
  }
}
