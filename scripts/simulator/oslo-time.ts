import { calendarDay, localDayStartMs, wallClockInstant } from '../../src/platform/time/local-time';

/**
 * Dates and local time in Bærum (Europe/Oslo, the municipality the simulator plays): reports cut
 * years and days in the report time zone, so the simulated working day follows Oslo's wall clock.
 * Conversions go through Luxon's time-zone data, never through the process time zone, so the
 * output does not depend on the machine the simulator runs on.
 */

/** The simulated municipality's time zone. */
export const SIMULATED_TIME_ZONE = 'Europe/Oslo';

/** A calendar date, `YYYY-MM-DD`. */
export type IsoDate = string;

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function parseIsoDate(text: string): IsoDate | null {
  const match = ISO_DATE.exec(text);
  if (!match) return null;
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return new Date(ms).toISOString().slice(0, 10) === text ? text : null;
}

// Date strings and day numbers (days since 1970-01-01) are converted through caches: the
// simulator walks tens of thousands of device-days, and parsing dates showed up in profiles.
const dayNumbers = new Map<IsoDate, number>();
const isoDates = new Map<number, IsoDate>();

/** Days since 1970-01-01. */
export function dayNumber(date: IsoDate): number {
  let day = dayNumbers.get(date);
  if (day === undefined) {
    day = Math.round(Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / DAY);
    dayNumbers.set(date, day);
  }
  return day;
}

export function isoOfDay(day: number): IsoDate {
  let date = isoDates.get(day);
  if (date === undefined) {
    date = new Date(day * DAY).toISOString().slice(0, 10);
    isoDates.set(day, date);
  }
  return date;
}

export const addDays = (date: IsoDate, days: number): IsoDate => isoOfDay(dayNumber(date) + days);
export const daysBetween = (from: IsoDate, to: IsoDate): number => dayNumber(to) - dayNumber(from);
/** 0 = Sunday ... 6 = Saturday (1970-01-01 was a Thursday). */
export const dayOfWeek = (date: IsoDate): number => (dayNumber(date) + 4) % 7;
export const dayOfYear = (date: IsoDate): number => daysBetween(`${date.slice(0, 4)}-01-01`, date) + 1;

/**
 * The instant of a wall-clock time in Oslo (minutes after local midnight; may exceed 24 h). In the
 * autumn's repeated hour the later (winter-time) instant is taken, as the simulator always has;
 * a time in the spring's skipped hour is moved forward by the gap.
 */
export function osloTime(date: IsoDate, minutesOfDay: number): number {
  // The wall clock read as if it were UTC; minutes are fractional, so whole days and minutes are
  // split off in ms rather than passed to Luxon.
  const wall = dayNumber(date) * DAY + minutesOfDay * MINUTE;
  const wallDay = Math.floor(wall / DAY);
  const midnight = osloMidnight(isoOfDay(wallDay));
  // The simulator asks for millions of times: on a day of 24 hours (all but two a year) the offset
  // is the one at its midnight, which needs only the cached midnights.
  if (osloMidnight(isoOfDay(wallDay + 1)) - midnight === DAY) return wall - (wallDay * DAY - midnight);
  const intoDay = wall - wallDay * DAY;
  const wholeMinutes = Math.floor(intoDay / MINUTE);
  const hour = Math.floor(wholeMinutes / 60);
  const start = wallClockInstant({ ...calendarDay(isoOfDay(wallDay)), hour, minute: wholeMinutes - hour * 60 }, SIMULATED_TIME_ZONE, 'later');
  return start + (intoDay - wholeMinutes * MINUTE);
}

/** The Oslo calendar date of an instant: the UTC date or one of its neighbours. */
export function osloDateOf(utcMs: number): IsoDate {
  const utcDate = isoOfDay(Math.floor(utcMs / DAY));
  const next = addDays(utcDate, 1);
  if (osloMidnight(next) <= utcMs) return next;
  return osloMidnight(utcDate) <= utcMs ? utcDate : addDays(utcDate, -1);
}

const two = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** RFC 3339 in UTC, whole seconds (the simulator never produces fractions). */
export function formatTs(utcMs: number): string {
  const day = Math.floor(utcMs / DAY);
  const seconds = Math.floor((utcMs - day * DAY) / 1000);
  return `${isoOfDay(day)}T${two(Math.floor(seconds / 3600))}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}Z`;
}

/** Easter Sunday (anonymous Gregorian algorithm). */
function easterSunday(year: number): IsoDate {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

const holidayCache = new Map<number, Set<IsoDate>>();

/** Norwegian public holidays (helligdager and 1 and 17 May) of a year. */
export function norwegianHolidays(year: number): Set<IsoDate> {
  let holidays = holidayCache.get(year);
  if (!holidays) {
    const easter = easterSunday(year);
    holidays = new Set([
      `${year}-01-01`,
      addDays(easter, -3), // Maundy Thursday
      addDays(easter, -2), // Good Friday
      easter,
      addDays(easter, 1),
      `${year}-05-01`,
      `${year}-05-17`,
      addDays(easter, 39), // Ascension
      addDays(easter, 49), // Whit Sunday
      addDays(easter, 50), // Whit Monday
      `${year}-12-25`,
      `${year}-12-26`,
    ]);
    holidayCache.set(year, holidays);
  }
  return holidays;
}

/** Monday to Friday and not a public holiday: the municipal fleet drives on working days only. */
export function isWorkingDay(date: IsoDate): boolean {
  const weekday = dayOfWeek(date);
  return weekday !== 0 && weekday !== 6 && !norwegianHolidays(Number(date.slice(0, 4))).has(date);
}

const midnights = new Map<IsoDate, number>();

/** Local midnight starting `date` (cached: asked for per device and day). */
export function osloMidnight(date: IsoDate): number {
  let start = midnights.get(date);
  if (start === undefined) {
    start = localDayStartMs(date, SIMULATED_TIME_ZONE);
    midnights.set(date, start);
  }
  return start;
}
