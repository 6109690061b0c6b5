import { Schemas } from '../api-types';
import { ApiClient, ClimateBudget, ElectrificationPlan } from '../api-client';
import { coverageText } from '../coverage';
import { Drawn, barChart } from '../charts';
import { emptyState, h, table, wrappedTable } from '../dom';
import { formatMonth, formatNumber, formatQuantity, localDay } from '../format';
import { MessageKey, isMessageKey, label, t } from '../i18n';
import { saveFile } from './view';

type Kg = (value: number | null | undefined) => string;

/**
 * The climate budget of the whole fleet for a year (the yearly trend against the budget, budget
 * vs actual per month, the forecast, status, targets and, with the newest plan, its forecast
 * beside today's) and the
 * electrification plan (verdicts with reasons), for the climate view. No budget is not an error:
 * the section says so (asked of the newest budget set, so that no report is requested to fail).
 */
export async function budgetSections(client: ApiClient, year: number, kg: Kg, scaled: (v: number) => number, unit: string, keep: (drawn: Drawn) => HTMLElement) {
  const [set, plans] = await Promise.all([client.latestBudgetSet(), client.plans()]);
  const newest = plans[plans.length - 1];
  const fleetBudgets = set?.budgets.filter((b) => b.scope === 'fleet') ?? [];
  const budgeted = fleetBudgets.find((b) => b.fromYear <= year && year <= b.toYear);
  const [budget, plan, trend] = await Promise.all([
    budgeted ? client.climateBudget({ year, plan: newest?.id }) : Promise.resolve(null),
    client.electrificationPlan({ asOf: planAsOf(year) }),
    budgeted ? yearlyTrend(client, fleetBudgets, fleetTargets(set), budgeted.boundary) : Promise.resolve(null),
  ]);
  return { budget: [...(trend ? trendPart(trend, kg, scaled, unit, keep) : []), ...budgetPart(client, budget, year, kg, scaled, unit, keep)], plan: planPart(plan) };
}

const TREND_YEARS = 12;

type FleetBudget = Schemas['Budget'];

type Target = Schemas['Target'];

/** The fleet's targets in kg: absolute ones and changes against a base year (shares are not kg). */
function fleetTargets(set: object | null): Target[] {
  const targets = (set as { targets?: Target[] } | null)?.targets ?? [];
  return targets.filter((target) => target.scope === 'fleet' && (target.kind === 'absolute' || target.kind === 'change'));
}

/**
 * The fleet's actual emissions per year (in the budget's boundary) from the first budget year, or
 * the last twelve years, to this year, beside each year's budget.
 */
async function yearlyTrend(client: ApiClient, budgets: FleetBudget[], targets: Target[], boundary: 'ttw' | 'wtw') {
  const thisYear = Number(localDay().slice(0, 4));
  const first = Math.max(Math.min(...budgets.map((b) => b.fromYear)), thisYear - TREND_YEARS + 1);
  const report = await client.emissions({ from: `${first}-01-01`, to: `${thisYear + 1}-01-01`, groupBy: 'month', boundary });
  const years = Array.from({ length: thisYear - first + 1 }, (_, i) => first + i);
  const actualOf = (y: number) => report.rows.filter((r) => r.group.startsWith(`${y}-`)).reduce((sum, r) => sum + r.actualKg, 0);
  // A target's kg in its year: its maximum, or its base year's actual changed by its percentage
  // (drawn only when the base year is on the chart, as the report computes it from that actual).
  const targetKg = (y: number) => {
    const target = targets.find((x) => x.year === y && x.boundary === boundary && (x.kind === 'absolute' || years.includes(x.baseYear!)));
    if (!target) return null;
    return target.kind === 'absolute' ? target.maxKg : actualOf(target.baseYear!) * (1 + target.changePct! / 100);
  };
  return years.map((y) => ({
    year: y,
    actualKg: actualOf(y),
    budgetKg: budgets.find((b) => b.fromYear <= y && y <= b.toYear && b.boundary === boundary)?.annualKg ?? null,
    targetKg: targetKg(y),
  }));
}

