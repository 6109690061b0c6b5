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
      ...(read
        ? {
            collect(this: Gauge<L>) {
              this.set(read());
            },
          }
        : {}),
    });
  }

  /** A gauge with one label whose series are all read at scrape time: `read` gives each label value and its number. */
  gaugeByLabel<L extends string>(name: string, help: string, label: L, read: () => Array<[string, number]>): Gauge<L> {
    return new Gauge({
      name: `klimaklok_${name}`,
      help,
      labelNames: [label],
      registers: [this.registry],
      collect(this: Gauge<L>) {
        this.reset();
        for (const [value, number] of read()) this.set({ [label]: value } as Partial<Record<L, string>>, number);
      },
    });
  }

  histogram<L extends string>(name: string, help: string, labelNames: L[] = [], buckets?: number[]): Histogram<L> {
    return new Histogram({ name: `klimaklok_${name}`, help, labelNames, registers: [this.registry], ...(buckets ? { buckets } : {}) });
  }
}
