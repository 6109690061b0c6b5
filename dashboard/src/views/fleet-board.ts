import { FleetVehicle, StatusChange } from '../api-client';
import { emptyState, h, table } from '../dom';
import { formatDateTime, formatPercent, formatQuantity } from '../format';
import { MessageKey, label, t } from '../i18n';
import { ViewCleanup, ViewContext, loadError } from './view';

/**
 * The live board. Status changes arrive over the SSE stream and are applied at once; the
 * stream carries only status, so the changed vehicle is then re-read for its SoC, speed and
 * last-seen time, and the whole list is re-read every REFRESH_MS (SoC and speed change without
 * a status change) and after the stream reconnects (events sent while it was down are lost,
 * the state table is the truth).
 */
const REFRESH_MS = 15_000;
const RETRY_MS = [1_000, 2_000, 5_000, 10_000];

interface Filters {
  department: string;
  vehicleClass: string;
  energyCarrier: string;
  status: string;
}

// Kept across visits, so that coming back from a vehicle page keeps the filters.
const filters: Filters = { department: '', vehicleClass: '', energyCarrier: '', status: '' };

export function fleetBoard(main: HTMLElement, { client }: ViewContext): ViewCleanup {
  document.title = `${t('fleet.heading')} – ${t('app.title')}`;
  const vehicles = new Map<string, FleetVehicle>();
  const departments = new Map<string, string>();
  const rows = new Map<string, HTMLTableRowElement>();
  const stop = new AbortController();
  const timers: number[] = [];

  const live = h('p', { class: 'live', id: 'live-status', role: 'status' }, t('live.connecting'));
  const filterForm = h('form', { class: 'filters', 'aria-label': t('fleet.filters'), onsubmit: (event: Event) => event.preventDefault() });
  const count = h('p', { id: 'fleet-count', 'aria-live': 'polite' });
  const board = h('div', { class: 'table-wrap' }, h('p', {}, t('app.loading')));
  main.append(h('h1', {}, t('fleet.heading')), live, filterForm, count, board);

  function matches(vehicle: FleetVehicle): boolean {
    return (
      (!filters.department || vehicle.departmentId === filters.department) &&
      (!filters.vehicleClass || vehicle.vehicleClass === filters.vehicleClass) &&
      (!filters.energyCarrier || vehicle.energyCarrier === filters.energyCarrier) &&
      // Retired vehicles (past their last day in service) only when asked for: they are not the live fleet.
      (filters.status ? vehicle.status === filters.status : vehicle.status !== 'retired')
    );
  }

  function select(id: keyof Filters, text: MessageKey, options: Array<[string, string]>, all: MessageKey = 'fleet.all') {
    const control = h(
      'select',
      { id: `filter-${id}`, name: id, onchange: (event: Event) => ((filters[id] = (event.target as HTMLSelectElement).value), renderRows()) },
      h('option', { value: '' }, t(all)),
      ...options.map(([value, text]) => h('option', { value, selected: filters[id] === value }, text)),
    );
    return h('div', { class: 'field' }, h('label', { for: `filter-${id}` }, t(text)), control);
  }

  function renderFilters() {
    const values = (key: (vehicle: FleetVehicle) => string) => [...new Set([...vehicles.values()].map(key))];
    const labelled = (prefix: 'class' | 'carrier' | 'status', list: string[]) =>
      list.map((value): [string, string] => [value, label(prefix, value)]).sort((a, b) => a[1].localeCompare(b[1]));
    filterForm.replaceChildren(
      select(
        'department',
        'fleet.department',
        values((v) => v.departmentId)
          .map((id): [string, string] => [id, departments.get(id) ?? id])
          .sort((a, b) => a[1].localeCompare(b[1])),
      ),
      select('vehicleClass', 'fleet.class', labelled('class', values((v) => v.vehicleClass))),
      select('energyCarrier', 'fleet.carrier', labelled('carrier', values((v) => v.energyCarrier))),
      select('status', 'fleet.status', labelled('status', ['online', 'offline', 'unknown', 'retired']), 'fleet.inService'),
    );
  }

  function cells(vehicle: FleetVehicle): Node[] {
    const state = vehicle.state;
    return [
      h('th', { scope: 'row' }, h('a', { href: `#/vehicles/${vehicle.id}` }, vehicle.registration)),
      h('td', {}, label('class', vehicle.vehicleClass)),
      h('td', {}, label('carrier', vehicle.energyCarrier)),
      h('td', {}, departments.get(vehicle.departmentId) ?? ''),
      h('td', {}, h('span', { class: `status status-${vehicle.status}` }, label('status', vehicle.status))),
      h('td', { class: 'num' }, formatPercent(state?.socPct, 0)),
      h('td', { class: 'num' }, formatQuantity(state?.speedKmh, t('unit.kmh'), 0)),
      h('td', {}, h('time', { datetime: state?.lastSampleAt ?? null }, formatDateTime(state?.lastSampleAt))),
    ];
  }

  function row(vehicle: FleetVehicle): HTMLTableRowElement {
    const element = h('tr', { 'data-vehicle-id': vehicle.id, 'data-status': vehicle.status }, ...cells(vehicle));
    rows.set(vehicle.id, element);
    return element;
  }

  function updateRow(vehicle: FleetVehicle, flash: boolean) {
    const element = rows.get(vehicle.id);
    if (!element) return;
    element.replaceChildren(...cells(vehicle));
    element.dataset.status = vehicle.status;
    if (flash) {
      element.classList.remove('changed');
      void element.offsetWidth; // restart the highlight animation
      element.classList.add('changed');
    }
  }

  function renderRows() {
    rows.clear();
    const all = [...vehicles.values()].sort((a, b) => a.registration.localeCompare(b.registration));
    const shown = all.filter(matches);
    count.textContent = t('fleet.count', { shown: shown.length, total: all.length });
    if (all.length === 0) return board.replaceChildren(emptyState(t('fleet.none')));
    if (shown.length === 0) return board.replaceChildren(emptyState(t('fleet.empty')));
    board.replaceChildren(
      table(
        t('fleet.heading'),
        [
          { text: t('fleet.registration') },
          { text: t('fleet.class') },
          { text: t('fleet.carrier') },
          { text: t('fleet.department') },
          { text: t('fleet.status') },
          { text: t('fleet.soc'), numeric: true },
          { text: t('fleet.speed'), numeric: true },
          { text: t('fleet.lastSeen') },
        ],
        shown.map(row),
      ),
    );
  }

  async function reload(first: boolean) {
    const [list, organizations] = await Promise.all([client.vehicles(), first ? client.organizations() : Promise.resolve(null)]);
    if (organizations) for (const organization of organizations) departments.set(organization.id, organization.name);
    const before = new Set(vehicles.keys());
    vehicles.clear();
    for (const vehicle of list) vehicles.set(vehicle.id, vehicle);
    const sameSet = before.size === vehicles.size && [...vehicles.keys()].every((id) => before.has(id));
    if (first || !sameSet) {
      renderFilters();
      renderRows();
    } else {
      // Same vehicles: update cells in place (keeps keyboard focus); re-filter only if the rows shown differ.
      const shown = list.filter(matches);
      if (shown.length !== rows.size || shown.some((vehicle) => !rows.has(vehicle.id))) renderRows();
      else for (const vehicle of list) updateRow(vehicle, false);
    }
  }

  // Vehicles to re-read for their other fields, once per burst of events: one by one for a few,
  // the whole list when many changed at once (the offline sweep can turn dozens offline).
  const pending = new Set<string>();
  let flush: number | undefined;
  function reread() {
    flush = undefined;
    const ids = [...pending];
    pending.clear();
    if (ids.length > 10) return void reload(false).catch(() => undefined);
    for (const id of ids) {
      client.vehicle(id).then(
        (fresh) => {
          if (stop.signal.aborted) return;
          vehicles.set(fresh.id, fresh);
          updateRow(fresh, false);
        },
        () => undefined,
      );
    }
  }

  function applyChange(change: StatusChange) {
    const vehicle = vehicles.get(change.vehicleId);
    if (!vehicle) return void reload(false).catch(() => undefined);
    vehicle.status = change.status;
    if (vehicle.state) vehicle.state.statusSince = change.since;
    if (!matches(vehicle)) renderRows();
    else if (rows.has(vehicle.id)) updateRow(vehicle, true);
    else renderRows();
    pending.add(vehicle.id);
    if (flush === undefined) timers.push((flush = window.setTimeout(reread, 500)));
  }

  async function follow() {
    let attempt = 0;
    while (!stop.signal.aborted) {
      try {
        await client.streamStatus(
          applyChange,
          () => {
            live.textContent = t('live.connected');
            live.dataset.state = 'connected';
            if (attempt > 0) void reload(false).catch(() => undefined);
            attempt = 0;
          },
          stop.signal,
        );
      } catch {
        if (stop.signal.aborted) return;
      }
      live.textContent = t('live.lost');
      live.dataset.state = 'lost';
      await new Promise((resolve) => timers.push(window.setTimeout(resolve, RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)])));
      attempt++;
    }
  }

  reload(true).then(
    () => {
      void follow();
      timers.push(window.setInterval(() => void reload(false).catch(() => undefined), REFRESH_MS));
    },
    (error) => board.replaceChildren(loadError(error)),
  );

  return () => {
    stop.abort();
    for (const timer of timers) {
      clearTimeout(timer);
      clearInterval(timer);
    }
  };
}
