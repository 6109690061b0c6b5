import { ApiClient, EmissionsChange, EmissionsReport, FleetKpis } from '../api-client';
import { QueryOf } from '../api-types';
import { COVERAGE_TO_OPEN, coverageText, latestYearCovered } from '../coverage';
import { Drawn, barChart, waterfallChart } from '../charts';
import { emptyState, field, filtersForm, h, table, wrappedTable } from '../dom';
import { formatMonth, formatNumber, formatPercent, formatQuantity, massUnit } from '../format';
import { label, t } from '../i18n';
import { budgetSections, planAsOf } from './climate-budget';
import { ViewCleanup, ViewContext, loadError, saveFile } from './view';

const CLASSES = ['passenger_car', 'van', 'truck', 'other'] as const;

// Kept across visits; `picked` once the year was chosen (by the user or by coverage).
const chosen = { year: new Date().getFullYear() - 1, baseYear: new Date().getFullYear() - 2, vehicleClass: '', picked: false };

const YEARS_LOOKED_BACK = 10;

/** The latest of the last ten years (this one included) whose coverage is at least 0.5, from one report by month. */
async function latestCoveredYear(client: ApiClient): Promise<number | null> {
  const thisYear = new Date().getFullYear();
  const report = await client.emissions({ from: `${thisYear - YEARS_LOOKED_BACK + 1}-01-01`, to: `${thisYear + 1}-01-01`, groupBy: 'month' });
  return latestYearCovered(report.rows, COVERAGE_TO_OPEN);
}

/**
 * The climate office's figures (reports-v1 through src/emissions): the year by month (actual and
 * avoided stacked to the baseline) and by vehicle class, the change from the base year with its
 * LMDI decomposition as a waterfall (activity, technology, emission factor), the zero-emission
 * share of the fleet, the climate budget with its forecast and the electrification plan (issue
 * 19), and the exports (CSV / XLSX of each report, fetched with the key). Masses
 * are shown in kg or tonnes by the size of the year's figures; every chart has a table beside it.
 */
