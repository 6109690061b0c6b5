import { h } from './dom';
import { formatPercent } from './format';
import { t } from './i18n';

/**
 * The latest year whose coverage (reports-v1 amendment 1.1) reaches `threshold`, from month rows
 * of an emissions report: a year's coverage is its months' weighted by in-service time. Null when
 * no year reaches it.
 */
export function latestYearCovered(months: Array<{ group: string; coverage: number; inServiceHours: number }>, threshold: number): number | null {
  const years = new Map<number, { covered: number; hours: number }>();
  for (const row of months) {
    const year = Number(row.group.slice(0, 4));
    const sum = years.get(year) ?? { covered: 0, hours: 0 };
    sum.covered += row.coverage * row.inServiceHours;
    sum.hours += row.inServiceHours;
    years.set(year, sum);
  }
  const covered = [...years.entries()].filter(([, sum]) => sum.hours > 0 && sum.covered / sum.hours >= threshold).map(([year]) => year);
  return covered.length === 0 ? null : Math.max(...covered);
}

/** Below this coverage a figure says it is partly modelled (reports-v1 amendment 1.1). */
export const COVERAGE_WARNING = 0.9;
/** A view opens on the latest period with at least this coverage. */
export const COVERAGE_TO_OPEN = 0.5;

/** Coverage as a percentage, with the warning in words (and colour) below 0.9; `long` for a total, short in a table. */
export function coverageText(value: number, long: boolean): HTMLElement {
  const low = value < COVERAGE_WARNING;
  const warning = low ? ` – ${t(long ? 'climate.coverageLow' : 'climate.coverageLowShort')}` : '';
  return h('span', { class: low ? 'coverage-low' : 'coverage', 'data-coverage': value }, `${formatPercent(value * 100, 1)}${warning}`);
}

/**
 * The last day before `today` on which a vehicle can have covered data: the earlier of the day of
 * its last sample and its last day in service. Null when that is today or later, or unknown (no
 * sample and no end of service): then no earlier period is worth trying.
 */
export function lastDataDayBefore(today: string, lastSampleDay: string | null, inServiceTo: string | null): string | null {
  const candidates = [lastSampleDay, inServiceTo].filter((day): day is string => day !== null);
  if (candidates.length === 0) return null;
  const last = candidates.reduce((a, b) => (a < b ? a : b));
  return last < today ? last : null;
}
