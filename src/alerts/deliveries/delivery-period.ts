import { addMonths } from '../../platform/time/calendar';
import { localDay } from '../../platform/time/local-time';
import { dayStart } from '../../platform/time/service-time';

export interface MonthPeriod {
  /** YYYY-MM */
  period: string;
  /** First local day of the month, YYYY-MM-DD. */
  from: string;
  /** First local day of the next month: the report's exclusive end. */
  to: string;
  /** When the month's delivery is due: the start of the next month, local time. */
  dueAt: Date;
}

/** The last month that has ended at `now`, in the reports' time zone. */
export function lastEndedMonth(now: Date, timeZone: string): MonthPeriod {
  const today = localDay(now, timeZone);
  const to = `${today.slice(0, 7)}-01`;
  const from = addMonths(to, -1);
  return { period: from.slice(0, 7), from, to, dueAt: dayStart(to, timeZone) };
}
