import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Response } from 'express';
import Redis from 'ioredis';
import { Public } from '../access/roles.decorator';
import { REDIS } from '../redis/redis.module';
import { BrokerProbe } from './broker-probe.service';
import { HealthIndicators } from './health-indicators';
import { HealthRepository } from './health.repository';

type ServiceHealth = { status: 'up' | 'down'; latencyMs?: number; error?: string };

const CHECK_TIMEOUT_MS = 2000;

async function timed(check: () => Promise<unknown>): Promise<ServiceHealth> {
  const started = performance.now();
  try {
    await Promise.race([check(), new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS).unref())]);
    return { status: 'up', latencyMs: Math.round((performance.now() - started) * 10) / 10 };
  } catch (error) {
    return { status: 'down', error: (error as Error).message };
  }
}

@ApiTags('platform')
@Controller('health')
export class HealthController {
  constructor(
    private readonly database: HealthRepository,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly broker: BrokerProbe,
    private readonly roles: HealthIndicators,
  ) {}

  /**
   * 200 when PostgreSQL, Redis and the MQTT broker (in a process whose roles use it) all answer and every role of the process says
   * it is up (the ingest: every connection connected and subscribed); 503 otherwise.
   */
  @Get()
  @Public()
  async check(@Res({ passthrough: true }) response: Response) {
    const [postgres, redis] = await Promise.all([timed(() => this.database.ping()), timed(() => this.redis.ping())]);
    const broker: ServiceHealth = this.broker.connected ? { status: 'up' } : { status: 'down', error: 'not connected' };
    const services = this.broker.watched ? { postgres, redis, broker } : { postgres, redis };
    const roles = this.roles.all();
    const healthy = Object.values(services).every((service) => service.status === 'up') && Object.values(roles).every((role) => role.status === 'up');
    response.status(healthy ? 200 : 503);
    return { status: healthy ? 'ok' : 'degraded', services, roles };
  }
}
