import { DateTime } from 'luxon';

/** Calendar arithmetic on YYYY-MM-DD days, through Luxon: no time zone involved. */

const parse = (day: string) => DateTime.fromISO(day, { zone: 'utc' });

/** The day `days` after (or before, when negative) `day`. */
export function addDays(day: string, days: number): string {
  return parse(day).plus({ days }).toISODate()!;
}

/** The same day `months` later; a day the month lacks becomes its last day. */
export function addMonths(day: string, months: number): string {
  return parse(day).plus({ months }).toISODate()!;
}

/** The same day `years` later; 29 February becomes 28 February in a year without it. */
export function addYears(day: string, years: number): string {
  return parse(day).plus({ years }).toISODate()!;
}