function trendPart(
  trend: Array<{ year: number; actualKg: number; budgetKg: number | null; targetKg: number | null }>,
  kg: Kg,
  scaled: (v: number) => number,
  unit: string,
  keep: (drawn: Drawn) => HTMLElement,
): Node[] {
  const labels = trend.map((row) => String(row.year));
  const targeted = trend.some((row) => row.targetKg !== null);
  return [
    keep(
      barChart(
        t('budget.trendChart'),
        labels,
        [
          { label: t('budget.actual'), values: trend.map((row) => scaled(row.actualKg)) },
          { label: t('budget.budget'), values: trend.map((row) => (row.budgetKg === null ? null : scaled(row.budgetKg))), type: 'line' },
          ...(targeted ? [{ label: t('budget.targetLine'), values: trend.map((row) => (row.targetKg === null ? null : scaled(row.targetKg))), type: 'line' as const }] : []),
        ],
        unit,
      ),
    ),
    h(
      'details',
      {},
      h('summary', {}, t('budget.trendTable')),
      table(
        t('budget.trendChart'),
        [{ text: t('climate.year') }, { text: t('budget.actual'), numeric: true }, { text: t('budget.budget'), numeric: true }, ...(targeted ? [{ text: t('budget.targetLine'), numeric: true }] : [])],
        trend.map((row) =>
          h(
            'tr',
            { 'data-year': String(row.year) },
            h('th', { scope: 'row' }, String(row.year)),
            h('td', { class: 'num' }, kg(row.actualKg)),
            h('td', { class: 'num' }, kg(row.budgetKg)),
            ...(targeted ? [h('td', { class: 'num', 'data-figure': 'targetKg' }, kg(row.targetKg))] : []),
          ),
        ),
      ),
    ),
  ];
}

const statusText = (status: string | null) => (status === null ? '–' : t(`budget.status.${status}` as MessageKey));

function budgetPart(client: ApiClient, report: ClimateBudget | null, year: number, kg: Kg, scaled: (v: number) => number, unit: string, keep: (drawn: Drawn) => HTMLElement): Node[] {
  if (!report) return [emptyState(t('budget.none', { year }))];
  const { totals } = report;
  const fact = (term: string, value: string, key: string) => [h('dt', {}, term), h('dd', { 'data-figure': key }, value)];
  const labels = report.months.map((m) => formatMonth(m.month));
  const future = (i: number) => i + 1 > report.atEndOfMonth;
  const nodes: Node[] = [
    h(
      'dl',
      { class: 'facts', id: 'budget-totals' },
      ...fact(t('budget.annual'), kg(totals.annualBudgetKg), 'budgetKg'),
      ...fact(t('budget.actualToDate'), kg(totals.actualToDateKg), 'budgetActualKg'),
      ...fact(t('budget.forecast'), kg(totals.forecastKg), 'forecastKg'),
      ...fact(t('budget.status'), statusText(totals.status), 'budgetStatus'),
      h('dt', {}, t('climate.coverage')),
      h('dd', { 'data-figure': 'budgetCoverage' }, coverageText(totals.coverage, true)),
    ),
    h('p', { class: 'note' }, t('budget.atEnd', { month: report.atEndOfMonth, version: report.budgetSetVersion, boundary: report.boundary })),
  ];
  if (report.whatIf) {
    nodes.push(h('p', { id: 'budget-what-if' }, t('budget.whatIf', { name: report.whatIf.planName, forecast: kg(report.whatIf.forecastKg), status: statusText(report.whatIf.status) })));
  }
  nodes.push(
    keep(
      barChart(
        t('budget.chart'),
        labels,
        [
          // Same order, so the same colours, as the trend chart: actual, budget, then the forecast.
          { label: t('budget.actual'), values: report.months.map((m) => (m.actualKg === null ? null : scaled(m.actualKg))), stack: 'a' },
          { label: t('budget.budget'), values: report.months.map((m) => scaled(m.budgetKg)), type: 'line' },
          { label: t('budget.forecastMonth'), values: report.months.map((m, i) => (future(i) && m.forecastKg !== null ? scaled(m.forecastKg) : null)), stack: 'a' },
        ],
        unit,
      ),
    ),
    wrappedTable(
      t('budget.heading', { year }),
      [
        { text: t('col.month') },
        { text: t('budget.budget'), numeric: true },
        { text: t('budget.actual'), numeric: true },
        { text: t('budget.forecastMonth'), numeric: true },
        { text: t('climate.coverage'), numeric: true },
      ],
      report.months.map((m, i) =>
        h(
          'tr',
          { 'data-month': m.month },
          h('th', { scope: 'row' }, labels[i]),
          h('td', { class: 'num' }, kg(m.budgetKg)),
          h('td', { class: 'num' }, kg(m.actualKg)),
          h('td', { class: 'num' }, kg(m.forecastKg)),
          h('td', { class: 'num' }, future(i) ? '' : coverageText(m.coverage, false)),
        ),
      ),
    ),
  );
  const status = h('div', { 'aria-live': 'polite' });
  nodes.push(
    h(
      'p',
      {},
      `${t('climate.exportBudget')}: `,
      ...(['xlsx', 'csv'] as const).flatMap((format) => [
        h(
          'button',
          {
            type: 'button',
            'data-export': `reports/climate-budget:${format}`,
            onclick: () => void saveFile(client, status, 'reports/climate-budget', { year, format }, `klimabudsjett-${year}.${format}`),
          },
          format.toUpperCase(),
        ),
        ' ',
      ]),
    ),
    status,
  );
  if (report.targets.length > 0) {
    nodes.push(
      h('h3', {}, t('budget.targets')),
      h('ul', { id: 'budget-targets' }, ...report.targets.map((target) => h('li', { 'data-target-status': target.status }, `${target.name}: ${t(`target.${target.status}` as MessageKey)}`))),
    );
  }
  return nodes;
}

