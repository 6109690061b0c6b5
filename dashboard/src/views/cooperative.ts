import { ApiError, ChargingUsageReport, LiveChargePoint, Organization, SubsidyGrant } from '../api-client';
import { barChart } from '../charts';
import { emptyState, errorBox, h, table } from '../dom';
import { MISSING, addMonths, formatDateTime, formatDay, formatMonth, formatNumber, formatPercent, formatQuantity, localDay } from '../format';
import { label, t } from '../i18n';
import { ViewCleanup, ViewContext, loadError, saveFile } from './view';

/** Connector states are re-read this often: the charge-point list carries them, there is no stream for them. */
const LIVE_REFRESH_MS = 15_000;
const TREND_MONTHS = 6;

// Kept across visits, so that going to another view and back keeps the month.
let chosenMonth = localDay().slice(0, 7);

/**
 * A housing cooperative's page (#/cooperative, or #/cooperative/<organization id>): its charge
 * points with live connector states (GET /chargepoints, re-read every 15 s), the chosen month's
 * sessions, energy, utilization and availability per charge point and the last six months'
 * totals (GET /reports/charging-usage), its subsidy grants, and the follow-up export (the same
 * report as CSV or XLSX, fetched with the key and saved). A cooperative key sees only its own
 * organization: another one's id answers 404 and the page says so. An admin or the climate
 * office picks the cooperative.
 */
