import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The process's Prometheus registry. Modules register their own instruments through it
 * (`counter`, `histogram`) so that names stay under one prefix.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly httpRequests: Histogram<'method' | 'route' | 'status'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'klimaklok_' });
    this.httpRequests = this.histogram('http_request_duration_seconds', 'HTTP requests by route and status', ['method', 'route', 'status']);
  }

  counter<L extends string>(name: string, help: string, labelNames: L[] = []): Counter<L> {
    return new Counter({ name: `klimaklok_${name}`, help, labelNames, registers: [this.registry] });
  }

  /** With `read`, the gauge takes its value from it whenever the metrics are scraped. */
  gauge<L extends string>(name: string, help: string, labelNames: L[] = [], read?: () => number): Gauge<L> {
    return new Gauge({
      name: `klimaklok_${name}`,
      help,
      labelNames,
      registers: [this.registry],
      ...(read ? { collect(this: Gauge<L>) { this.set(read()); } } : {}),
    });
  }

  histogram<L extends string>(name: string, help: string, labelNames: L[] = [], buckets?: number[]): Histogram<L> {
    return new Histogram({ name: `klimaklok_${name}`, help, labelNames, registers: [this.registry], ...(buckets ? { buckets } : {}) });
  }
}
