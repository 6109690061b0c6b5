import { FleetVehicle, Trip, VehicleDailyReport, VehicleDay } from '../api-client';

/** A day of the chart and table: a stored day, or an empty one where none is stored. */
type ShownDay = Pick<VehicleDay, 'day' | 'distanceKm' | 'drivingSeconds' | 'fuelUsedL' | 'gasUsedKg' | 'energyChargedKwh' | 'energyConsumedKwh' | 'sampleCount' | 'coverage'>;
import { barChart } from '../charts';
import { COVERAGE_TO_OPEN, coverageText, lastDataDayBefore } from '../coverage';
import { emptyState, field, filtersForm, h, wrappedTable } from '../dom';
import { addDays, formatDateTime, formatDay, formatDuration, formatNumber, formatPercent, formatQuantity, localDay } from '../format';
import { label, t } from '../i18n';
import { DepotStay } from './map-api';
import { mt } from './map-i18n';
import { VehicleTrack, vehicleTrack } from './vehicle-track';
import { ViewCleanup, ViewContext, loadError } from './view';

/** Where the vehicle stands: the depot its last position lies in and since when, or not at a depot. */
function depotText(stay: DepotStay | null | undefined): string {
  return stay ? mt('map.atDepotSince', { depot: stay.name, since: formatDateTime(stay.since) }) : mt('map.notAtDepot');
}

/** Days in the period the page opens on. */
const PERIOD_DAYS = 7;

/**
 * A vehicle: its live state, and for a period its daily figures (with the period's coverage and
 * long-gap flags, reports-v1 amendment 1.1), trips and positions.
 */
