import { ChargingUsageReport, Organization, whenAvailable } from '../api-client';
import { barChart } from '../charts';
import { emptyState, h, table } from '../dom';
import { formatDay, formatNumber, formatPercent, formatQuantity } from '../format';
import { t } from '../i18n';
import { ViewCleanup, ViewContext, loadError } from './view';

/**
 * A housing cooperative's page: its charge points and subsidy grants (registry, available now),
 * and the usage figures of the charging API (reports/charging-usage), which show an empty state
 * until that API is merged. A cooperative key sees only its own organization (the API answers
 * 404 for others); an admin picks the cooperative.
 */
export function cooperativeView(main: HTMLElement, { client, me }: ViewContext): ViewCleanup {
  document.title = `${t('coop.heading')} – ${t('app.title')}`;
  const destroyers: Array<() => void> = [];
  const content = h('div', {}, h('p', {}, t('app.loading')));
  const heading = h('h1', {}, t('coop.heading'));
  main.append(heading, content);
  const year = new Date().getFullYear();

  async function show(organizationId: string, organizations: Organization[]) {
    for (const destroy of destroyers.splice(0)) destroy();
    const organization = organizations.find((o) => o.id === organizationId);
    if (organization) heading.textContent = `${t('coop.heading')}: ${organization.name}`;
    const [chargePoints, grants, usage] = await Promise.all([
      client.chargePoints(organizationId),
      client.subsidyGrants(organizationId),
      whenAvailable(client.chargingUsage({ organizationId, from: `${year}-01-01`, to: `${year + 1}-01-01` })),
    ]);
    const grantRef = new Map(grants.map((g) => [g.id, g.reference]));
    const sections: Node[] = [
      h(
        'section',
        { 'aria-labelledby': 'cp-heading' },
        h('h2', { id: 'cp-heading' }, t('coop.chargePoints')),
        emptyState(t('coop.liveConnectors')),
        chargePoints.length === 0
          ? emptyState(t('coop.noChargePoints'))
          : h(
              'div',
              { class: 'table-wrap' },
              table(
                t('coop.chargePoints'),
                [{ text: t('col.chargePoint') }, { text: t('col.connectors'), numeric: true }, { text: 'kW', numeric: true }, { text: t('col.reference') }],
                chargePoints.map((cp) =>
                  h(
                    'tr',
                    {},
                    h('th', { scope: 'row' }, cp.name),
                    h('td', { class: 'num' }, formatNumber(cp.connectors)),
                    h('td', { class: 'num' }, formatQuantity(cp.maxKw, 'kW', 1)),
                    h('td', {}, cp.subsidyGrantId ? (grantRef.get(cp.subsidyGrantId) ?? '') : '–'),
                  ),
                ),
              ),
            ),
      ),
      h(
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
      ),
      usageSection(usage, organizationId),
    ];
    content.replaceChildren(...sections);
  }

  function usageSection(usage: ChargingUsageReport | null, organizationId: string): HTMLElement {
    const section = h('section', { 'aria-labelledby': 'usage-heading' }, h('h2', { id: 'usage-heading' }, t('coop.usage')));
    if (!usage) {
      section.append(emptyState(t('coop.pendingCharging')));
      return section;
    }
    const rows = usage.rows ?? [];
    const names = rows.map((r, i) => r.chargePointId ?? String(i + 1));
    const energy = barChart(t('col.energy'), names, [{ label: t('col.energy'), values: rows.map((r) => r.energyKwh) }], 'kWh');
    const shares = barChart(`${t('col.utilization')} / ${t('col.availability')}`, names, [
      { label: t('col.utilization'), values: rows.map((r) => r.utilizationPct) },
      { label: t('col.availability'), values: rows.map((r) => r.availabilityPct) },
    ], '%');
    destroyers.push(energy.destroy, shares.destroy);
    section.append(
      energy.figure,
      shares.figure,
      table(
        t('coop.usage'),
        [{ text: t('col.chargePoint') }, { text: t('col.sessions'), numeric: true }, { text: t('col.energy'), numeric: true }, { text: t('col.utilization'), numeric: true }, { text: t('col.availability'), numeric: true }],
        rows.map((r, i) =>
          h('tr', {}, h('th', { scope: 'row' }, names[i]), h('td', { class: 'num' }, formatNumber(r.sessions)), h('td', { class: 'num' }, formatQuantity(r.energyKwh, 'kWh', 1)), h('td', { class: 'num' }, formatPercent(r.utilizationPct, 1)), h('td', { class: 'num' }, formatPercent(r.availabilityPct, 1))),
        ),
      ),
      h('h3', {}, t('coop.export')),
      h('button', { type: 'button', onclick: () => void client.download('reports/charging-usage', { organizationId, from: `${year}-01-01`, to: `${year + 1}-01-01`, format: 'xlsx' }, `ladebruk-${year}.xlsx`) }, 'XLSX'),
      ' ',
      h('button', { type: 'button', onclick: () => void client.download('reports/charging-usage', { organizationId, from: `${year}-01-01`, to: `${year + 1}-01-01`, format: 'csv' }, `ladebruk-${year}.csv`) }, 'CSV'),
    );
    return section;
  }

  client.organizations().then(
    async (organizations) => {
      const cooperatives = organizations.filter((o) => o.kind === 'housing_cooperative').sort((a, b) => a.name.localeCompare(b.name));
      if (me.role === 'cooperative' && me.organizationId) return show(me.organizationId, organizations);
      if (cooperatives.length === 0) return void content.replaceChildren(emptyState(t('coop.noChargePoints')));
      // Admin: choose the cooperative.
      const picker = h(
        'select',
        { id: 'cooperative-pick', onchange: (event: Event) => void show((event.target as HTMLSelectElement).value, organizations).catch((error) => content.replaceChildren(loadError(error))) },
        ...cooperatives.map((o) => h('option', { value: o.id }, o.name)),
      );
      main.insertBefore(h('div', { class: 'field' }, h('label', { for: 'cooperative-pick' }, t('coop.pickOrganization')), picker), content);
      return show(cooperatives[0].id, organizations);
    },
  ).catch((error) => content.replaceChildren(loadError(error)));

  return () => {
    for (const destroy of destroyers.splice(0)) destroy();
  };
}
