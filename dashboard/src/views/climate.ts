import { EmissionsChange, EmissionsReport, FleetKpis, whenAvailable } from '../api-client';
import { barChart } from '../charts';
import { emptyState, h, table } from '../dom';
import { formatPercent, formatQuantity } from '../format';
import { t } from '../i18n';
import { ViewCleanup, ViewContext, loadError } from './view';

/**
 * The climate office's figures from the emissions API (reports-v1.md): by month, baseline vs
 * actual vs avoided, the change from the year before with its decomposition as a waterfall
 * (stacked bars with an invisible base), the zero-emission share, and the exports. Each part
 * shows an empty state until that API is merged (the service answers 404).
 */
export function climateView(main: HTMLElement, { client }: ViewContext): ViewCleanup {
  document.title = `${t('climate.heading')} – ${t('app.title')}`;
  const destroyers: Array<() => void> = [];
  let year = new Date().getFullYear() - 1;
  const yearInput = h('input', { id: 'climate-year', type: 'number', min: 2000, max: 2100, value: year, required: true });
  const content = h('div', {}, h('p', {}, t('app.loading')));
  main.append(
    h('h1', {}, t('climate.heading')),
    h(
      'form',
      { class: 'filters', onsubmit: (event: Event) => (event.preventDefault(), (year = Number(yearInput.value)), void load()) },
      h('div', { class: 'field' }, h('label', { for: 'climate-year' }, t('climate.year')), yearInput),
      h('button', { type: 'submit' }, t('vehicle.show')),
    ),
    content,
  );

  const section = (id: string, title: string, ...body: Node[]) => h('section', { 'aria-labelledby': id }, h('h2', { id }, title), ...body);
  const kg = (value: number | null | undefined) => formatQuantity(value === null || value === undefined ? value : value / 1000, 't CO₂e', 1);

  function monthly(report: EmissionsReport | null): Node[] {
    if (!report) return [emptyState(t('climate.pending'))];
    const rows = report.rows ?? [];
    const labels = rows.map((r) => String(r.group));
    const chart = barChart(t('climate.baseline'), labels, [
      { label: t('col.actual'), values: rows.map((r) => r.actualKg / 1000), stack: 'e' },
      { label: t('col.avoided'), values: rows.map((r) => r.avoidedKg / 1000), stack: 'e' },
      { label: t('col.baseline'), values: rows.map((r) => r.baselineKg / 1000), type: 'line' },
    ], 't CO₂e');
    destroyers.push(chart.destroy);
    return [
      chart.figure,
      table(
        t('climate.byMonth'),
        [{ text: t('col.month') }, { text: t('col.actual'), numeric: true }, { text: t('col.baseline'), numeric: true }, { text: t('col.avoided'), numeric: true }],
        rows.map((r) => h('tr', {}, h('th', { scope: 'row' }, String(r.group)), h('td', { class: 'num' }, kg(r.actualKg)), h('td', { class: 'num' }, kg(r.baselineKg)), h('td', { class: 'num' }, kg(r.avoidedKg)))),
      ),
    ];
  }

  function change(result: EmissionsChange | null): Node[] {
    if (!result) return [emptyState(t('climate.pending'))];
    const steps = [
      [t('col.baseline'), result.baseKg],
      [t('col.activity'), result.decomposition.activityKg],
      [t('col.technology'), result.decomposition.technologyKg],
      [t('col.factor'), result.decomposition.factorKg],
    ] as const;
    let level = 0;
    const base: number[] = [];
    const up: number[] = [];
    const down: number[] = [];
    steps.forEach(([, value], i) => {
      const start = i === 0 ? 0 : level;
      const end = i === 0 ? value : level + value;
      base.push(Math.min(start, end) / 1000);
      (value >= 0 ? up : down).push(Math.abs(end - start) / 1000);
      (value >= 0 ? down : up).push(0);
      level = end;
    });
    const labels = [...steps.map(([name]) => name), t('col.total')];
    const chart = barChart(t('climate.change'), labels, [
      { label: '', values: [...base, 0], stack: 'w' },
      { label: '+', values: [...up, 0], stack: 'w' },
      { label: '−', values: [...down, 0], stack: 'w' },
      { label: t('col.total'), values: [...steps.map(() => 0), result.currentKg / 1000], stack: 'w' },
    ], 't CO₂e');
    destroyers.push(chart.destroy);
    return [
      h('p', {}, `${kg(result.baseKg)} → ${kg(result.currentKg)} (${formatPercent(result.changePct, 1)})`),
      chart.figure,
    ];
  }

  function zeroShare(kpis: FleetKpis | null): Node[] {
    if (!kpis) return [emptyState(t('climate.pending'))];
    return [h('p', {}, `${formatPercent(kpis.zeroEmissionShareByCount, 1)} / ${formatPercent(kpis.zeroEmissionShareByDistance, 1)}`)];
  }

  async function load() {
    for (const destroy of destroyers.splice(0)) destroy();
    content.replaceChildren(h('p', {}, t('app.loading')));
    try {
      const from = `${year}-01-01`;
      const to = `${year + 1}-01-01`;
      const [byMonth, yoy, kpis] = await Promise.all([
        whenAvailable(client.emissions({ from, to, groupBy: 'month' })),
        whenAvailable(client.emissionsChange({ baseYear: year - 1, year })),
        whenAvailable(client.fleetKpis({ year })),
      ]);
      const exportButton = (format: 'csv' | 'xlsx') =>
        h('button', { type: 'button', disabled: !byMonth, onclick: () => void client.download('reports/emissions', { from, to, groupBy: 'vehicleClass', format }, `utslipp-${year}.${format}`) }, format.toUpperCase());
      content.replaceChildren(
        section('climate-month', t('climate.byMonth'), ...monthly(byMonth)),
        section('climate-change', t('climate.change'), ...change(yoy)),
        section('climate-zero', t('climate.zeroShare'), ...zeroShare(kpis)),
        section('climate-exports', t('climate.exports'), ...(byMonth ? [exportButton('xlsx'), document.createTextNode(' '), exportButton('csv')] : [emptyState(t('climate.pending'))])),
      );
    } catch (error) {
      content.replaceChildren(loadError(error));
    }
  }

  void load();
  return () => {
    for (const destroy of destroyers.splice(0)) destroy();
  };
}
