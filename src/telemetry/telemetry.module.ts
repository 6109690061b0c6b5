import { DynamicModule, Module, Provider } from '@nestjs/common';
import { Role } from '../platform/config/app-config';
import { RegistryModule } from '../registry/registry.module';
import { DeadLetterReplayService } from './dead-letters/dead-letter-replay.service';
import { DeadLetterRepository } from './dead-letters/dead-letter.repository';
import { DeadLettersController } from './dead-letters/dead-letters.controller';
import { IngestService } from './ingest/ingest.service';
import { PartitionMaintenance } from './storage/partition-maintenance';
import { RawSampleRepository } from './storage/raw-sample.repository';
import { TelemetryMetrics } from './telemetry.metrics';

/** MQTT ingest (role `ingest`), the raw stores and the dead-letter API (role `api`). */
@Module({})
export class TelemetryModule {
  static forRoles(roles: ReadonlySet<Role>): DynamicModule {
    const ingest: Provider[] = roles.has('ingest') ? [IngestService, PartitionMaintenance] : [];
    const api: Provider[] = roles.has('api') ? [DeadLetterReplayService] : [];
    return {
      module: TelemetryModule,
      imports: [RegistryModule],
      controllers: roles.has('api') ? [DeadLettersController] : [],
      providers: [RawSampleRepository, DeadLetterRepository, TelemetryMetrics, ...ingest, ...api],
    };
  }
}
