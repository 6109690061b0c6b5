import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';

/**
 * The time as the service's schedules see it (alert evaluation, scheduled deliveries). Injected
 * rather than read from Date.now() so that tests can stand a process at the turn of a month or
 * days after a device fell silent: in-process tests replace `now`, a separately started process
 * is shifted by TEST_CLOCK_OFFSET (tests and demos only; the ingest and the database keep the
 * real time).
 */
@Injectable()
export class Clock {
  private readonly offsetMs: number;

  constructor(@Optional() @Inject(APP_CONFIG) config?: AppConfig) {
    this.offsetMs = config?.testClockOffsetMs ?? 0;
    if (this.offsetMs !== 0) new Logger(Clock.name).warn({ offsetMs: this.offsetMs }, 'TEST_CLOCK_OFFSET: alerts and scheduled deliveries run on a shifted clock (tests and demos only)');
  }

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}
