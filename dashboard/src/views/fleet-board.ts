import { FleetVehicle, StatusChange } from '../api-client';
import { emptyState, h, svg } from '../dom';
import { formatDateTime, formatPercent, formatQuantity } from '../format';
import { MessageKey, label, t } from '../i18n';
import { VehicleLayer, drawDepots, fit, legend, mapFrame } from './fleet-map';
import { MapSettings, mapApi } from './map-api';
import { mt } from './map-i18n';
import { energyLevel, mapState } from './map-state';
import { ViewCleanup, ViewContext, loadError } from './view';

/**
 * The live board: the fleet on a map beside a searchable, sortable list. Status changes arrive
 * over the SSE stream and are applied at once (the marker recolours, the row is marked); the
 * stream carries only status, so the changed vehicle is then re-read for its position, SoC,
 * speed and last-seen time, and the whole list is re-read every REFRESH_MS (positions, SoC and
 * speed change without a status change) and after the stream reconnects (events sent while it
 * was down are lost, the state table is the truth). Filters, search and sort live in the URL
 * (#/fleet?status=offline&sort=speed&dir=desc), so that a link or a reload keeps them.
 *
 * With a fleet of thousands, the list renders only the rows in (and near) its scrolled view,
 * between two spacer rows of the height of the others, and status changes are applied once per
 * animation frame however many arrive; the map is one canvas (fleet-map.ts, VehicleLayer).
 */
const REFRESH_MS = 15_000;
/**
 * Re-reads ask for the list in pages of this many: each page's JSON is parsed in a task of its
 * own, where the whole fleet's (2 MB for 2,000 vehicles) would be one long task while the board
 * is in use. The first load asks for it in one request: there the wait counts.
 */
const REREAD_PAGE = 500;
/** Rows rendered beyond the visible ones, above and below, so that scrolling and Tab find them there. */
const OVERSCAN = 15;
/** Rows rendered before the first one is measured: about what a laptop's list shows with its overscan (more would be built only to be cut back). */
const FIRST_ROWS = 35;
const collator = new Intl.Collator(undefined, { numeric: true });
const RETRY_MS = [1_000, 2_000, 5_000, 10_000];

interface Filters {
  department: string;
  vehicleClass: string;
  energyCarrier: string;
  status: string;
  q: string;
  sort: string;
  dir: string;
}
const FILTER_KEYS: Array<keyof Filters> = ['department', 'vehicleClass', 'energyCarrier', 'status', 'q', 'sort', 'dir'];

// The last filters, so that coming back from a vehicle page (a plain #/fleet link) keeps them.
let remembered = '';

/** The board's filters from the hash's query (#/fleet?…), else the ones last used. */
function readFilters(): Filters {
  const query = new URLSearchParams(location.hash.split('?')[1] ?? remembered);
  const filters = Object.fromEntries(FILTER_KEYS.map((key) => [key, query.get(key) ?? ''])) as unknown as Filters;
  return filters;
}

/** Writes the filters into the hash without a navigation (replaceState fires no hashchange). */
function writeFilters(filters: Filters) {
  const query = new URLSearchParams();
  for (const key of FILTER_KEYS) if (filters[key]) query.set(key, filters[key]);
  const search = query.toString();
  remembered = search;
  history.replaceState(history.state, '', `#/fleet${search ? `?${search}` : ''}`);
}

/** A crosshair: the icon of the list's "show on map" button (an SVG: not every font has ⌖). */
const locateIcon = () =>
  svg(
    'svg',
    { viewBox: '0 0 16 16', width: 14, height: 14, 'aria-hidden': 'true', focusable: 'false' },
    svg('circle', { cx: 8, cy: 8, r: 5, fill: 'none', stroke: 'currentColor', 'stroke-width': 1.6 }),
    svg('path', { d: 'M8 0v5M8 11v5M0 8h5M11 8h5', stroke: 'currentColor', 'stroke-width': 1.6 }),
  );

interface Column {
  key: string;
  text: string;
  numeric?: boolean;
  /** Hidden when the list has no room for it (map.css): class, carrier and department below a very wide screen, last seen on a tablet or phone. */
  hideClass?: string;
  sortValue: (vehicle: FleetVehicle) => string | number | null;
}

