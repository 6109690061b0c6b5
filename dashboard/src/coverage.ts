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