export function cooperativeView(main: HTMLElement, { client, me }: ViewContext, organizationId?: string): ViewCleanup {
  document.title = `${t('coop.heading')} – ${t('app.title')}`;
  const destroyers: Array<() => void> = [];
  const timers: number[] = [];
  const heading = h('h1', {}, t('coop.heading'));
  const picker = h('div', {});
  const content = h('div', {}, h('p', {}, t('app.loading')));
  main.append(heading, picker, content);
  let stopped = false;

  const destroyCharts = () => {
    for (const destroy of destroyers.splice(0)) destroy();
  };

  async function pickCooperative(): Promise<string | null> {
    if (me.role === 'cooperative') return organizationId ?? me.organizationId;
    const cooperatives = (await client.organizations()).filter((o) => o.kind === 'housing_cooperative').sort((a, b) => a.name.localeCompare(b.name));
    if (cooperatives.length === 0) return null;
    const chosen = organizationId ?? cooperatives[0].id;
    picker.replaceChildren(
      h(
        'div',
        { class: 'field' },
        h('label', { for: 'cooperative-pick' }, t('coop.pickOrganization')),
        h(
          'select',
          { id: 'cooperative-pick', onchange: (event: Event) => void (location.hash = `#/cooperative/${(event.target as HTMLSelectElement).value}`) },
          ...cooperatives.map((o) => h('option', { value: o.id, selected: o.id === chosen }, o.name)),
        ),
      ),
    );
    return chosen;
  }

  async function show(id: string) {
    let organization: Organization;
    try {
      organization = await client.organization(id);
    } catch (error) {
      // Another cooperative's page, or an id that does not exist: the API answers 404 for both.
      if (error instanceof ApiError && error.status === 404) return void content.replaceChildren(errorBox(t('coop.notFound')));
      throw error;
    }
    heading.textContent = `${t('coop.heading')}: ${organization.name}`;
    document.title = `${organization.name} – ${t('app.title')}`;
    const [chargePoints, grants] = await Promise.all([client.chargePointsLive(id), client.subsidyGrants(id)]);

    const live = h('div', {});
    const usage = h('section', { 'aria-labelledby': 'usage-heading' });
    const monthInput = h('input', { id: 'coop-month', type: 'month', value: chosenMonth, required: true });
    const monthForm = h(
      'form',
      {
        class: 'filters',
        onsubmit: (event: Event) => {
          event.preventDefault();
          if (/^\d{4}-\d{2}$/.test(monthInput.value)) chosenMonth = monthInput.value;
          void loadUsage(id, usage);
        },
      },
      h('div', { class: 'field' }, h('label', { for: 'coop-month' }, t('coop.month')), monthInput),
      h('button', { type: 'submit' }, t('vehicle.show')),
    );
    content.replaceChildren(
      h('section', { 'aria-labelledby': 'cp-heading' }, h('h2', { id: 'cp-heading' }, t('coop.chargePoints')), h('p', { class: 'note' }, t('coop.liveNote')), live),
      monthForm,
      usage,
      grantsSection(grants),
    );
    renderLive(live, chargePoints, grants);
    timers.push(
      window.setInterval(() => {
        client.chargePointsLive(id).then(
          (points) => !stopped && renderLive(live, points, grants),
          () => undefined, // the next round tries again; the last figures stay on screen
        );
      }, LIVE_REFRESH_MS),
    );
    await loadUsage(id, usage);
  }

  function renderLive(target: HTMLElement, points: LiveChargePoint[], grants: SubsidyGrant[]) {
    if (points.length === 0) return void target.replaceChildren(emptyState(t('coop.noChargePoints')));
    const grantRef = new Map(grants.map((g) => [g.id, g.reference]));
    target.replaceChildren(
      h(
        'div',
        { class: 'table-wrap' },
        table(
          t('coop.chargePoints'),
          [{ text: t('col.chargePoint') }, { text: t('coop.status') }, { text: t('coop.connectorStates') }, { text: t('coop.lastMessage') }, { text: 'kW', numeric: true }, { text: t('col.reference') }],
          points.map((cp) =>
            h(
              'tr',
              { 'data-charge-point-id': cp.id, 'data-status': cp.status },
              h('th', { scope: 'row' }, cp.name, deviceInfo(cp)),
              h('td', {}, h('span', { class: `status status-${cp.status}` }, label('status', cp.status))),
              h('td', {}, connectorList(cp)),
              h('td', {}, formatDateTime(lastMessageAt(cp))),
              h('td', { class: 'num' }, formatQuantity(cp.maxKw, 'kW', 1)),
              h('td', {}, cp.subsidyGrantId ? (grantRef.get(cp.subsidyGrantId) ?? '') : MISSING),
            ),
          ),
        ),
      ),
    );
  }

  /** Protocol and, for OCPP, what the charge point said of itself at boot. */
  function deviceInfo(cp: LiveChargePoint): HTMLElement {
    const boot = cp.ocpp;
    const parts = [cp.protocol === 'ocpp' ? 'OCPP 1.6J' : 'MQTT'];
    if (boot?.vendor || boot?.model) parts.push([boot.vendor, boot.model].filter(Boolean).join(' '));
    if (boot?.firmware) parts.push(`fw ${boot.firmware}`);
    return h('small', { class: 'device-info', 'data-protocol': cp.protocol }, parts.join(' · '));
  }

  /** A heartbeat is a message too: the later of the last stored sample and the last OCPP message. */
  function lastMessageAt(cp: LiveChargePoint): string | null {
    const times = [cp.state?.lastMessageAt, cp.ocpp?.lastMessageAt].filter((time): time is string => Boolean(time));
    return times.length === 0 ? null : times.reduce((a, b) => (Date.parse(a) >= Date.parse(b) ? a : b));
  }

  /** Every connector 1..n with its last status (none yet: a dash), power and an open session. */
  function connectorList(cp: LiveChargePoint): HTMLElement {
    const states = new Map((cp.state?.connectors ?? []).map((c) => [c.connectorId, c]));
    const items: HTMLElement[] = [];
    for (let n = 1; n <= cp.connectors; n++) {
      const c = states.get(n);
      const parts = [`${n}: ${c?.status ? label('connector', c.status) : MISSING}`];
      if (c?.errorCode && c.errorCode !== 'NoError') parts.push(`(${c.errorCode})`);
      if (c?.status === 'Charging' && c.powerW !== null) parts.push(formatQuantity(c.powerW / 1000, 'kW', 1));
      if (c?.openSession) parts.push(`– ${t('coop.openSession', { time: formatDateTime(c.openSession.startedAt) })}`);
      items.push(h('li', { 'data-connector': n, 'data-connector-status': c?.status ?? '' }, parts.join(' ')));
    }
    return h('ul', { class: 'connectors' }, ...items);
  }

  async function loadUsage(id: string, target: HTMLElement) {
    destroyCharts();
    target.replaceChildren(h('h2', { id: 'usage-heading' }, `${t('coop.monthFigures')}: ${formatMonth(chosenMonth)}`), h('p', {}, t('app.loading')));
    const month = chosenMonth;
    try {
      const months = Array.from({ length: TREND_MONTHS }, (_, i) => addMonths(month, i - TREND_MONTHS + 1));
      const reports = await Promise.all(months.map((m) => client.chargingUsage({ organizationId: id, ...period(m) })));
      if (stopped) return;
      const toDate = inProgress(month) ? ` (${t('coop.toDate')})` : '';
      target.replaceChildren(h('h2', { id: 'usage-heading' }, `${t('coop.monthFigures')}: ${formatMonth(month)}${toDate}`), ...usageFigures(reports[reports.length - 1]), ...trend(months, reports), ...exportPart(id, month));
    } catch (error) {
      target.append(loadError(error));
    }
  }

  function usageFigures(report: ChargingUsageReport): Node[] {
    const rows = report.chargePoints;
    const total = report.total;
    const fact = (term: string, value: string, key: string) => [h('dt', {}, term), h('dd', { 'data-figure': key }, value)];
    const facts = h(
      'dl',
      { class: 'facts', id: 'usage-total' },
      ...fact(t('col.sessions'), formatNumber(total.sessions), 'sessions'),
      ...fact(t('col.energy'), formatQuantity(total.energyKwh, 'kWh', 1), 'energyKwh'),
      ...fact(t('col.utilization'), formatPercent(total.utilizationPct, 1), 'utilizationPct'),
      ...fact(t('col.availability'), formatPercent(total.availabilityPct, 1), 'availabilityPct'),
      ...fact(t('col.users'), formatNumber(total.uniqueUsers), 'uniqueUsers'),
      ...fact(t('col.enabledAvoided'), formatQuantity(total.enabledAvoidedKg, 'kg CO₂e', 1), 'enabledAvoidedKg'),
    );
    if (rows.length === 0) return [facts, emptyState(t('coop.noChargePoints'))];
    const names = rows.map((r) => r.name);
    const sessions = barChart(t('coop.sessionsChart'), names, [{ label: t('col.sessions'), values: rows.map((r) => r.sessions) }], t('col.sessions'), 0);
    const energy = barChart(t('coop.energyChart'), names, [{ label: t('col.energy'), values: rows.map((r) => r.energyKwh) }], 'kWh');
    const shares = barChart(t('coop.sharesChart'), names, [
      { label: t('col.utilization'), values: rows.map((r) => r.utilizationPct) },
      { label: t('col.availability'), values: rows.map((r) => r.availabilityPct) },
    ], '%');
    destroyers.push(sessions.destroy, energy.destroy, shares.destroy);
    const flags = (r: { silentOver7Days: boolean; availabilityBelow90Pct: boolean }) =>
      [r.silentOver7Days && t('coop.flagSilent'), r.availabilityBelow90Pct && t('coop.flagAvailability')].filter(Boolean).join(', ') || t('coop.noFlags');
    return [
      facts,
      h('div', { class: 'charts' }, sessions.figure, energy.figure, shares.figure),
      h(
        'div',
        { class: 'table-wrap' },
        table(
          `${t('coop.monthFigures')}: ${formatMonth(report.from.slice(0, 7))}`,
          [
            { text: t('col.chargePoint') },
            { text: t('col.sessions'), numeric: true },
            { text: t('col.energy'), numeric: true },
            { text: t('col.occupied'), numeric: true },
            { text: t('col.utilization'), numeric: true },
            { text: t('col.availability'), numeric: true },
            { text: t('col.users'), numeric: true },
            { text: t('col.flags') },
          ],
          rows.map((r) =>
            h(
              'tr',
              { 'data-usage-charge-point-id': r.chargePointId },
              h('th', { scope: 'row' }, r.name),
              h('td', { class: 'num' }, formatNumber(r.sessions)),
              h('td', { class: 'num' }, formatQuantity(r.energyKwh, 'kWh', 1)),
              h('td', { class: 'num' }, formatQuantity(r.occupiedHours, t('unit.hours'), 1)),
              h('td', { class: 'num' }, formatPercent(r.utilizationPct, 1)),
              h('td', { class: 'num' }, formatPercent(r.availabilityPct, 1)),
              h('td', { class: 'num' }, formatNumber(r.uniqueUsers)),
              h('td', {}, flags(r)),
            ),
          ),
        ),
      ),
    ];
  }

  function trend(months: string[], reports: ChargingUsageReport[]): Node[] {
    const labels = months.map((m) => formatMonth(m));
    const chart = barChart(t('coop.trend'), labels, [
      { label: t('col.energy'), values: reports.map((r) => r.total.energyKwh) },
    ], 'kWh');
    destroyers.push(chart.destroy);
    return [
      h('h3', {}, t('coop.trend')),
      chart.figure,
      h(
        'div',
        { class: 'table-wrap' },
        table(
          t('coop.trend'),
          [{ text: t('col.month') }, { text: t('col.sessions'), numeric: true }, { text: t('col.energy'), numeric: true }, { text: t('col.utilization'), numeric: true }, { text: t('col.availability'), numeric: true }],
          reports.map((r, i) =>
            h(
              'tr',
              {},
              h('th', { scope: 'row' }, labels[i]),
              h('td', { class: 'num' }, formatNumber(r.total.sessions)),
              h('td', { class: 'num' }, formatQuantity(r.total.energyKwh, 'kWh', 1)),
              h('td', { class: 'num' }, formatPercent(r.total.utilizationPct, 1)),
              h('td', { class: 'num' }, formatPercent(r.total.availabilityPct, 1)),
            ),
          ),
        ),
      ),
    ];
  }

  function exportPart(id: string, month: string): Node[] {
    const status = h('div', { 'aria-live': 'polite' });
    const { from, to } = period(month);
    const button = (format: 'csv' | 'xlsx') =>
      h(
        'button',
        {
          type: 'button',
          'data-export': format,
          onclick: () => void saveFile(client, status, 'reports/charging-usage', { organizationId: id, from, to, format }, `ladebruk-${month}.${format}`),
        },
        `${format.toUpperCase()} (${formatMonth(month)}${inProgress(month) ? `, ${t('coop.toDate')}` : ''})`,
      );
    return [h('h3', {}, t('coop.export')), h('p', {}, t('coop.exportIntro')), button('xlsx'), document.createTextNode(' '), button('csv'), status];
  }

  function grantsSection(grants: SubsidyGrant[]): HTMLElement {
    return h(
      'section',
      { 'aria-labelledby': 'grants-heading' },
      h('h2', { id: 'grants-heading' }, t('coop.grants')),
      grants.length === 0
        ? emptyState(t('coop.noGrants'))
        : h(
            'div',
            { class: 'table-wrap' },
            table(
              t('coop.grants'),
              [{ text: t('col.reference') }, { text: t('col.grantedOn') }, { text: t('col.amount'), numeric: true }, { text: t('col.chargePointCount'), numeric: true }],
              grants.map((g) =>
                h('tr', {}, h('th', { scope: 'row' }, g.reference), h('td', {}, formatDay(g.grantedOn)), h('td', { class: 'num' }, formatQuantity(g.amountNok, 'kr', 0)), h('td', { class: 'num' }, formatNumber(g.chargePointCount))),
              ),
            ),
          ),
    );
  }

  pickCooperative()
    .then((id) => (id ? show(id) : void content.replaceChildren(emptyState(t('coop.noChargePoints')))))
    .catch((error) => content.replaceChildren(loadError(error)));

  return () => {
    stopped = true;
    for (const timer of timers.splice(0)) clearInterval(timer);
    destroyCharts();
  };
}

/**
 * The local days of a month. For the month in progress the report measures the time-based figures
 * over the part that has elapsed (its `elapsedHours`), so the whole month is asked for.
 */
function period(month: string): { from: string; to: string } {
  return { from: `${month}-01`, to: `${addMonths(month, 1)}-01` };
}

function inProgress(month: string): boolean {
  return localDay().slice(0, 7) === month;
}
