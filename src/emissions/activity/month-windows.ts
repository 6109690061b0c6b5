import { addDays, addMonths } from '../../platform/time/calendar';

/** Month windows of YYYY-MM-DD days (calendar dates, no time zone). */
export function monthStart(day: string): string {
  return `${day.slice(0, 7)}-01`;
}

/** The whole months inside [from, to): [first day of the first, first day after the last); null when none. */
export function wholeMonths(from: string, to: string): { from: string; to: string } | null {
  const first = from === monthStart(from) ? from : addMonths(monthStart(from), 1);
  const end = monthStart(to);
  return first < end ? { from: first, to: end } : null;
}

/**
 * The months of `window` in which a vehicle is in service for part of the month only (it enters
 * after the 1st or leaves before the last day): those are summed from daily rollups, the others
 * from monthly sums. Ranges are [from, to) day ranges.
 */
export function partialServiceMonths(inServiceFrom: string, inServiceTo: string | null, window: { from: string; to: string }): Array<{ from: string; to: string }> {
  const months = new Set<string>();
  if (inServiceFrom !== monthStart(inServiceFrom)) months.add(monthStart(inServiceFrom));
  if (inServiceTo !== null && addDays(inServiceTo, 1) !== addMonths(monthStart(inServiceTo), 1)) months.add(monthStart(inServiceTo));
  return [...months].filter((month) => month >= window.from && month < window.to).map((month) => ({ from: month, to: addMonths(month, 1) }));
}
