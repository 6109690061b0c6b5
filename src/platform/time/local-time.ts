import { DateTime } from 'luxon';

/**
 * Local (wall-clock) time in a time zone, through Luxon. Luxon alone resolves a time in the
 * autumn's repeated hour by the offset in force when the code runs (so the answer would change
 * between summer and winter); every wall-clock conversion goes through `wallClockInstant`, which
 * chooses explicitly.
 */

/** Which instant of the autumn's repeated hour a wall-clock time means. */
export type RepeatedHour = 'earlier' | 'later';

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour?: number;
  minute?: number;
  second?: number;
}

/**
 * The instant (ms since the epoch) of a wall-clock time in a time zone. A time in the spring's
 * skipped hour is moved forward by the gap; in the autumn's repeated hour `repeated` chooses.
 */
export function wallClockInstant(wall: WallClock, timeZone: string, repeated: RepeatedHour = 'earlier'): number {
  const local = DateTime.fromObject(wall, { zone: timeZone });
  if (!local.isValid) throw new RangeError(`${JSON.stringify(wall)} in ${timeZone}: ${local.invalidExplanation}`);
  // getPossibleOffsets: one candidate, or two (earlier first) in the repeated hour.
  const candidates = local.getPossibleOffsets();
  if (candidates.length === 0) return local.toMillis();
  return (repeated === 'earlier' ? candidates[0] : candidates[candidates.length - 1]).toMillis();
}

/**
 * The instant of a wall-clock time in a time zone. In the autumn's repeated hour the first
 * (summer-time) instant is taken; a time in the spring's skipped hour is moved forward by the gap.
 */
export function localToInstant(year: number, month: number, day: number, hour: number, minute: number, second: number, timeZone: string): Date {
  return new Date(wallClockInstant({ year, month, day, hour, minute, second }, timeZone));
}

/** The calendar day (YYYY-MM-DD) of an instant in a time zone. */
export function localDay(instant: Date | number, timeZone: string): string {
  return DateTime.fromMillis(typeof instant === 'number' ? instant : instant.getTime(), { zone: timeZone }).toISODate()!;
}

/** The instant (ms) a calendar day (YYYY-MM-DD) begins in a time zone. */
export function localDayStartMs(day: string, timeZone: string): number {
  return wallClockInstant(calendarDay(day), timeZone);
}

/** A YYYY-MM-DD string as year, month and day (not validated: callers hold well-formed days). */
export function calendarDay(day: string): WallClock {
  return { year: Number(day.slice(0, 4)), month: Number(day.slice(5, 7)), day: Number(day.slice(8, 10)) };
}
