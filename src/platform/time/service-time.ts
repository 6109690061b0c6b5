import { addDays } from './calendar';
import { localDayStartMs } from './local-time';

// Reports ask for the same few month starts thousands of times (once per vehicle and month).
const dayStarts = new Map<string, number>();
const DAY_STARTS_KEPT = 100_000;

/** The instant a calendar day (YYYY-MM-DD) begins in a time zone. */
export function dayStart(day: string, timeZone: string): Date {
  const key = `${timeZone}|${day}`;
  let start = dayStarts.get(key);
  if (start === undefined) {
    if (dayStarts.size >= DAY_STARTS_KEPT) dayStarts.clear();
    start = localDayStartMs(day, timeZone);
    dayStarts.set(key, start);
  }
  return new Date(start);
}

/**
 * How much of a period [from, to) (calendar days in a time zone) has happened by `now`: a period
 * that has not ended yet is measured over its elapsed part (reports-v1 amendment 1.1).
 */
export function elapsedOf(from: string, to: string, now: Date, timeZone: string) {
  const start = dayStart(from, timeZone).getTime();
  const end = dayStart(to, timeZone).getTime();
  const elapsedEnd = Math.max(start, Math.min(end, now.getTime()));
  return {
    periodEndsAt: new Date(end).toISOString(),
    periodEnded: now.getTime() >= end,
    elapsedHours: (elapsedEnd - start) / 3_600_000,
  };
}

/**
 * Seconds of [from, to) that a vehicle was in service (from its first service day to the end of
 * its last, `inServiceTo` inclusive) and that have happened by `now`: the denominator of coverage.
 */
export function inServiceSeconds(service: { inServiceFrom: string; inServiceTo: string | null }, from: string, to: string, now: Date, timeZone: string): number {
  const first = service.inServiceFrom > from ? service.inServiceFrom : from;
  const afterLast = service.inServiceTo === null ? to : addDays(service.inServiceTo, 1) < to ? addDays(service.inServiceTo, 1) : to;
  if (first >= afterLast) return 0;
  const start = dayStart(first, timeZone).getTime();
  const end = Math.min(dayStart(afterLast, timeZone).getTime(), now.getTime());
  return Math.max(0, (end - start) / 1000);
}

/** Covered seconds over in-service seconds, at most 1; 0 when there was no in-service time. */
export function coverageOf(coveredSeconds: number, inServiceSecondsTotal: number): number {
  if (inServiceSecondsTotal <= 0) return 0;
  return Math.min(1, coveredSeconds / inServiceSecondsTotal);
}
