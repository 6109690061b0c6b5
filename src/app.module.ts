import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { AuthModule } from './auth/auth.module';
import { ChargingModule } from './charging/charging.module';
import { EmissionsModule } from './emissions/emissions.module';
import { FleetModule } from './fleet/fleet.module';
import { AppConfig } from './platform/config/app-config';
import { PlatformModule } from './platform/platform.module';
import { WorkerModule } from './platform/queue/worker.module';
import { RegistryModule } from './registry/registry.module';
import { TelemetryModule } from './telemetry/telemetry.module';
import { OcppModule } from './ocpp/ocpp.module';

/**
 * The service, assembled for the roles this process runs. Every role shares the platform and
 * the registry; role-specific modules (ingest, worker) are added here as they land.
 */
@Module({})
export class AppModule {
  static forRoles(config: AppConfig) {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot(config),
        ScheduleModule.forRoot(),
        RegistryModule,
        AuthModule,
        TelemetryModule.forRoles(config.roles),
        FleetModule.forRoles(config.roles),
        ChargingModule.forRoles(config.roles),
        EmissionsModule.forRoles(config.roles),
        ...(config.roles.has('worker') ? [WorkerModule] : []),
        OcppModule.forRoles(config.roles),
      ],
    };
  }
}
