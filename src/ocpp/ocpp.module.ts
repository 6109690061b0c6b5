import { DynamicModule, Module } from '@nestjs/common';
import { Role } from '../platform/config/app-config';
import { RegistryModule } from '../registry/registry.module';
import { RawSampleRepository } from '../telemetry/storage/raw-sample.repository';
import { OcppEndpointService } from './ocpp-endpoint.service';
import { OcppMetrics } from './ocpp.metrics';
import { OcppRepository } from './ocpp.repository';

/** The OCPP 1.6J endpoint (role `ocpp`, shared/spec/ocpp-1.6j.md): charge points report over OCPP into the telemetry raw stores. */
@Module({})
export class OcppModule {
  static forRoles(roles: ReadonlySet<Role>): DynamicModule {
    return {
      module: OcppModule,
      imports: [RegistryModule],
      providers: roles.has('ocpp') ? [OcppEndpointService, OcppRepository, OcppMetrics, RawSampleRepository] : [],
    };
  }
}
