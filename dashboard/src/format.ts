import { DateTime } from 'luxon';
import { Lang, lang } from './i18n';

/**
 * Numbers, dates and durations for the reader's language: bokmål (nb-NO) writes a decimal
 * comma and a (non-breaking) space as thousands separator, English (en-GB) the usual point and
 * comma. Times are shown in the service's report time zone (REPORT_TIME_ZONE, learnt from
 * GET /api/v1/me at sign-in), whatever the browser's. Missing values show a dash.
 */
const LOCALES: Record<Lang, string> = { nb: 'nb-NO', en: 'en-GB' };
let reportTimeZone = 'UTC';
const NBSP = '\u00a0';
export const MISSING = '–';

const numberFormats = new Map<string, Intl.NumberFormat>();

function numberFormat(digits: number, language: Lang): Intl.NumberFormat {
  const key = `${language}:${digits}`;
  let format = numberFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(LOCALES[language], { minimumFractionDigits: digits, maximumFractionDigits: digits });
    numberFormats.set(key, format);
  }
  return format;
}

export function formatNumber(value: number | null | undefined, digits = 0, language: Lang = lang()): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return MISSING;
  return numberFormat(digits, language).format(value);
}

/** A quantity with its unit, kept on one line: "12 345,6 km". */
export function formatQuantity(value: number | null | undefined, unit: string, digits = 0, language: Lang = lang()): string {
  const number = formatNumber(value, digits, language);
  return number === MISSING ? MISSING : `${number}${NBSP}${unit}`;
}

/** A percentage given as 0..100: "81,5 %" (Norwegian writes a space before the sign), "81.5%". */
export function formatPercent(value: number | null | undefined, digits = 0, language: Lang = lang()): string {
  const number = formatNumber(value, digits, language);
  if (number === MISSING) return MISSING;
  return language === 'nb' ? `${number}${NBSP}%` : `${number}%`;
}

/** The time zone the service cuts report days in; set once the signed-in key's /me answered. */
export function setReportTimeZone(timeZone: string): void {
  reportTimeZone = timeZone;
}

const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();

/** A date and time in the report time zone: one formatter per language and zone, kept (the board formats its rows' times on every redraw). */
export function formatDateTime(value: string | Date | null | undefined, language: Lang = lang()): string {
  if (!value) return MISSING;
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) return MISSING;
  const key = `${language}:${reportTimeZone}`;
  let format = dateTimeFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(LOCALES[language], { dateStyle: 'short', timeStyle: 'medium', timeZone: reportTimeZone });
    dateTimeFormats.set(key, format);
  }
  return format.format(date);
}

/** A calendar day "YYYY-MM-DD" (no time zone), as a Luxon date for formatting and arithmetic. */
const calendarDay = (day: string) => DateTime.fromISO(day, { zone: 'utc' });

/** A calendar day "YYYY-MM-DD" as the reader writes it (the day is already in the reporting time zone). */
export function formatDay(day: string, language: Lang = lang()): string {
  return calendarDay(day).setLocale(LOCALES[language]).toLocaleString({ day: '2-digit', month: '2-digit', year: 'numeric' });
}

/** "1 t 05 min" / "1 h 05 min"; under an hour "12 min". */
export function formatDuration(seconds: number | null | undefined, language: Lang = lang()): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return MISSING;
  const minutes = Math.round(seconds / 60);
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  const h = language === 'nb' ? 't' : 'h';
  return hours > 0 ? `${hours}${NBSP}${h} ${String(rest).padStart(2, '0')}${NBSP}min` : `${rest}${NBSP}min`;
}

/** Today's date "YYYY-MM-DD" in the reporting time zone (or the date of `now`), shifted by `days`. */
export function localDay(days = 0, now = new Date()): string {
  return DateTime.fromJSDate(now, { zone: reportTimeZone }).plus({ days }).toISODate()!;
}

/** The instant the calendar day "YYYY-MM-DD" begins in the reporting time zone. */
export function dayStart(day: string): Date {
  return DateTime.fromISO(day, { zone: reportTimeZone }).toJSDate();
}

export function addDays(day: string, days: number): string {
  return calendarDay(day).plus({ days }).toISODate()!;
}

/** A month "YYYY-MM" as the reader writes it: "nov. 2026" / "Nov 2026". */
export function formatMonth(month: string, language: Lang = lang()): string {
  const first = DateTime.fromFormat(month, 'yyyy-MM', { zone: 'utc' });
  if (!first.isValid) return month;
  return first.setLocale(LOCALES[language]).toLocaleString({ month: 'short', year: 'numeric' });
}

/** The month "YYYY-MM" shifted by `months`. */
export function addMonths(month: string, months: number): string {
  return DateTime.fromFormat(month, 'yyyy-MM', { zone: 'utc' }).plus({ months }).toFormat('yyyy-MM');
}

/**
 * Mass in the unit that suits the largest figure shown together: kg below 10 t, tonnes above,
 * so that a small group does not read "0,0 t" and a municipal fleet not seven-digit kilograms.
 */
export function massUnit(largestKg: number): { unit: string; divisor: number; digits: number } {
  return Math.abs(largestKg) >= 10_000 ? { unit: 't CO₂e', divisor: 1000, digits: 1 } : { unit: 'kg CO₂e', divisor: 1, digits: 1 };
}