/** A plan row, with the figures its reason is worded from (beside `reasonCode`). */
type PlanRow = ElectrificationPlan['rows'][number];

/**
 * The verdict's reason in the UI's language, from the API's stable reason code and the row's own
 * figures (rounded as the API's English text is); the API's text when the code is unknown.
 */
export function reasonText(row: PlanRow): string {
  const key = `plan.reason.${row.reasonCode}`;
  if (!isMessageKey(key)) return row.reason;
  const one = (value: number | null) => formatNumber(value === null ? null : Math.round(value * 10) / 10, 1);
  return t(key, {
    p95: one(row.p95DailyKm),
    range: one(row.winterRangeKm),
    candidate: row.candidateName ?? '–',
    dwell: one(row.overnightDwellHours),
    needed: one(row.hoursNeeded),
    kw: formatNumber(row.chargerKw, 1),
    days: row.daysAboveWinterRange,
  });
}

function planPart(report: ElectrificationPlan): Node[] {
  if (report.rows.length === 0) return [emptyState(t('plan.none'))];
  return [
    wrappedTable(
      t('plan.heading'),
      [
        { text: t('plan.rank'), numeric: true },
        { text: t('fleet.registration') },
        { text: t('col.class') },
        { text: t('plan.verdict') },
        { text: t('plan.reason') },
        { text: t('plan.p95'), numeric: true },
        { text: t('plan.candidate') },
        { text: t('plan.avoided'), numeric: true },
      ],
      report.rows.map((row) =>
        h(
          'tr',
          { 'data-verdict': row.verdict },
          h('td', { class: 'num' }, String(row.rank)),
          h('th', { scope: 'row' }, row.registration),
          h('td', {}, label('class', row.vehicleClass)),
          h('td', {}, t(`plan.verdict.${row.verdict}` as MessageKey)),
          h('td', {}, reasonText(row)),
          h('td', { class: 'num' }, formatQuantity(row.p95DailyKm, 'km', 0)),
          h('td', {}, row.candidateName ?? '–'),
          h('td', { class: 'num' }, formatQuantity(row.avoidedTtwKgPerYear, 'kg', 0)),
        ),
      ),
    ),
  ];
}

/** The plan of a past year is made as of its end (from its own last twelve months); of this year, as of today. */
export function planAsOf(year: number): string | undefined {
  const end = `${year + 1}-01-01`;
  return end <= localDay() ? end : undefined;
}
