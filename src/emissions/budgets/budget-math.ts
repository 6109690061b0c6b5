/**
 * The climate budget's binding definitions (issue 19, docs/climate-budget.md), as pure functions
 * over monthly figures so that they can be checked by hand:
 *
 * - share_m = actual of month m of the previous year / actual of the previous year; 1/12 for
 *   every month when the previous year has no actual;
 * - monthly budget = annual budget x share_m;
 * - forecast at the end of month M = actual year-to-date + sum over the remaining months of
 *   (budget x share_m) x (actual year-to-date / budget year-to-date);
 * - status: forecast <= budget "on track"; <= 1.05 x budget "at risk"; else "off track".
 */

export const BUDGET_STATUSES = ['on_track', 'at_risk', 'off_track'] as const;
export type BudgetStatus = (typeof BUDGET_STATUSES)[number];

/** Tolerance of "at risk" over the budget. */
export const AT_RISK_FACTOR = 1.05;

/** The twelve monthly shares of a year from the previous year's monthly actuals (index 0 = January). */
export function monthlyShares(previousYear: readonly number[]): number[] {
  const total = previousYear.reduce((sum, kg) => sum + kg, 0);
  if (total <= 0) return Array.from({ length: 12 }, () => 1 / 12);
  return previousYear.map((kg) => kg / total);
}

export function statusOf(forecastKg: number, budgetKg: number): BudgetStatus {
  if (forecastKg <= budgetKg) return 'on_track';
  if (forecastKg <= AT_RISK_FACTOR * budgetKg) return 'at_risk';
  return 'off_track';
}

export interface BudgetMonth {
  /** 1..12. */
  month: number;
  budgetKg: number;
  /** Null for months after M. */
  actualKg: number | null;
  /** The month's expected figure: its actual up to M, budget x run rate after. Null when no forecast can be made. */
  forecastKg: number | null;
  cumulativeBudgetKg: number;
  cumulativeActualKg: number | null;
  cumulativeForecastKg: number | null;
}

export interface BudgetForecast {
  annualBudgetKg: number;
  /** The month whose end the forecast is made at (0: no month has ended, no forecast). */
  atEndOfMonth: number;
  actualToDateKg: number;
  budgetToDateKg: number;
  /** actual year-to-date / budget year-to-date; null when the budget to date is 0. */
  runRate: number | null;
  forecastKg: number | null;
  status: BudgetStatus | null;
  months: BudgetMonth[];
}

/**
 * The budget and forecast of a year from its annual budget, the previous year's and this year's
 * monthly actuals and the month M at whose end the forecast is made.
 */
export function budgetForecast(annualBudgetKg: number, previousYear: readonly number[], thisYear: readonly number[], atEndOfMonth: number): BudgetForecast {
  const shares = monthlyShares(previousYear);
  const budgets = shares.map((share) => annualBudgetKg * share);
  const budgetToDateKg = sum(budgets.slice(0, atEndOfMonth));
  const actualToDateKg = sum(thisYear.slice(0, atEndOfMonth));
  const runRate = atEndOfMonth > 0 && budgetToDateKg > 0 ? actualToDateKg / budgetToDateKg : null;
  const forecastKg = atEndOfMonth === 12 ? actualToDateKg : runRate === null ? null : actualToDateKg + sum(budgets.slice(atEndOfMonth)) * runRate;
  let cumulativeBudget = 0;
  let cumulativeActual = 0;
  let cumulativeForecast = 0;
  const months = budgets.map((budgetKg, i): BudgetMonth => {
    const past = i < atEndOfMonth;
    const actualKg = past ? thisYear[i] : null;
    const monthForecast = past ? thisYear[i] : runRate === null ? null : budgetKg * runRate;
    cumulativeBudget += budgetKg;
    if (past) cumulativeActual += thisYear[i];
    if (monthForecast !== null) cumulativeForecast += monthForecast;
    return {
      month: i + 1,
      budgetKg,
      actualKg,
      forecastKg: monthForecast,
      cumulativeBudgetKg: cumulativeBudget,
      cumulativeActualKg: past ? cumulativeActual : null,
      cumulativeForecastKg: monthForecast === null ? null : cumulativeForecast,
    };
  });
  return {
    annualBudgetKg,
    atEndOfMonth,
    actualToDateKg,
    budgetToDateKg,
    runRate,
    forecastKg,
    status: forecastKg === null ? null : statusOf(forecastKg, annualBudgetKg),
    months,
  };
}

/**
 * The year's forecast without a budget (for targets): the forecast above does not depend on the
 * annual figure, since budget_m is proportional to share_m: actual to date / share to date.
 */
export function forecastFromShares(previousYear: readonly number[], thisYear: readonly number[], atEndOfMonth: number): number | null {
  if (atEndOfMonth === 12) return sum(thisYear);
  const shareToDate = sum(monthlyShares(previousYear).slice(0, atEndOfMonth));
  if (atEndOfMonth === 0 || shareToDate <= 0) return null;
  return sum(thisYear.slice(0, atEndOfMonth)) / shareToDate;
}

/**
 * A what-if: vehicles replaced from a month on. In the forecast each vehicle carries its part of
 * the run rate (its actual to date / budget to date); from its replacement month on, the
 * replacement carries the candidate's figure for the same distance to date instead. Only months
 * after M change (months up to M are actuals).
 */
export interface Replacement {
  /** 1..12: the first month the candidate drives. */
  fromMonth: number;
  /** The replaced vehicle's actual to date (kg). */
  actualToDateKg: number;
  /** The candidate's kg for the vehicle's distance to date. */
  candidateToDateKg: number;
}

export function whatIfForecast(
  base: BudgetForecast,
  replacements: readonly Replacement[],
): { forecastKg: number | null; deltaKg: number | null; status: BudgetStatus | null; months: Array<{ month: number; forecastKg: number | null }> } {
  if (base.forecastKg === null || base.budgetToDateKg <= 0) return { forecastKg: null, deltaKg: null, status: null, months: base.months.map((m) => ({ month: m.month, forecastKg: null })) };
  const months = base.months.map((m) => {
    if (m.month <= base.atEndOfMonth) return { month: m.month, forecastKg: m.forecastKg };
    const change = replacements.filter((r) => r.fromMonth <= m.month).reduce((total, r) => total + (r.candidateToDateKg - r.actualToDateKg), 0);
    return { month: m.month, forecastKg: m.forecastKg! + (m.budgetKg * change) / base.budgetToDateKg };
  });
  const forecastKg = sum(months.map((m) => m.forecastKg!));
  return { forecastKg, deltaKg: forecastKg - base.forecastKg, status: statusOf(forecastKg, base.annualBudgetKg), months };
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