export function fleetBoard(main: HTMLElement, { client }: ViewContext): ViewCleanup {
  document.title = `${t('fleet.heading')} – ${t('app.title')}`;
  const api = mapApi(client);
  const filters = readFilters();
  if (!location.hash.includes('?') && remembered) writeFilters(filters);
  const vehicles = new Map<string, FleetVehicle>();
  const departments = new Map<string, string>();
  /** The rendered rows (those in the list's window) and what each shows, to skip unchanged ones. */
  const rows = new Map<string, { element: HTMLTableRowElement; key: string }>();
  /** The vehicles the list shows, filtered and sorted; only the window of them is rendered. */
  let shown: FleetVehicle[] = [];
  /** When each vehicle's status last changed while the board was open: the row keeps a mark. */
  const changedAt = new Map<string, Date>();
  const stop = new AbortController();
  const timers: number[] = [];
  let markers: VehicleLayer | null = null;
  let destroyMap: (() => void) | undefined;

  const live = h('p', { class: 'live', id: 'live-status', role: 'status' }, t('live.connecting'));
  const filterForm = h('form', { class: 'filters', 'aria-label': t('fleet.filters'), onsubmit: (event: Event) => event.preventDefault() });
  const count = h('p', { id: 'fleet-count', 'aria-live': 'polite' });
  const noPosition = h('p', { class: 'note', id: 'fleet-no-position' });
  const mapPlace = h('section', { class: 'board-map', 'aria-label': mt('map.label') });
  const board = h('div', { class: 'table-wrap board-list' }, h('p', {}, t('app.loading')));
  board.addEventListener('scroll', () => scheduleWindow(), { passive: true });
  // A new layout (a turned phone, a wider window) changes the rows' height and the list's.
  const resized = () => measureSoon();
  window.addEventListener('resize', resized);
  main.classList.add('board-page'); // the screen's whole width (map.css)
  main.append(h('h1', {}, t('fleet.heading')), live, filterForm, count, h('div', { class: 'board' }, h('div', { class: 'board-map-column' }, mapPlace, noPosition), board));

  // While the list is on its way: the first use of a number, date or sort format loads its
  // locale's data (tens of milliseconds), better spent now than after the list has arrived.
  formatPercent(0);
  formatDateTime(new Date());
  collator.compare('a', 'b');

  const level = (vehicle: FleetVehicle) => energyLevel(vehicle)?.pct ?? null;
  const columns: Column[] = [
    { key: 'registration', text: t('fleet.registration'), sortValue: (v) => v.registration },
    { key: 'class', text: t('fleet.class'), hideClass: 'col-wide', sortValue: (v) => label('class', v.vehicleClass) },
    { key: 'carrier', text: t('fleet.carrier'), hideClass: 'col-wide', sortValue: (v) => label('carrier', v.energyCarrier) },
    { key: 'department', text: t('fleet.department'), hideClass: 'col-wide', sortValue: (v) => departments.get(v.departmentId) ?? '' },
    { key: 'status', text: t('fleet.status'), sortValue: (v) => label('status', v.status) },
    { key: 'level', text: mt('map.level'), numeric: true, sortValue: level },
    { key: 'speed', text: t('fleet.speed'), numeric: true, sortValue: (v) => v.state?.speedKmh ?? null },
    { key: 'lastSeen', text: t('fleet.lastSeen'), hideClass: 'col-desk', sortValue: (v) => v.state?.lastSampleAt ?? null },
  ];

  const searchable = (text: string) => text.toLowerCase().replace(/[\s-]/g, '');

  function matches(vehicle: FleetVehicle): boolean {
    return (
      (!filters.q || searchable(vehicle.registration).includes(searchable(filters.q))) &&
      (!filters.department || vehicle.departmentId === filters.department) &&
      (!filters.vehicleClass || vehicle.vehicleClass === filters.vehicleClass) &&
      (!filters.energyCarrier || vehicle.energyCarrier === filters.energyCarrier) &&
      // Retired vehicles (past their last day in service) only when asked for: they are not the live fleet.
      (filters.status ? vehicle.status === filters.status : vehicle.status !== 'retired')
    );
  }

  function changeFilter(key: keyof Filters, value: string) {
    filters[key] = value;
    writeFilters(filters);
    renderRows();
  }

  function select(id: keyof Filters, text: MessageKey, options: Array<[string, string]>, all: MessageKey = 'fleet.all') {
    const control = h(
      'select',
      { id: `filter-${id}`, name: id, onchange: (event: Event) => changeFilter(id, (event.target as HTMLSelectElement).value) },
      h('option', { value: '' }, t(all)),
      ...options.map(([value, text]) => h('option', { value, selected: filters[id] === value }, text)),
    );
    return h('div', { class: 'field' }, h('label', { for: `filter-${id}` }, t(text)), control);
  }

  function renderFilters() {
    const values = (key: (vehicle: FleetVehicle) => string) => [...new Set([...vehicles.values()].map(key))];
    const labelled = (prefix: 'class' | 'carrier' | 'status', list: string[]) => list.map((value): [string, string] => [value, label(prefix, value)]).sort((a, b) => a[1].localeCompare(b[1]));
    const search = h('input', {
      id: 'fleet-search',
      type: 'search',
      name: 'q',
      value: filters.q,
      autocomplete: 'off',
      oninput: (event: Event) => changeFilter('q', (event.target as HTMLInputElement).value.trim()),
    });
    filterForm.replaceChildren(
      h('div', { class: 'field' }, h('label', { for: 'fleet-search' }, mt('map.search')), search),
      select(
        'department',
        'fleet.department',
        values((v) => v.departmentId)
          .map((id): [string, string] => [id, departments.get(id) ?? id])
          .sort((a, b) => a[1].localeCompare(b[1])),
      ),
      select(
        'vehicleClass',
        'fleet.class',
        labelled(
          'class',
          values((v) => v.vehicleClass),
        ),
      ),
      select(
        'energyCarrier',
        'fleet.carrier',
        labelled(
          'carrier',
          values((v) => v.energyCarrier),
        ),
      ),
      select('status', 'fleet.status', labelled('status', ['online', 'offline', 'unknown', 'retired']), 'fleet.inService'),
    );
  }

  function levelText(vehicle: FleetVehicle): string {
    const known = energyLevel(vehicle);
    if (!known) return formatPercent(null);
    return known.kind === 'fuel' ? `${mt('map.fuel')} ${formatPercent(known.pct, 0)}` : formatPercent(known.pct, 0);
  }

  function cells(vehicle: FleetVehicle): Node[] {
    const state = vehicle.state;
    const changed = changedAt.get(vehicle.id);
    const cell = (column: number, ...content: Array<Node | string>) =>
      h(column === 0 ? 'th' : 'td', { scope: column === 0 ? 'row' : null, class: [columns[column].numeric ? 'num' : '', columns[column].hideClass ?? ''].join(' ').trim() || null }, ...content);
    // The canvas has no element per vehicle: this button is the keyboard's and screen reader's way to a vehicle's card.
    const locate = markers?.has(vehicle.id)
      ? h(
          'button',
          {
            type: 'button',
            class: 'locate',
            title: mt('map.showOnMap', { registration: vehicle.registration }),
            'aria-label': mt('map.showOnMap', { registration: vehicle.registration }),
            onclick: () => showOnMap(vehicle.id),
          },
          locateIcon(),
        )
      : null;
    return [
      cell(0, h('a', { href: `#/vehicles/${vehicle.id}` }, vehicle.registration), ...(locate ? [' ', locate] : [])),
      cell(1, label('class', vehicle.vehicleClass)),
      cell(2, label('carrier', vehicle.energyCarrier)),
      cell(3, departments.get(vehicle.departmentId) ?? ''),
      cell(
        4,
        h('span', { class: `status status-${vehicle.status}` }, label('status', vehicle.status)),
        ...(changed
          ? [h('span', { class: 'changed-mark', title: mt('map.changed', { time: formatDateTime(changed) }), 'aria-label': mt('map.changed', { time: formatDateTime(changed) }) }, '●')]
          : []),
      ),
      cell(5, levelText(vehicle)),
      cell(6, formatQuantity(state?.speedKmh, t('unit.kmh'), 0)),
      cell(7, h('time', { datetime: state?.lastSampleAt ?? null }, formatDateTime(state?.lastSampleAt))),
    ];
  }

  /** What a row shows, as one string: a row is rebuilt only when it differs. */
  function rowKey(vehicle: FleetVehicle): string {
    const state = vehicle.state;
    return [vehicle.status, mapState(vehicle), levelText(vehicle), state?.speedKmh, state?.lastSampleAt, changedAt.get(vehicle.id)?.getTime(), markers?.has(vehicle.id)].join('|');
  }

  /** The row of a vehicle, from the rendered ones when it is current; `index` is its place in the list (aria-rowindex). */
  function row(vehicle: FleetVehicle, index: number): HTMLTableRowElement {
    const key = rowKey(vehicle);
    let known = rows.get(vehicle.id);
    if (!known) {
      known = { element: h('tr', { 'data-vehicle-id': vehicle.id }), key: '' };
      rows.set(vehicle.id, known);
    }
    const element = known.element;
    if (known.key !== key) {
      element.replaceChildren(...cells(vehicle));
      element.dataset.status = vehicle.status;
      element.dataset.state = mapState(vehicle);
      known.key = key;
    }
    element.setAttribute('aria-rowindex', String(index + 2)); // the header row is 1
    return element;
  }

  function flash(vehicleId: string) {
    const element = rows.get(vehicleId)?.element;
    if (!element) return;
    // Restart the highlight: the class off now, on again in the next frame (no forced layout).
    element.classList.remove('changed');
    requestAnimationFrame(() => element.classList.add('changed'));
  }

  function sorted(list: FleetVehicle[]): FleetVehicle[] {
    const column = columns.find((c) => c.key === filters.sort) ?? columns[0];
    const direction = filters.dir === 'desc' ? -1 : 1;
    // Each vehicle's sort value once, not once per comparison.
    const values = new Map(list.map((vehicle) => [vehicle, column.sortValue(vehicle)]));
    return list.sort((a, b) => {
      const [x, y] = [values.get(a) ?? null, values.get(b) ?? null];
      // Unknown values last in either direction; ties by registration.
      if (x === null || y === null) return x === y ? collator.compare(a.registration, b.registration) : x === null ? 1 : -1;
      const order = typeof x === 'number' && typeof y === 'number' ? x - y : collator.compare(String(x), String(y));
      return order * direction || collator.compare(a.registration, b.registration);
    });
  }

  function header(column: Column): HTMLElement {
    const active = (filters.sort || 'registration') === column.key;
    const descending = active && filters.dir === 'desc';
    const sort = () => {
      filters.sort = column.key === 'registration' ? '' : column.key;
      filters.dir = active && !descending ? 'desc' : '';
      writeFilters(filters);
      renderRows();
      document.getElementById(`sort-${column.key}`)?.focus();
    };
    return h(
      'th',
      { scope: 'col', class: [column.numeric ? 'num' : '', column.hideClass ?? ''].join(' ').trim() || null, 'aria-sort': active ? (descending ? 'descending' : 'ascending') : null },
      h('button', { type: 'button', class: 'sort', id: `sort-${column.key}`, title: mt('map.sortBy', { column: column.text }), onclick: sort }, column.text, active ? (descending ? ' ▼' : ' ▲') : ''),
    );
  }

  // The list's window: a table whose tbody holds a spacer row, the rendered rows, a spacer row.
  let tbody: HTMLTableSectionElement | null = null;
  let table: HTMLTableElement | null = null;
  const spacer = () => h('tr', { class: 'spacer', 'aria-hidden': 'true' }, h('td', { colspan: columns.length }));
  const [above, below] = [spacer(), spacer()];
  /** A rendered row's height and the rows' offset in the scrolled list, measured once per layout. */
  let rowHeight = 0;
  let rowsTop = 0;
  let windowFrame: number | undefined;

  /** Filters and sorts the list anew, and renders its window from the top. */
  function renderRows() {
    const all = [...vehicles.values()];
    shown = sorted(all.filter(matches));
    count.textContent = t('fleet.count', { shown: shown.length, total: all.length });
    if (markers) {
      let unplaced = 0;
      for (const vehicle of all) {
        const wanted = matches(vehicle);
        if (!markers.show(vehicle, wanted) && wanted) unplaced++;
      }
      noPosition.textContent = unplaced ? mt('map.noPosition', { count: unplaced }) : '';
    }
    rows.clear();
    tbody = table = null;
    if (all.length === 0) return board.replaceChildren(emptyState(t('fleet.none')));
    if (shown.length === 0) return board.replaceChildren(emptyState(t('fleet.empty')));
    tbody = h('tbody', {});
    table = h('table', {}, h('caption', {}, t('fleet.heading')), h('thead', {}, h('tr', { 'aria-rowindex': 1 }, ...columns.map(header))), tbody);
    board.replaceChildren(table);
    renderWindow();
  }

  function scheduleWindow() {
    windowFrame ??= requestAnimationFrame(() => {
      windowFrame = undefined;
      renderWindow();
    });
  }

  /** Renders the rows in and near the list's scrolled view, reusing rendered ones (which keeps keyboard focus on them). */
  function renderWindow() {
    if (!tbody || !table) return;
    table.setAttribute('aria-rowcount', String(shown.length + 1));
    let [first, last] = [0, Math.min(shown.length, FIRST_ROWS)];
    if (rowHeight > 0) {
      // Layout reads first, then writes only.
      const top = Math.max(0, board.scrollTop - rowsTop);
      first = Math.max(0, Math.min(shown.length, Math.floor(top / rowHeight)) - OVERSCAN);
      last = Math.min(shown.length, Math.ceil((top + board.clientHeight) / rowHeight) + OVERSCAN);
    }
    const wanted = shown.slice(first, last).map((vehicle, i) => row(vehicle, first + i));
    const keep = new Set(wanted);
    for (const [id, known] of rows) if (!keep.has(known.element)) rows.delete(id);
    // Spacers only when they have a height: a short list is rows only.
    const [aboveHeight, belowHeight] = [first * rowHeight, (shown.length - last) * rowHeight];
    above.style.height = `${aboveHeight}px`;
    below.style.height = `${belowHeight}px`;
    const children = [...(aboveHeight > 0 ? [above] : []), ...wanted, ...(belowHeight > 0 || (rowHeight === 0 && last < shown.length) ? [below] : [])];
    // Move only what is out of place, so that a row that stays is never detached (it may have focus).
    let cursor = tbody.firstChild;
    for (const child of children) {
      if (cursor === child) cursor = cursor.nextSibling;
      else tbody.insertBefore(child, cursor);
    }
    while (cursor) {
      const next: ChildNode | null = cursor.nextSibling;
      cursor.remove();
      cursor = next;
    }
    if (rowHeight === 0 && wanted.length > 0) measureSoon();
  }

  /** Measures a row in the next frame, where the layout is due anyway (not forced now), and draws the window to size. */
  let measuring = false;
  function measureSoon() {
    if (measuring) return;
    measuring = true;
    requestAnimationFrame(() => {
      measuring = false;
      const first = tbody?.querySelector<HTMLElement>('tr:not(.spacer)');
      if (!first || !first.isConnected) return;
      const box = first.getBoundingClientRect();
      if (box.height === 0) return; // not laid out (a hidden view): measured on the next scroll or resize
      rowHeight = box.height;
      rowsTop = box.top - board.getBoundingClientRect().top + board.scrollTop - Number.parseFloat(above.style.height || '0') * Number(above.isConnected);
      renderWindow();
    });
  }

  /** The popup of a marker: the vehicle as the board knows it now. */
  function card(vehicleId: string): HTMLElement {
    const vehicle = vehicles.get(vehicleId);
    if (!vehicle) return h('p', {}, '–');
    const state = vehicle.state;
    const item = (term: string, value: string) => [h('dt', {}, term), h('dd', {}, value)];
    return h(
      'div',
      { class: 'vehicle-card', 'data-vehicle-id': vehicle.id },
      h('p', { class: 'card-title' }, h('strong', {}, vehicle.registration), ' ', h('span', { class: `status status-${vehicle.status}` }, mt(`map.state.${mapState(vehicle)}`))),
      h(
        'dl',
        {},
        ...item(t('fleet.department'), departments.get(vehicle.departmentId) ?? ''),
        ...item(mt('map.level'), levelText(vehicle)),
        ...item(t('fleet.speed'), formatQuantity(state?.speedKmh, t('unit.kmh'), 0)),
        ...item(t('fleet.lastSeen'), formatDateTime(state?.lastSampleAt)),
      ),
      h('a', { href: `#/vehicles/${vehicle.id}` }, mt('map.open')),
    );
  }

  /** The map, empty; returns what draws the depots and fits the view once the list has placed the vehicles. */
  function placeMap(settings: MapSettings | null, depots: Parameters<typeof drawDepots>[1]): () => void {
    if (!settings) return () => undefined; // no map for this role or a failed load: the list still works
    const frame = mapFrame(settings, mt('map.label'));
    destroyMap = frame.destroy;
    mapPlace.replaceChildren(frame.figure, legend());
    frame.map.invalidateSize();
    markers = new VehicleLayer(card);
    frame.map.addLayer(markers);
    return () => fit(frame.map, markers?.bounds() ?? null, drawDepots(frame.map, depots));
  }

  /** The list's "show on map": the vehicle's card on the map, with the keyboard in it (Escape closes it, back to the button). */
  function showOnMap(vehicleId: string) {
    const from = document.activeElement as HTMLElement | null;
    const popup = markers?.open(vehicleId);
    if (!popup) return;
    mapPlace.scrollIntoView({ block: 'nearest' });
    popup.getElement()?.querySelector<HTMLElement>('.vehicle-card a')?.focus();
    popup.once('remove', () => {
      if (from?.isConnected && (!document.activeElement || document.activeElement === document.body || mapPlace.contains(document.activeElement))) from.focus();
    });
  }

  async function reload(first: boolean) {
    // The first time, the map is placed as soon as its settings are there: the list takes longer to arrive.
    const placing = first
      ? Promise.all([api.settings().catch(() => null), api.depots().catch(() => [])]).then(([settings, depots]) => (stop.signal.aborted ? undefined : placeMap(settings, depots)))
      : undefined;
    const [list, organizations, fitMap] = await Promise.all([client.vehicles(first ? undefined : REREAD_PAGE), first ? client.organizations() : null, placing]);
    if (stop.signal.aborted) return;
    if (organizations) for (const organization of organizations) departments.set(organization.id, organization.name);
    const before = new Set(vehicles.keys());
    vehicles.clear();
    for (const vehicle of list) vehicles.set(vehicle.id, vehicle);
    const sameSet = before.size === vehicles.size && [...vehicles.keys()].every((id) => before.has(id));
    if (first || !sameSet) {
      renderFilters();
      renderRows(); // the list, and the vehicles on the map
      fitMap?.();
    } else {
      // Same vehicles: the list keeps its order and only the rendered rows that differ change
      // (keeps scroll and keyboard focus); it is filtered and sorted anew only if other vehicles match.
      const matching = list.filter(matches);
      const before = new Set(shown.map((vehicle) => vehicle.id));
      if (matching.length !== before.size || matching.some((vehicle) => !before.has(vehicle.id))) return renderRows();
      shown = shown.map((vehicle) => vehicles.get(vehicle.id)!);
      for (const vehicle of matching) markers?.show(vehicle, true);
      renderWindow();
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
          if (stop.signal.aborted || !vehicles.has(fresh.id)) return;
          const wasShown = matches(vehicles.get(fresh.id)!);
          vehicles.set(fresh.id, fresh);
          if (matches(fresh) !== wasShown) return renderRows();
          shown = shown.map((vehicle) => (vehicle.id === fresh.id ? fresh : vehicle));
          markers?.show(fresh, wasShown);
          scheduleWindow();
        },
        () => undefined,
      );
    }
  }

  // Status changes wait for the next animation frame and are applied together: a burst of them
  // (the offline sweep, a broker restart) costs one pass over the list, not one per event.
  const changes: StatusChange[] = [];
  let changeFrame: number | undefined;

  function applyChange(change: StatusChange) {
    changes.push(change);
    changeFrame ??= requestAnimationFrame(applyChanges);
  }

  function applyChanges() {
    changeFrame = undefined;
    let refilter = false;
    let unknown = false;
    const changed = new Set<string>();
    for (const change of changes.splice(0)) {
      const vehicle = vehicles.get(change.vehicleId);
      if (!vehicle) {
        unknown = true; // registered since the list was read: read it again
        continue;
      }
      const wasShown = matches(vehicle);
      vehicle.status = change.status;
      if (vehicle.state) vehicle.state.statusSince = change.since;
      changedAt.set(vehicle.id, new Date(change.since));
      if (matches(vehicle) !== wasShown) refilter = true;
      else markers?.show(vehicle, wasShown);
      changed.add(vehicle.id);
      pending.add(vehicle.id);
    }
    if (refilter) renderRows();
    else renderWindow();
    for (const id of changed) flash(id);
    if (unknown) void reload(false).catch(() => undefined);
    if (changed.size > 0 && flush === undefined) timers.push((flush = window.setTimeout(reread, 500)));
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
    main.classList.remove('board-page');
    window.removeEventListener('resize', resized);
    if (changeFrame !== undefined) cancelAnimationFrame(changeFrame);
    if (windowFrame !== undefined) cancelAnimationFrame(windowFrame);
    destroyMap?.();
    for (const timer of timers) {
      clearTimeout(timer);
      clearInterval(timer);
    }
  };
}
