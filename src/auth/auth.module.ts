import { Inject, Module, OnApplicationBootstrap } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
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

@Module({
  imports: [TypeOrmModule.forFeature([ApiKey]), RegistryModule],
  controllers: [ApiKeysController, MeController],
  providers: [ApiKeyRepository, ApiKeyService, { provide: APP_GUARD, useClass: ApiKeyGuard }],
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