export function vehiclePage(main: HTMLElement, { client }: ViewContext, id: string): ViewCleanup {
  const destroyers: Array<() => void> = [];
  let to = localDay(0);
  let from = addDays(to, -(PERIOD_DAYS - 1));
  // Set once the user has chosen a period: the first open's choice must not override it.
  let picked = false;

  const heading = h('h1', {}, t('app.loading'));
  const facts = h('section', { 'aria-labelledby': 'facts-heading' });
  const fromInput = h('input', { id: 'period-from', type: 'date', value: from, required: true });
  const toInput = h('input', { id: 'period-to', type: 'date', value: to, required: true });
  const period = filtersForm(
    { 'aria-label': t('vehicle.period') },
    () => {
      if (!fromInput.value || !toInput.value || fromInput.value > toInput.value) return;
      from = fromInput.value;
      to = toInput.value;
      picked = true;
      void loadPeriod();
    },
    field('period-from', t('vehicle.from'), fromInput),
    field('period-to', t('vehicle.to'), toInput),
    h('button', { type: 'submit' }, t('vehicle.show')),
  );
  const daily = h('section', { 'aria-labelledby': 'daily-heading' });
  const trips = h('section', { 'aria-labelledby': 'trips-heading' });
  const map = h('section', { 'aria-labelledby': 'map-heading' });
  main.append(h('p', {}, h('a', { href: '#/fleet' }, `← ${t('vehicle.back')}`)), heading, facts, period, map, daily, trips);

  let track: Promise<VehicleTrack | null> = Promise.resolve(null);

  function renderFacts(v: FleetVehicle) {
    const s = v.state;
    const item = (term: string, value: Node | string) => [h('dt', {}, term), h('dd', {}, value)];
    facts.replaceChildren(
      h('h2', { id: 'facts-heading' }, t('vehicle.facts')),
      h(
        'dl',
        { class: 'facts' },
        ...item(t('fleet.class'), label('class', v.vehicleClass)),
        ...item(t('fleet.carrier'), label('carrier', v.energyCarrier)),
        ...item(t('fleet.status'), h('span', { class: `status status-${v.status}` }, label('status', v.status))),
        ...item(t('fleet.soc'), formatPercent(s?.socPct, 0)),
        ...item(t('fleet.speed'), formatQuantity(s?.speedKmh, t('unit.kmh'), 0)),
        ...item(t('vehicle.odometer'), formatQuantity(s?.odometerKm, 'km', 1)),
        ...item(t('fleet.lastSeen'), formatDateTime(s?.lastSampleAt)),
        ...item(t('vehicle.position'), s?.position ? `${formatNumber(s.position.lat, 4)}° N, ${formatNumber(s.position.lon, 4)}° ${t('unit.east')}` : '–'),
        ...(s?.position ? item(mt('map.atDepot'), depotText((s as { atDepot?: DepotStay | null }).atDepot)) : []),
      ),
    );
  }

  function renderDaily(report: VehicleDailyReport) {
    // Every day of the period, so that a day without data shows as a gap in the chart and a dash in the table.
    const byDay = new Map(report.days.map((d) => [d.day, d]));
    const days: ShownDay[] = [];
    for (let day = from; day <= to; day = addDays(day, 1)) {
      days.push(byDay.get(day) ?? { day, distanceKm: null, drivingSeconds: 0, fuelUsedL: null, gasUsedKg: null, energyChargedKwh: null, energyConsumedKwh: null, sampleCount: 0, coverage: null });
    }
    const withData = days.filter((d) => d.sampleCount > 0 || d.distanceKm !== null);
    const parts: Node[] = [h('h2', { id: 'daily-heading' }, t('vehicle.daily')), ...totals(report)];
    if (withData.length === 0) parts.push(emptyState(t('vehicle.noDays')));
    else {
      const chart = barChart(
        t('vehicle.dailyChart'),
        days.map((d) => formatDay(d.day)),
        [{ label: t('col.distance'), values: days.map((d) => d.distanceKm) }],
        'km',
      );
      destroyers.push(chart.destroy);
      parts.push(
        chart.figure,
        wrappedTable(
          t('vehicle.daily'),
          [
            { text: t('col.day') },
            { text: t('col.distance'), numeric: true },
            { text: t('col.driving'), numeric: true },
            { text: t('col.fuel'), numeric: true },
            { text: t('col.gas'), numeric: true },
            { text: t('col.consumed'), numeric: true },
            { text: t('col.charged'), numeric: true },
            { text: t('col.samples'), numeric: true },
            { text: t('climate.coverage'), numeric: true },
          ],
          withData.map((d) =>
            h(
              'tr',
              {},
              h('th', { scope: 'row' }, formatDay(d.day)),
              h('td', { class: 'num' }, formatQuantity(d.distanceKm, 'km', 1)),
              h('td', { class: 'num' }, formatDuration(d.drivingSeconds)),
              h('td', { class: 'num' }, formatQuantity(d.fuelUsedL, 'l', 2)),
              h('td', { class: 'num' }, formatQuantity(d.gasUsedKg, 'kg', 2)),
              h('td', { class: 'num' }, formatQuantity(d.energyConsumedKwh, 'kWh', 1)),
              h('td', { class: 'num' }, formatQuantity(d.energyChargedKwh, 'kWh', 1)),
              h('td', { class: 'num' }, formatNumber(d.sampleCount)),
              h('td', { class: 'num' }, d.coverage === null ? '–' : coverageText(d.coverage, false)),
            ),
          ),
        ),
      );
    }
    daily.replaceChildren(...parts);
  }

  /** The period's total distance beside its coverage, and the long gaps it was spread from. */
  function totals(report: VehicleDailyReport): Node[] {
    const { total, flags } = report;
    const nodes: Node[] = [
      h(
        'dl',
        { class: 'facts', id: 'vehicle-totals', 'aria-label': t('vehicle.total') },
        h('dt', {}, `${t('col.distance')} (${t('vehicle.total').toLowerCase()})`),
        h(
          'dd',
          { 'data-figure': 'distanceKm' },
          formatQuantity(total.distanceKm, 'km', 1),
          total.modelledDistanceKm > 0 ? `, ${t('vehicle.modelled')} ${formatQuantity(total.modelledDistanceKm, 'km', 1)}` : '',
        ),
        h('dt', {}, t('climate.coverage')),
        h('dd', { 'data-figure': 'coverage' }, coverageText(total.coverage, true)),
      ),
    ];
    if (flags.length > 0) nodes.push(h('details', { id: 'vehicle-flags' }, h('summary', {}, t('climate.flags', { count: flags.length })), h('ul', {}, ...flags.map((flag) => h('li', {}, flag)))));
    return nodes;
  }

  function renderTrips(list: Trip[]) {
    trips.replaceChildren(
      h('h2', { id: 'trips-heading' }, t('vehicle.trips')),
      list.length === 0
        ? emptyState(t('vehicle.noTrips'))
        : wrappedTable(
            t('vehicle.trips'),
            [
              { text: t('col.start') },
              { text: t('col.end') },
              { text: t('col.duration'), numeric: true },
              { text: t('col.distance'), numeric: true },
              { text: t('col.consumed'), numeric: true },
              { text: t('col.fuel'), numeric: true },
            ],
            list.map((trip) =>
              h(
                'tr',
                {},
                h('td', {}, formatDateTime(trip.startedAt)),
                h('td', {}, formatDateTime(trip.endedAt)),
                h('td', { class: 'num' }, formatDuration(trip.durationSeconds)),
                h('td', { class: 'num' }, formatQuantity(trip.distanceKm, 'km', 1)),
                h('td', { class: 'num' }, formatQuantity(trip.energyConsumedKwh, 'kWh', 1)),
                h('td', { class: 'num' }, formatQuantity(trip.fuelUsedL, 'l', 2)),
              ),
            ),
          ),
    );
  }

  /**
   * The period the page opens on (reports-v1 amendment 1.1: the latest with coverage >= 0.5): the
   * last seven days when their coverage reaches 0.5; else the seven days ending at the last day the
   * vehicle can have covered data (its last sample, or its last day in service when retired), if
   * those reach 0.5; else still the last seven days. At most two daily requests, no search through
   * the history: an earlier covered period before a long silence is left for the user to pick.
   * Returns the chosen period's report, so that it is not fetched twice.
   */
  async function choosePeriod(v: FleetVehicle): Promise<VehicleDailyReport> {
    const recent = await client.daily(id, from, addDays(to, 1));
    if (recent.total.coverage >= COVERAGE_TO_OPEN) return recent;
    const lastSampleDay = v.state ? localDay(0, new Date(v.state.lastSampleAt)) : null;
    const end = lastDataDayBefore(to, lastSampleDay, v.inServiceTo);
    if (end === null) return recent;
    const start = addDays(end, -(PERIOD_DAYS - 1));
    const earlier = await client.daily(id, start, addDays(end, 1));
    if (picked || earlier.total.coverage < COVERAGE_TO_OPEN) return recent;
    [from, to] = [start, end];
    fromInput.value = from;
    toInput.value = to;
    return earlier;
  }

  async function loadPeriod(fetched?: VehicleDailyReport) {
    for (const destroy of destroyers.splice(0)) destroy();
    daily.replaceChildren(h('h2', { id: 'daily-heading' }, t('vehicle.daily')), h('p', {}, t('app.loading')));
    try {
      // Days [from, to] inclusive in the reporting time zone; trips by instant over a slightly
      // wider window (a UTC day either side) and then kept if they start on one of those days.
      const [report, list] = await Promise.all([
        fetched ?? client.daily(id, from, addDays(to, 1)),
        client.trips(id, new Date(`${addDays(from, -1)}T00:00:00Z`), new Date(`${addDays(to, 2)}T00:00:00Z`)),
      ]);
      const inPeriod = list.filter((trip) => {
        const day = localDay(0, new Date(trip.startedAt));
        return day >= from && day <= to;
      });
      renderDaily(report);
      renderTrips(inPeriod);
      // The track of the period's last day with a trip (else its last day); another day can be picked.
      const lastTripDay = inPeriod.length ? localDay(0, new Date(inPeriod[inPeriod.length - 1].startedAt)) : to;
      const shown = await track;
      if (shown) {
        map.replaceChildren(shown.section);
        await shown.showDay(lastTripDay, inPeriod);
      }
    } catch (error) {
      daily.replaceChildren(loadError(error));
    }
  }

  client.vehicle(id).then(
    (v) => {
      document.title = `${v.registration} – ${t('app.title')}`;
      heading.textContent = t('vehicle.heading', { registration: v.registration });
      renderFacts(v);
      track = vehicleTrack(client, v).catch((error) => {
        map.replaceChildren(loadError(error));
        return null;
      });
      daily.replaceChildren(h('h2', { id: 'daily-heading' }, t('vehicle.daily')), h('p', {}, t('app.loading')));
      // The user may have chosen a period meanwhile: that choice has its own load.
      choosePeriod(v).then(
        (report) => {
          if (!picked) void loadPeriod(report);
        },
        () => {
          if (!picked) void loadPeriod(); // shows the error
        },
      );
    },
    (error) => {
      heading.textContent = t('error.notFound');
      facts.replaceChildren(loadError(error));
    },
  );

  return () => {
    for (const destroy of destroyers.splice(0)) destroy();
    void track.then((shown) => shown?.destroy());
  };
}
