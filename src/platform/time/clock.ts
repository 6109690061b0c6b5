import { Injectable } from '@nestjs/common';

/**
 * The time as the service's schedules see it. Injected rather than read from Date.now() so that
 * tests can stand a process at the turn of a month or days after a device fell silent.
 */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
