import { Lang, lang } from './i18n';

/**
 * Numbers, dates and durations for the reader's language: bokmål (nb-NO) writes a decimal
 * comma and a (non-breaking) space as thousands separator, English (en-GB) the usual point and
 * comma. Times are shown in Europe/Oslo, the reporting time zone. Missing values show a dash.
 */
const LOCALES: Record<Lang, string> = { nb: 'nb-NO', en: 'en-GB' };
export const TIME_ZONE = 'Europe/Oslo';
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

// Made once per language: creating an Intl.DateTimeFormat costs far more than formatting with
// one (the live board's 2,000 rows spent seconds in it).
const dateTimeFormats = new Map<Lang, Intl.DateTimeFormat>();

export function formatDateTime(value: string | Date | null | undefined, language: Lang = lang()): string {
  if (!value) return MISSING;
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) return MISSING;
  let format = dateTimeFormats.get(language);
  if (!format) {
    format = new Intl.DateTimeFormat(LOCALES[language], { dateStyle: 'short', timeStyle: 'medium', timeZone: TIME_ZONE });
    dateTimeFormats.set(language, format);
  }
  return format.format(date);
}

/** A calendar day "YYYY-MM-DD" as the reader writes it (the day is already in the reporting time zone). */
export function formatDay(day: string, language: Lang = lang()): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Intl.DateTimeFormat(LOCALES[language], { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, d)));
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

/** Today's date "YYYY-MM-DD" in the reporting time zone, shifted by `days`. */
export function localDay(days = 0, now = new Date()): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  const [y, m, d] = parts.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

export function addDays(day: string, days: number): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** A month "YYYY-MM" as the reader writes it: "nov. 2026" / "Nov 2026". */
export function formatMonth(month: string, language: Lang = lang()): string {
  const [y, m] = month.split('-').map(Number);
  if (!y || !m) return month;
  return new Intl.DateTimeFormat(LOCALES[language], { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, 1)));
}

/** The month "YYYY-MM" shifted by `months`. */
export function addMonths(month: string, months: number): string {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1 + months, 1)).toISOString().slice(0, 7);
}

/**
 * Mass in the unit that suits the largest figure shown together: kg below 10 t, tonnes above,
 * so that a small group does not read "0,0 t" and a municipal fleet not seven-digit kilograms.
 */
export function massUnit(largestKg: number): { unit: string; divisor: number; digits: number } {
  return Math.abs(largestKg) >= 10_000 ? { unit: 't CO₂e', divisor: 1000, digits: 1 } : { unit: 'kg CO₂e', divisor: 1, digits: 1 };
}