export function climateView(main: HTMLElement, { client }: ViewContext): ViewCleanup {
  document.title = `${t('climate.heading')} – ${t('app.title')}`;
  const destroyers: Array<() => void> = [];
  let stopped = false;
  const yearInput = h('input', { id: 'climate-year', type: 'number', min: 2000, max: 2100, value: chosen.year, required: true });
  const baseInput = h('input', { id: 'climate-base-year', type: 'number', min: 2000, max: 2100, value: chosen.baseYear, required: true });
  const classSelect = h(
    'select',
    { id: 'climate-class' },
    h('option', { value: '' }, t('climate.wholeFleet')),
    ...CLASSES.map((c) => h('option', { value: c, selected: chosen.vehicleClass === c }, label('class', c))),
  );
  const content = h('div', {}, h('p', {}, t('app.loading')));
  // The first visit's choice of year must not overwrite what the user is typing (before submitting).
  let edited = false;
  main.append(
    h('h1', {}, t('climate.heading')),
    filtersForm(
      {
        oninput: () => {
          edited = true;
        },
      },
      () => {
        chosen.year = Number(yearInput.value);
        chosen.baseYear = Number(baseInput.value);
        chosen.vehicleClass = classSelect.value;
        chosen.picked = true;
        void load();
      },
      field('climate-year', t('climate.year'), yearInput),
      field('climate-base-year', t('climate.baseYear'), baseInput),
      field('climate-class', t('climate.class'), classSelect),
      h('button', { type: 'submit' }, t('vehicle.show')),
    ),
    content,
  );

  const section = (id: string, title: string, ...body: Node[]) => h('section', { 'aria-labelledby': id }, h('h2', { id }, title), ...body);
  const keep = (drawn: Drawn) => (destroyers.push(drawn.destroy), drawn.figure);

  // Only the newest load may draw: an earlier one (the first visit's, or a slow one) that answers
  // after the user chose another year would otherwise put the other year's figures on the page.
  let generation = 0;
  async function load() {
    const mine = ++generation;
    const current = () => !stopped && mine === generation;
    for (const destroy of destroyers.splice(0)) destroy();
    content.replaceChildren(h('p', {}, t('app.loading')));
    if (!chosen.picked) {
      // First visit: the latest year whose figures mostly rest on measured data.
      const covered = await latestCoveredYear(client).catch(() => null);
      // The user may have chosen a year meanwhile: that choice has its own load.
      if (!current() || chosen.picked) return;
      if (covered !== null) Object.assign(chosen, { year: covered, baseYear: covered - 1 });
      chosen.picked = true;
      if (!edited) {
        yearInput.value = String(chosen.year);
        baseInput.value = String(chosen.baseYear);
      }
    }
    const { year, baseYear } = chosen;
    // The select offers the API's vehicle classes only.
    const vehicleClass = (chosen.vehicleClass || undefined) as QueryOf<'/api/v1/reports/emissions/change'>['vehicleClass'];
    const from = `${year}-01-01`;
    const to = `${year + 1}-01-01`;
    try {
      const [byMonth, byClass, change, kpis] = await Promise.all([
        client.emissions({ from, to, groupBy: 'month' }),
        client.emissions({ from, to, groupBy: 'vehicleClass' }),
        baseYear === year ? Promise.resolve(null) : client.emissionsChange({ baseYear, year, vehicleClass }),
        client.fleetKpis({ year }),
      ]);
      if (!current()) return;
      const largest = Math.max(byMonth.total.baselineKg, byMonth.total.actualKg, change?.baseKg ?? 0, change?.currentKg ?? 0);
      const mass = massUnit(largest);
      const kg = (value: number | null | undefined) => formatQuantity(value === null || value === undefined ? value : value / mass.divisor, mass.unit, mass.digits);
      const scaled = (value: number) => value / mass.divisor;

      const budget = await budgetSections(client, year, kg, scaled, mass.unit, keep);
      if (!current()) return;
      content.replaceChildren(
        section('climate-summary', `${t('climate.summary')} ${year}`, ...summary(byMonth, kpis, kg)),
        section('climate-budget', t('budget.heading', { year }), ...budget.budget),
        section('climate-plan', t('plan.heading'), ...budget.plan),
        section('climate-month', t('climate.byMonth'), ...monthly(byMonth, kg, scaled, mass.unit)),
        section('climate-class', t('climate.byClass'), ...classes(byClass, kg, scaled, mass.unit)),
        section('climate-change', t('climate.change'), ...changePart(change, kg, scaled, mass.unit)),
        section('climate-zero', t('climate.zeroShare'), ...zeroShare(kpis)),
        section('climate-exports', t('climate.exports'), ...exports(year, baseYear, vehicleClass)),
      );
    } catch (error) {
      if (current()) content.replaceChildren(loadError(error));
    }
  }

  type Kg = (value: number | null | undefined) => string;

  function summary(report: EmissionsReport, kpis: FleetKpis, kg: Kg): Node[] {
    const fact = (term: string, value: string, key: string) => [h('dt', {}, term), h('dd', { 'data-figure': key }, value)];
    const flags = [...new Set([...report.flags, ...report.total.flags])];
    const nodes: Node[] = [
      h(
        'dl',
        { class: 'facts', id: 'climate-totals' },
        ...fact(t('col.actual'), kg(report.total.actualKg), 'actualKg'),
        ...fact(t('col.baseline'), kg(report.total.baselineKg), 'baselineKg'),
        ...fact(t('col.avoided'), kg(report.total.avoidedKg), 'avoidedKg'),
        ...fact(t('col.distance'), formatQuantity(report.total.distanceKm, 'km', 1), 'distanceKm'),
        ...fact(t('climate.byCount'), share(kpis.zeroEmissionShare.byCount), 'zeroByCount'),
        h('dt', {}, t('climate.coverage')),
        h('dd', { 'data-figure': 'coverage' }, coverageText(report.total.coverage, true)),
      ),
      h('p', { class: 'note' }, t('climate.stated', { version: report.factorSetVersion, name: report.factorSetName, boundary: report.boundary, gridMethod: report.gridMethod })),
      h('p', { class: 'note' }, t('climate.coverageMeans')),
    ];
    if (!report.periodEnded) nodes.push(h('p', { class: 'note', id: 'climate-elapsed' }, t('climate.elapsed', { hours: formatNumber(Math.round(report.elapsedHours)) })));
    if (flags.length > 0) nodes.push(h('details', {}, h('summary', {}, t('climate.flags', { count: flags.length })), h('ul', {}, ...flags.map((flag) => h('li', {}, flag)))));
    return nodes;
  }

  /** A report's rows as a table: one row per group (month or class), its figures and coverage. */
  function figuresTable(report: EmissionsReport, kg: Kg, labels: string[], what: { caption: string; group: string; attribute: string }): Node {
    return wrappedTable(
      what.caption,
      [
        { text: what.group },
        { text: t('col.distance'), numeric: true },
        { text: t('col.actual'), numeric: true },
        { text: t('col.baseline'), numeric: true },
        { text: t('col.avoided'), numeric: true },
        { text: t('climate.coverage'), numeric: true },
      ],
      report.rows.map((r, i) =>
        h(
          'tr',
          { [what.attribute]: r.group },
          h('th', { scope: 'row' }, labels[i]),
          h('td', { class: 'num' }, formatQuantity(r.distanceKm, 'km', 1)),
          h('td', { class: 'num' }, kg(r.actualKg)),
          h('td', { class: 'num' }, kg(r.baselineKg)),
          h('td', { class: 'num' }, kg(r.avoidedKg)),
          h('td', { class: 'num' }, coverageText(r.coverage, false)),
        ),
      ),
    );
  }

  function monthly(report: EmissionsReport, kg: Kg, scaled: (v: number) => number, unit: string): Node[] {
    if (report.rows.length === 0) return [emptyState(t('climate.noData'))];
    const labels = report.rows.map((r) => formatMonth(r.group));
    return [
      keep(
        barChart(
          t('climate.monthChart'),
          labels,
          [
            { label: t('col.actual'), values: report.rows.map((r) => scaled(r.actualKg)), stack: 'e' },
            { label: t('col.avoided'), values: report.rows.map((r) => scaled(r.avoidedKg)), stack: 'e' },
            { label: t('col.baseline'), values: report.rows.map((r) => scaled(r.baselineKg)), type: 'line' },
          ],
          unit,
        ),
      ),
      figuresTable(report, kg, labels, { caption: t('climate.byMonth'), group: t('col.month'), attribute: 'data-month' }),
    ];
  }

  function classes(report: EmissionsReport, kg: Kg, scaled: (v: number) => number, unit: string): Node[] {
    if (report.rows.length === 0) return [emptyState(t('climate.noData'))];
    const labels = report.rows.map((r) => label('class', r.group));
    return [
      keep(
        barChart(
          t('climate.classChart'),
          labels,
          [
            // Same order, so the same colours, as the month chart: actual, avoided, baseline.
            { label: t('col.actual'), values: report.rows.map((r) => scaled(r.actualKg)) },
            { label: t('col.avoided'), values: report.rows.map((r) => scaled(r.avoidedKg)) },
            { label: t('col.baseline'), values: report.rows.map((r) => scaled(r.baselineKg)) },
          ],
          unit,
        ),
      ),
      figuresTable(report, kg, labels, { caption: t('climate.byClass'), group: t('col.class'), attribute: 'data-class' }),
    ];
  }

  function changePart(result: EmissionsChange | null, kg: Kg, scaled: (v: number) => number, unit: string): Node[] {
    if (!result) return [emptyState(t('climate.noData'))];
    const { baseYear, year, decomposition: d } = result;
    const pct = result.changePct === null ? t('climate.changeNoBase', { baseYear }) : signedPercent(result.changePct);
    const steps = [
      { label: String(baseYear), value: result.baseKg, kind: 'total' as const },
      { label: t('col.activity'), value: d.activityKg, kind: 'change' as const },
      { label: t('col.technology'), value: d.technologyKg, kind: 'change' as const },
      { label: t('col.factor'), value: d.factorKg, kind: 'change' as const },
      { label: String(year), value: result.currentKg, kind: 'total' as const },
    ];
    return [
      h('p', { id: 'climate-change-text' }, `${t('climate.changeText', { base: kg(result.baseKg), baseYear, current: kg(result.currentKg), year })} (${pct})`),
      h('p', { id: 'climate-change-coverage' }, `${t('climate.coverage')} ${baseYear}: `, coverageText(result.base.coverage, false), `, ${year}: `, coverageText(result.current.coverage, false)),
      keep(
        waterfallChart(
          t('climate.waterfall', { baseYear, year }),
          steps.map((s) => ({ ...s, value: scaled(s.value) })),
          unit,
        ),
      ),
      wrappedTable(
        t('climate.waterfall', { baseYear, year }),
        [{ text: t('col.step') }, { text: t('col.change'), numeric: true }],
        steps.map((s) => h('tr', {}, h('th', { scope: 'row' }, s.label), h('td', { class: 'num' }, s.kind === 'change' ? signed(kg(s.value), s.value) : kg(s.value)))),
      ),
    ];
  }

  function zeroShare(kpis: FleetKpis): Node[] {
    return [
      h(
        'dl',
        { class: 'facts', id: 'climate-zero-share' },
        h('dt', {}, t('climate.byCount')),
        h('dd', { 'data-figure': 'byCount' }, `${share(kpis.zeroEmissionShare.byCount)} (${formatNumber(kpis.totals.zeroEmissionVehiclesAtYearEnd)} / ${formatNumber(kpis.totals.vehiclesAtYearEnd)})`),
        h('dt', {}, t('climate.byDistance')),
        h(
          'dd',
          { 'data-figure': 'byDistance' },
          `${share(kpis.zeroEmissionShare.byDistance)} (${formatQuantity(kpis.totals.zeroEmissionDistanceKm, 'km', 1)} / ${formatQuantity(kpis.totals.distanceKm, 'km', 1)})`,
        ),
        h('dt', {}, t('climate.coverage')),
        h('dd', { 'data-figure': 'kpiCoverage' }, coverageText(kpis.totals.coverage, false)),
      ),
      kpis.vehiclesByClassAndCarrier.length === 0
        ? emptyState(t('climate.noData'))
        : wrappedTable(
            `${t('climate.vehiclesAtYearEnd')} ${kpis.year}`,
            [{ text: t('col.class') }, { text: t('col.carrier') }, { text: t('col.vehicles'), numeric: true }],
            kpis.vehiclesByClassAndCarrier.map((row) =>
              h('tr', {}, h('th', { scope: 'row' }, label('class', row.vehicleClass)), h('td', {}, label('carrier', row.energyCarrier)), h('td', { class: 'num' }, formatNumber(row.vehicles))),
            ),
          ),
    ];
  }

  function exports(year: number, baseYear: number, vehicleClass: string | undefined): Node[] {
    const status = h('div', { 'aria-live': 'polite' });
    const from = `${year}-01-01`;
    const to = `${year + 1}-01-01`;
    const files: Array<{ text: string; path: string; query: Record<string, string | number | undefined>; name: string }> = [
      { text: t('climate.exportMonth'), path: 'reports/emissions', query: { from, to, groupBy: 'month' }, name: `utslipp-maned-${year}` },
      { text: t('climate.exportClass'), path: 'reports/emissions', query: { from, to, groupBy: 'vehicleClass' }, name: `utslipp-klasse-${year}` },
      ...(baseYear === year ? [] : [{ text: t('climate.exportChange'), path: 'reports/emissions/change', query: { baseYear, year, vehicleClass }, name: `utslipp-endring-${baseYear}-${year}` }]),
      { text: t('climate.exportKpis'), path: 'reports/fleet-kpis', query: { year }, name: `nokkeltall-${year}` },
      { text: t('climate.exportPlan'), path: 'reports/electrification-plan', query: { asOf: planAsOf(year) }, name: `elektrifiseringsplan-${year}` },
    ];
    const rows = files.map((file) =>
      h(
        'tr',
        {},
        h('th', { scope: 'row' }, file.text),
        h(
          'td',
          {},
          ...(['xlsx', 'csv'] as const).flatMap((format) => [
            h(
              'button',
              { type: 'button', 'data-export': `${file.path}:${format}`, onclick: () => void saveFile(client, status, file.path, { ...file.query, format }, `${file.name}.${format}`) },
              format.toUpperCase(),
            ),
            ' ',
          ]),
        ),
      ),
    );
    return [table(t('climate.exports'), [{ text: t('col.report') }, { text: t('col.file') }], rows), status];
  }

  void load();
  return () => {
    stopped = true;
    for (const destroy of destroyers.splice(0)) destroy();
  };
}

/** A fraction 0..1 as a percentage. */
function share(value: number | null): string {
  return formatPercent(value === null ? null : value * 100, 1);
}

function signedPercent(value: number): string {
  return value > 0 ? `+${formatPercent(value, 1)}` : formatPercent(value, 1);
}

function signed(text: string, value: number): string {
  return value > 0 ? `+${text}` : text;
}
