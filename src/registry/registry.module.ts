import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TransactionRunner } from '../platform/database/transaction-runner';
import { ChargePoint } from './charge-points/charge-point.entity';
import { ChargePointRepository } from './charge-points/charge-point.repository';
import { ChargePointsController } from './charge-points/charge-points.controller';
import { ChargePointsService } from './charge-points/charge-points.service';
import { OcppPasswordController } from './charge-points/ocpp-password.controller';
import { DeviceDirectoryRepository } from './devices/device-directory.repository';
import { DeviceDirectoryService } from './devices/device-directory.service';
import { FleetImportController } from './fleet-import/fleet-import.controller';
import { FleetImportService } from './fleet-import/fleet-import.service';
import { Organization } from './organizations/organization.entity';
import { OrganizationRepository } from './organizations/organization.repository';
import { OrganizationsController } from './organizations/organizations.controller';
import { OrganizationsService } from './organizations/organizations.service';
import { SubsidyGrant } from './subsidy-grants/subsidy-grant.entity';
import { SubsidyGrantRepository } from './subsidy-grants/subsidy-grant.repository';
import { SubsidyGrantsController } from './subsidy-grants/subsidy-grants.controller';
import { SubsidyGrantsService } from './subsidy-grants/subsidy-grants.service';
import { Vehicle } from './vehicles/vehicle.entity';
import { VehicleRepository } from './vehicles/vehicle.repository';
import { VehiclesController } from './vehicles/vehicles.controller';
import { VehiclesService } from './vehicles/vehicles.service';

/** What is monitored: organizations, vehicles, charge points and subsidy grants, and the fleet import. */
@Module({
  imports: [TypeOrmModule.forFeature([Organization, Vehicle, SubsidyGrant, ChargePoint])],
  controllers: [OrganizationsController, VehiclesController, SubsidyGrantsController, ChargePointsController, FleetImportController, OcppPasswordController],
  providers: [
    TransactionRunner,
    OrganizationRepository,
    OrganizationsService,
    VehicleRepository,
    VehiclesService,
    SubsidyGrantRepository,
    SubsidyGrantsService,
    ChargePointRepository,
    ChargePointsService,
    FleetImportService,
    DeviceDirectoryRepository,
    DeviceDirectoryService,
  ],
  exports: [OrganizationsService, VehiclesService, SubsidyGrantsService, ChargePointsService, FleetImportService, DeviceDirectoryService],
})
export class RegistryModule {}
