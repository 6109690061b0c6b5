import { emptyState, field, filtersForm, h, wrappedTable } from '../dom';
import { MISSING, addDays, formatDay, formatNumber, formatQuantity, localDay } from '../format';
import { MessageKey, lang, t } from '../i18n';
import { CooperativeOverview, SubsidyOverview, subsidyApi } from './subsidy-api';
import { periodLabel, statusText } from './subsidy-follow-up';
import { ViewCleanup, ViewContext, loadError, saveFile } from './view';

type Only = 'all' | 'missing' | 'deadline' | 'flags';
const ONLY: Only[] = ['all', 'missing', 'deadline', 'flags'];
const SOON_DAYS = 30;

// The year the user picked, kept across visits like the cooperative page's period; until then
// the year in progress in the report time zone when the view opens.
let pickedYear: number | undefined;

/**
 * The municipality's subsidy overview (#/subsidy, the climate office and admin): every
 * cooperative with a grant, its amount, charge points, the year's sessions and energy, the
 * availability flags and each follow-up period's status and deadline (GET
 * /subsidy-follow-up/overview); filtered by name, by missing or late reports, by a deadline in the
 * next 30 days or by flagged charge points; downloadable as CSV or XLSX.
 */
export function subsidyOverviewView(main: HTMLElement, { client }: ViewContext): ViewCleanup {
  document.title = `${t('overview.heading')} – ${t('app.title')}`;
  let stopped = false;
  let chosenYear = pickedYear ?? Number(localDay().slice(0, 4));
  const content = h('div', {}, h('p', {}, t('app.loading')));
  const yearInput = h('input', { id: 'overview-year', type: 'number', min: 2000, max: 2100, value: chosenYear, inputmode: 'numeric' });
  const search = h('input', { id: 'overview-search', type: 'search', autocomplete: 'off' });
  const only = h('select', { id: 'overview-only' }, ...ONLY.map((o) => h('option', { value: o }, t(`overview.only.${o}` as MessageKey))));
  const status = h('div', { 'aria-live': 'polite' });
  let overview: SubsidyOverview | null = null;

  const form = filtersForm(
    {},
    () => {
      const year = Number(yearInput.value);
      if (Number.isInteger(year) && year >= 2000 && year <= 2100) chosenYear = pickedYear = year;
      void load();
    },
    field('overview-year', t('overview.year'), yearInput),
    h('button', { type: 'submit' }, t('vehicle.show')),
    field('overview-search', t('overview.search'), search),
    field('overview-only', t('overview.only'), only),
  );
  search.addEventListener('input', () => render());
  only.addEventListener('change', () => render());
  const download = (format: 'csv' | 'xlsx') =>
    h(
      'button',
      {
        type: 'button',
        'data-export': format,
        onclick: () => void saveFile(client, status, 'subsidy-follow-up/overview', { year: chosenYear, format, locale: lang() }, `tilskudd-oversikt-${chosenYear}.${format}`),
      },
      `${format.toUpperCase()} (${chosenYear})`,
    );
  main.append(h('h1', {}, t('overview.heading')), form, content);

  function matches(c: CooperativeOverview, today: string): boolean {
    const text = search.value.trim().toLocaleLowerCase();
    if (text && !c.organizationName.toLocaleLowerCase().includes(text) && !c.grantReferences.some((r) => r.toLocaleLowerCase().includes(text))) return false;
    const filter = only.value as Only;
    if (filter === 'missing') return c.missing + c.late > 0;
    if (filter === 'deadline') return c.nextDeadline !== null && c.nextDeadline <= addDays(today, SOON_DAYS);
    if (filter === 'flags') return c.availabilityBelow90Pct + c.silentOver7Days > 0;
    return true;
  }

  function render() {
    if (!overview) return;
    const rows = overview.cooperatives.filter((c) => matches(c, overview!.today));
    content.replaceChildren(
      h('p', { class: 'note' }, t('overview.intro', { days: overview.deadlineDays })),
      rows.length === 0
        ? emptyState(t('overview.none'))
        : wrappedTable(
            `${t('overview.heading')} ${overview.year}`,
            [
              { text: t('overview.cooperative') },
              { text: t('overview.grants') },
              { text: t('col.amount'), numeric: true },
              { text: t('overview.chargePoints'), numeric: true },
              { text: `${t('col.sessions')} ${overview.year}`, numeric: true },
              { text: `${t('col.energy')} ${overview.year}`, numeric: true },
              { text: t('overview.flags') },
              { text: t('follow.nextDeadline') },
              { text: t('overview.reports') },
            ],
            rows.map((c) =>
              h(
                'tr',
                { 'data-organization-id': c.organizationId },
                h('th', { scope: 'row' }, h('a', { href: `#/cooperative/${c.organizationId}` }, c.organizationName)),
                h('td', {}, c.grantReferences.join(', ')),
                h('td', { class: 'num' }, formatQuantity(c.amountNok, 'kr', 0)),
                h('td', { class: 'num' }, formatNumber(c.chargePoints)),
                h('td', { class: 'num' }, formatNumber(c.sessions)),
                h('td', { class: 'num' }, formatQuantity(c.energyKwh, 'kWh', 1)),
                h('td', {}, t('overview.flagsText', { availability: c.availabilityBelow90Pct, silent: c.silentOver7Days })),
                h('td', {}, c.nextDeadline ? formatDay(c.nextDeadline) : MISSING),
                h(
                  'td',
                  {},
                  h('span', { 'data-reports': '' }, t('overview.reportsText', { submitted: c.submitted, late: c.late, missing: c.missing, due: c.due })),
                  h(
                    'ul',
                    { class: 'periods' },
                    ...c.periods
                      .filter((p) => p.status !== 'running')
                      .map((p) =>
                        h(
                          'li',
                          { 'data-period': `${p.from}/${p.to}`, 'data-follow-status': p.status },
                          `${p.grantReference} ${periodLabel(p)}: ${statusText(p.status)} (${t('follow.deadline').toLowerCase()} ${formatDay(p.deadline)})`,
                        ),
                      ),
                  ),
                ),
              ),
            ),
            'overview',
          ),
      h('h2', {}, t('overview.export')),
      download('xlsx'),
      document.createTextNode(' '),
      download('csv'),
      status,
    );
  }

  async function load() {
    content.replaceChildren(h('p', {}, t('app.loading')));
    try {
      const answer = await subsidyApi(client).overview(chosenYear);
      if (stopped) return;
      overview = answer;
      render();
    } catch (error) {
      content.replaceChildren(loadError(error));
    }
  }

  void load();
  return () => {
    stopped = true;
  };
}
