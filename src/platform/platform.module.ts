import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseAvailability } from './database/database-availability';
import { DatabaseModule } from './database/database.module';
import { BrokerProbe } from './health/broker-probe.service';
import { HealthController } from './health/health.controller';
import { HealthIndicators } from './health/health-indicators';
import { HealthRepository } from './health/health.repository';
import { HttpMetricsInterceptor } from './metrics/http-metrics.interceptor';
import { MetricsController } from './metrics/metrics.controller';
import { MetricsService } from './metrics/metrics.service';
import { QueueService } from './queue/queue.service';
import { RedisModule } from './redis/redis.module';
import { Clock } from './time/clock';

/** Configuration, database, Redis, the job queue facade, metrics and health: what every role stands on. */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(config: AppConfig) {
    return {
      module: PlatformModule,
      imports: [ConfigModule.forRoot(config), DatabaseModule, RedisModule],
      controllers: [HealthController, MetricsController],
      providers: [Clock, MetricsService, QueueService, HealthRepository, HealthIndicators, DatabaseAvailability, BrokerProbe, { provide: APP_INTERCEPTOR, useClass: HttpMetricsInterceptor }],
      exports: [Clock, MetricsService, QueueService, HealthIndicators, DatabaseAvailability],
    };
  }
}
