import { Inject, Module, OnApplicationBootstrap } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../platform/config/app-config';
import { APP_CONFIG } from '../platform/config/config.module';
import { RegistryModule } from '../registry/registry.module';
import { ApiKey } from './api-key.entity';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeyRepository } from './api-key.repository';
import { ApiKeyService } from './api-key.service';
import { ApiKeysController } from './api-keys.controller';
import { MeController } from './me.controller';
import { AuditLogController } from './audit/audit-log.controller';
import { AuditLogRepository } from './audit/audit-log.repository';
import { AuditInterceptor } from './audit/audit.interceptor';
import { RateLimitModule } from './rate-limit/api-key-throttler';

@Module({
  imports: [TypeOrmModule.forFeature([ApiKey]), RegistryModule, RateLimitModule],
  controllers: [ApiKeysController, MeController, AuditLogController],
  providers: [ApiKeyRepository, ApiKeyService, AuditLogRepository, { provide: APP_GUARD, useClass: ApiKeyGuard }, { provide: APP_INTERCEPTOR, useClass: AuditInterceptor }],
  exports: [ApiKeyService],
})
export class AuthModule implements OnApplicationBootstrap {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly apiKeys: ApiKeyService,
  ) {}

  async onApplicationBootstrap() {
    if (this.config.adminApiKey) await this.apiKeys.ensureBootstrapAdmin(this.config.adminApiKey);
  }
}
