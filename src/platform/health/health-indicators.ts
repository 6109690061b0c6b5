import { Injectable } from '@nestjs/common';

/** What a role says of itself on /health: `up` or `degraded`, with the details that say why. */
export interface RoleHealth {
  status: 'up' | 'degraded';
  [detail: string]: unknown;
}

/**
 * Roles report their own health here (the ingest its broker connections), so that /health tells
 * the truth about more than the services the process depends on, without platform depending on
 * the roles.
 */
@Injectable()
export class HealthIndicators {
  private readonly indicators = new Map<string, () => RoleHealth>();

  register(name: string, check: () => RoleHealth): void {
    this.indicators.set(name, check);
  }

  all(): Record<string, RoleHealth> {
    return Object.fromEntries([...this.indicators].map(([name, check]) => [name, check()]));
  }
}
