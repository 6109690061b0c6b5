import { ApiError, ChargingUsageReport, LiveChargePoint, Organization, SubsidyGrant } from '../api-client';
import { FollowUp, subsidyApi } from './subsidy-api';
import { Period, followUpSection, grantsTable, lastDay, periodLabel, periodPicker, submitPart } from './subsidy-follow-up';
import { barChart } from '../charts';
import { emptyState, errorBox, field, h, wrappedTable } from '../dom';
import { MISSING, addMonths, formatDateTime, formatMonth, formatNumber, formatPercent, formatQuantity, localDay } from '../format';
import { label, lang, t } from '../i18n';
import { ViewCleanup, ViewContext, loadError, saveFile } from './view';

/** Connector states are re-read this often: the charge-point list carries them, there is no stream for them. */
const LIVE_REFRESH_MS = 15_000;
const TREND_MONTHS = 6;

// The period the user picked, kept across visits so that going to another view and back keeps
// it. Until they pick one: the month in progress when the figures are asked for (in the report
// time zone, known after sign-in; a tab left open into the next month moves on with it).
let pickedPeriod: Period | undefined;
const chosenPeriod = (): Period => pickedPeriod ?? monthPeriod(localDay().slice(0, 7));

const byName = new Intl.Collator('nb', { numeric: true, sensitivity: 'base' });
/** Names in natural order: "plass 4" before "plass 10". */
const naturally = <T extends { name: string }>(items: T[]) => [...items].sort((a, b) => byName.compare(a.name, b.name));

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
    const cooperatives = (await client.organizations()).filter((o) => o.kind === 'housing_cooperative').sort((a, b) => byName.compare(a.name, b.name));
    if (cooperatives.length === 0) return null;
    const chosen = organizationId ?? cooperatives[0].id;
    picker.replaceChildren(
      field(
        'cooperative-pick',
        t('coop.pickOrganization'),
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
    const [chargePoints, grants, followUp] = await Promise.all([client.chargePointsLive(id), client.subsidyGrants(id), subsidyApi(client).followUp(id)]);

    const live = h('div', {});
    const usage = h('section', { 'aria-labelledby': 'usage-heading' });
    const followUpPart = h('div', {}, followUpSection(client, followUp));
    const grantsPart = h('div', {}, grantsTable(followUp));
    let current = followUp;
    const refreshFollowUp = async () => {
      current = await subsidyApi(client).followUp(id);
      if (stopped) return;
      followUpPart.replaceChildren(followUpSection(client, current));
      grantsPart.replaceChildren(grantsTable(current));
    };
    const chooser = periodPicker(followUp, chosenPeriod(), (period) => {
      pickedPeriod = period;
      void loadUsage(id, usage, organization.name, () => current, refreshFollowUp);
    });
    const ownHeading = me.role === 'cooperative' ? t('coop.chargePoints') : t('coop.heading');
    content.replaceChildren(
      h('section', { 'aria-labelledby': 'cp-heading' }, h('h2', { id: 'cp-heading' }, ownHeading), h('p', { class: 'note' }, t('coop.liveNote')), live),
      chooser,
      usage,
      grantsPart,
      followUpPart,
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
    await loadUsage(id, usage, organization.name, () => current, refreshFollowUp);
  }

  function renderLive(target: HTMLElement, points: LiveChargePoint[], grants: SubsidyGrant[]) {
    if (points.length === 0) return void target.replaceChildren(emptyState(t('coop.noChargePoints')));
    const grantRef = new Map(grants.map((g) => [g.id, g.reference]));
    target.replaceChildren(
      wrappedTable(
        me.role === 'cooperative' ? t('coop.chargePoints') : t('coop.heading'),
        [{ text: t('col.chargePoint') }, { text: t('coop.status') }, { text: t('coop.connectorStates') }, { text: t('coop.lastMessage') }, { text: 'kW', numeric: true }, { text: t('col.reference') }],
        naturally(points).map((cp) =>
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

  async function loadUsage(id: string, target: HTMLElement, organizationName: string, followUp: () => FollowUp, onSubmitted: () => Promise<void>) {
    destroyCharts();
    const chosen = chosenPeriod();
    const heading = () => h('h2', { id: 'usage-heading' }, `${t('follow.periodFigures')}: ${periodLabel(chosen)}${inProgress(chosen) ? ` (${t('coop.toDate')})` : ''}`);
    target.replaceChildren(heading(), h('p', {}, t('app.loading')));
    try {
      // The trend: the six months up to the period's last month.
      const lastMonth = lastDay(chosen.to).slice(0, 7);
      const months = Array.from({ length: TREND_MONTHS }, (_, i) => addMonths(lastMonth, i - TREND_MONTHS + 1));
      const [report, ...reports] = await Promise.all([client.chargingUsage({ organizationId: id, ...chosen }), ...months.map((m) => client.chargingUsage({ organizationId: id, ...monthPeriod(m) }))]);
      if (stopped) return;
      const submit = me.role === 'cooperative' ? submitPart(client, organizationName, followUp(), chosen, report, () => void onSubmitted()) : [];
      target.replaceChildren(heading(), ...usageFigures(report), ...submit, ...trend(months, reports), ...exportPart(id, chosen));
    } catch (error) {
      target.append(loadError(error));
    }
  }

  function usageFigures(report: ChargingUsageReport): Node[] {
    const rows = naturally(report.chargePoints);
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
    const shares = barChart(
      t('coop.sharesChart'),
      names,
      [
        { label: t('col.utilization'), values: rows.map((r) => r.utilizationPct) },
        { label: t('col.availability'), values: rows.map((r) => r.availabilityPct) },
      ],
      '%',
    );
    destroyers.push(sessions.destroy, energy.destroy, shares.destroy);
    const flags = (r: { silentOver7Days: boolean; availabilityBelow90Pct: boolean }) =>
      [r.silentOver7Days && t('coop.flagSilent'), r.availabilityBelow90Pct && t('coop.flagAvailability')].filter(Boolean).join(', ') || t('coop.noFlags');
    return [
      facts,
      h('div', { class: 'charts' }, sessions.figure, energy.figure, shares.figure),
      wrappedTable(
        `${t('follow.periodFigures')}: ${periodLabel(report)}`,
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
    ];
  }

  function trend(months: string[], reports: ChargingUsageReport[]): Node[] {
    const labels = months.map((m) => formatMonth(m));
    const chart = barChart(t('follow.trendChart'), labels, [{ label: t('col.energy'), values: reports.map((r) => r.total.energyKwh) }], 'kWh');
    destroyers.push(chart.destroy);
    return [
      h('h3', {}, t('coop.trend')),
      chart.figure,
      wrappedTable(
        t('coop.trend'),
        [
          { text: t('col.month') },
          { text: t('col.sessions'), numeric: true },
          { text: t('col.energy'), numeric: true },
          { text: t('col.utilization'), numeric: true },
          { text: t('col.availability'), numeric: true },
        ],
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
    ];
  }

  function exportPart(id: string, chosen: Period): Node[] {
    const status = h('div', { 'aria-live': 'polite' });
    const { from, to } = chosen;
    // A calendar month keeps its short name; any other period is named by its first and last day.
    const name = to === `${addMonths(from.slice(0, 7), 1)}-01` && from.endsWith('-01') ? from.slice(0, 7) : `${from}_${lastDay(to)}`;
    // The dashboard's downloads are for the reader's spreadsheet: Norwegian files when the page is in Norwegian.
    const locale = lang();
    const button = (format: 'csv' | 'xlsx') =>
      h(
        'button',
        {
          type: 'button',
          'data-export': format,
          onclick: () => void saveFile(client, status, 'reports/charging-usage', { organizationId: id, from, to, format, locale }, `ladebruk-${name}.${format}`),
        },
        `${format.toUpperCase()} (${periodLabel(chosen)}${inProgress(chosen) ? `, ${t('coop.toDate')}` : ''})`,
      );
    return [h('h3', {}, t('coop.export')), h('p', {}, t('coop.exportIntro')), button('xlsx'), document.createTextNode(' '), button('csv'), status];
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
function monthPeriod(month: string): Period {
  return { from: `${month}-01`, to: `${addMonths(month, 1)}-01` };
}

function inProgress(period: Period): boolean {
  const today = localDay();
  return period.from <= today && today < period.to;
}
