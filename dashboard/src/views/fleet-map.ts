/**
 * The dashboard's maps on Leaflet (bundled, no CDN): raster tiles from the configured source
 * (MAP_TILE_URL) only, on a plain background with a notice when there is none or none answers,
 * so that vehicles, depots and tracks are drawn either way. The live board's vehicles are drawn
 * on one canvas (VehicleLayer); depots and tracks are SVG.
 */
import * as L from 'leaflet';
import { FleetVehicle } from '../api-client';
import { h } from '../dom';
import { Depot, MapSettings } from './map-api';
import { MapState, mapState } from './map-state';
import { mt } from './map-i18n';

/** Bærum, where the demo fleet drives: the view when there is nothing to fit. */
const HOME: L.LatLngExpression = [59.9, 10.55];

export const STATE_COLOURS: Record<MapState, string> = { driving: '#1565c0', parked: '#2e7d32', charging: '#e65100', offline: '#757575' };

export interface MapFrame {
  map: L.Map;
  figure: HTMLElement;
  destroy(): void;
}

/** A map in a figure with its notice line; call `map.invalidateSize()` once the figure is in the page. */
export function mapFrame(settings: MapSettings, label: string, className = 'leaflet-frame'): MapFrame {
  const container = h('div', { class: className, role: 'region', 'aria-label': label });
  const notice = h('p', { class: 'map-notice', role: 'status', hidden: true });
  const figure = h('figure', { class: 'live-map' }, container, notice);
  // No animations: a view left while one runs (a quick click to another page) would have its
  // frames run on the removed map (Leaflet's "reading '_leaflet_pos'" error); they also cost
  // frames the live board needs.
  const map = L.map(container, { maxZoom: settings.tiles?.maxZoom ?? 18, zoomSnap: 0.5, zoomAnimation: false, fadeAnimation: false, markerZoomAnimation: false, inertia: false }).setView(HOME, 11);
  map.attributionControl.setPrefix(false);
  const missing = (text: string) => {
    notice.textContent = text;
    notice.hidden = false;
    container.dataset.tiles = 'missing';
  };
  if (!settings.tiles) missing(mt('map.tilesNone'));
  else {
    let loaded = 0;
    L.tileLayer(settings.tiles.url, { attribution: settings.tiles.attribution, maxZoom: settings.tiles.maxZoom })
      .on('tileload', () => {
        loaded++;
        notice.hidden = true;
        container.dataset.tiles = 'loaded';
      })
      .on('tileerror', () => loaded === 0 && missing(mt('map.tilesMissing')))
      .addTo(map);
  }
  return { map, figure, destroy: () => map.remove() };
}

/** Depots as circles of their radius, named on hover and in their title. */
export function drawDepots(map: L.Map, depots: Depot[]): L.LatLngBounds | null {
  if (depots.length === 0) return null;
  const bounds = L.latLngBounds([]);
  for (const depot of depots) {
    const circle = L.circle([depot.lat, depot.lon], { radius: depot.radiusM, color: '#6a1b9a', weight: 2, fillOpacity: 0.08, dashArray: '4 4' })
      .bindTooltip(`${mt('map.depot')}: ${depot.name}`)
      .addTo(map);
    const element = circle.getElement();
    element?.setAttribute('data-depot-id', depot.id);
    bounds.extend(circle.getBounds());
  }
  return bounds;
}

/** A vehicle as the canvas layer draws it. */
interface Dot {
  id: string;
  registration: string;
  lat: number;
  lon: number;
  state: MapState;
  /** Degrees clockwise from north, when known (see VehicleLayer.show). */
  heading: number | null;
}

/** A drawn item: one vehicle, or a cluster of those that would hide each other. */
interface Drawn {
  x: number;
  y: number;
  members: Dot[];
}

const DOT_RADIUS = 7;
/** Vehicles closer than this (screen pixels) to a cluster's first member join it. */
const CLUSTER_PX = 36;
/** From this zoom (streets) every vehicle is drawn on its own. */
const NO_CLUSTERS_FROM_ZOOM = 16;
/** A move shorter than this (metres) gives no heading: GPS jitter of a parked vehicle. */
const HEADING_MIN_M = 15;

/** The compass bearing from one position to another, in degrees clockwise from north. */
export function bearing(from: { lat: number; lon: number }, to: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const [φ1, φ2, Δλ] = [from.lat * rad, to.lat * rad, (to.lon - from.lon) * rad];
  const y = Math.sin(Δλ) * Math.cos(φ2);
  const x = Math.cos(φ1) * Math.sin(φ2) - Math.sin(φ1) * Math.cos(φ2) * Math.cos(Δλ);
  return (((Math.atan2(y, x) / rad) % 360) + 360) % 360;
}

/**
 * The fleet as one canvas over the map: 2,000 DOM or SVG markers cost seconds to create and a
 * long task on every refresh, one canvas redrawn once per animation frame costs a few
 * milliseconds. Changes (show, hide) only mark the layer dirty; the drawing happens in the
 * next frame, so a burst of updates is drawn once. Below street zoom, vehicles whose dots would
 * overlap are drawn as a cluster (a disc with their number, ringed by their states' colours); a
 * click on it zooms in. A driving vehicle whose heading is known gets a pointer.
 *
 * The canvas carries no element per vehicle. Keyboard and screen-reader users reach a vehicle
 * through the list (its "show on map" button opens the same card); scripts and tests read
 * `marker(id)` on the canvas element (where and how a vehicle is drawn: its client position,
 * state, heading, and the size of its cluster) and `data-vehicles` / `data-clusters`.
 */
export class VehicleLayer extends L.Layer {
  private readonly dots = new Map<string, Dot>();
  private drawn: Drawn[] = [];
  private canvas!: HTMLCanvasElement;
  private frame: number | undefined;
  private hover: L.Tooltip | undefined;
  private selected: string | null = null;
  private popup: L.Popup | undefined;

  constructor(private readonly card: (vehicleId: string) => HTMLElement) {
    super();
  }

  onAdd(map: L.Map): this {
    const pane = map.getPane('vehicles') ?? map.createPane('vehicles');
    pane.style.zIndex = '450'; // above depots (overlay pane, 400), below tooltips and popups
    pane.style.pointerEvents = 'none'; // clicks go to the map (and to depots), which hit-tests the dots
    this.canvas = L.DomUtil.create('canvas', 'vehicle-layer', pane);
    this.canvas.setAttribute('aria-hidden', 'true');
    Object.assign(this.canvas, { marker: (id: string) => this.marker(id) });
    map.on('move zoom resize viewreset', this.redraw, this);
    map.on('click', this.click, this);
    map.on('mousemove', this.move, this);
    map.on('mouseout', this.leave, this);
    // The clusters' font found now, while the vehicles are on their way, not in their first drawing.
    const context = this.canvas.getContext('2d')!;
    context.font = CLUSTER_FONT;
    context.measureText('0123456789');
    this.draw();
    return this;
  }

  onRemove(map: L.Map): this {
    map.off('move zoom resize viewreset', this.redraw, this);
    map.off('click', this.click, this);
    map.off('mousemove', this.move, this);
    map.off('mouseout', this.leave, this);
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
    this.canvas.remove();
    return this;
  }

  /** Places, moves, recolours or removes a vehicle's dot (drawn in the next frame); false when it has no position to show. */
  show(vehicle: FleetVehicle, visible: boolean): boolean {
    const position = vehicle.state?.position;
    if (!visible || !position) {
      if (this.dots.delete(vehicle.id)) this.redraw();
      return false;
    }
    const state = mapState(vehicle);
    const before = this.dots.get(vehicle.id);
    // Telemetry carries no heading: it is the bearing of the vehicle's last move seen by the board,
    // kept while it drives; parked, charging or offline it points nowhere.
    let heading = before?.heading ?? null;
    if (before && L.latLng(before.lat, before.lon).distanceTo([position.lat, position.lon]) >= HEADING_MIN_M) heading = bearing(before, position);
    if (state !== 'driving') heading = null;
    if (before && before.lat === position.lat && before.lon === position.lon && before.state === state && before.heading === heading) return true;
    this.dots.set(vehicle.id, { id: vehicle.id, registration: vehicle.registration, lat: position.lat, lon: position.lon, state, heading });
    if (this.selected === vehicle.id) this.popup?.setLatLng([position.lat, position.lon]);
    this.redraw();
    return true;
  }

  /** The dots' extent, for the first view. */
  bounds(): L.LatLngBounds | null {
    if (this.dots.size === 0) return null;
    return L.latLngBounds([...this.dots.values()].map((dot) => [dot.lat, dot.lon]));
  }

  has(vehicleId: string): boolean {
    return this.dots.has(vehicleId);
  }

  /** Centres the map on a vehicle at street zoom and opens its card (the list's "show on map"). */
  open(vehicleId: string): L.Popup | null {
    const dot = this.dots.get(vehicleId);
    if (!dot || !this._map) return null;
    this._map.setView([dot.lat, dot.lon], Math.max(this._map.getZoom(), NO_CLUSTERS_FROM_ZOOM), { animate: false });
    return this.openCard(dot);
  }

  /** Where and how a vehicle is drawn, in client (page viewport) pixels: alone (`cluster` 1) or in a cluster of that many; null when not drawn. */
  marker(vehicleId: string): { x: number; y: number; state: MapState; heading: number | null; cluster: number } | null {
    if (this.frame !== undefined) this.draw(); // a pending frame first: the answer is what the page is about to show
    const item = this.drawn.find((one) => one.members.some((dot) => dot.id === vehicleId));
    if (!item || !this._map) return null;
    const dot = item.members.find((one) => one.id === vehicleId)!;
    const box = this._map.getContainer().getBoundingClientRect();
    return { x: box.left + item.x, y: box.top + item.y, state: dot.state, heading: dot.heading, cluster: item.members.length };
  }

  private redraw() {
    if (this.frame === undefined && this._map) this.frame = requestAnimationFrame(() => this.draw());
  }

  private draw() {
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
    this.frame = undefined;
    const map = this._map;
    if (!map) return;
    const size = map.getSize();
    const ratio = window.devicePixelRatio || 1;
    // The pane moves with the map while it is dragged: keep the canvas over the container.
    L.DomUtil.setPosition(this.canvas, map.containerPointToLayerPoint([0, 0]));
    if (this.canvas.width !== Math.round(size.x * ratio) || this.canvas.height !== Math.round(size.y * ratio)) {
      this.canvas.width = Math.round(size.x * ratio);
      this.canvas.height = Math.round(size.y * ratio);
      this.canvas.style.width = `${size.x}px`;
      this.canvas.style.height = `${size.y}px`;
    }
    this.drawn = this.cluster(map, size);
    const context = this.canvas.getContext('2d')!;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, size.x, size.y);
    // The clusters' count text: set once per drawing, not per cluster (a canvas parses every font it is given).
    context.textAlign = 'center';
    context.textBaseline = 'middle';
    context.font = CLUSTER_FONT;
    for (const item of this.drawn) {
      if (item.members.length === 1) drawDot(context, item.x, item.y, item.members[0]);
      else drawCluster(context, item.x, item.y, item.members);
    }
    this.canvas.dataset.vehicles = String(this.dots.size);
    this.canvas.dataset.clusters = String(this.drawn.filter((item) => item.members.length > 1).length);
  }

  /** The dots in view, each alone or in the cluster of the first dot within CLUSTER_PX of it (a grid finds the neighbours). */
  private cluster(map: L.Map, size: L.Point): Drawn[] {
    const together = map.getZoom() < NO_CLUSTERS_FROM_ZOOM;
    const grid = new Map<string, Drawn[]>();
    const items: Drawn[] = [];
    const margin = CLUSTER_PX;
    for (const dot of this.dots.values()) {
      const point = map.latLngToContainerPoint([dot.lat, dot.lon]);
      if (point.x < -margin || point.y < -margin || point.x > size.x + margin || point.y > size.y + margin) continue;
      if (!together) {
        items.push({ x: point.x, y: point.y, members: [dot] });
        continue;
      }
      const [column, row] = [Math.floor(point.x / CLUSTER_PX), Math.floor(point.y / CLUSTER_PX)];
      let home: Drawn | undefined;
      for (let dx = -1; dx <= 1 && !home; dx++)
        for (let dy = -1; dy <= 1 && !home; dy++) home = grid.get(`${column + dx},${row + dy}`)?.find((item) => Math.hypot(item.x - point.x, item.y - point.y) < CLUSTER_PX);
      if (home) home.members.push(dot);
      else {
        const item = { x: point.x, y: point.y, members: [dot] };
        items.push(item);
        const key = `${column},${row}`;
        grid.set(key, [...(grid.get(key) ?? []), item]);
      }
    }
    // Singles over clusters, so that a vehicle on its own is never hidden under a disc.
    return items.sort((a, b) => Number(a.members.length === 1) - Number(b.members.length === 1));
  }

  /** The drawn item under a container point, if any (the topmost). */
  private hit(point: L.Point): Drawn | undefined {
    for (let i = this.drawn.length - 1; i >= 0; i--) {
      const item = this.drawn[i];
      const radius = item.members.length === 1 ? DOT_RADIUS + 3 : clusterRadius(item.members.length);
      if (Math.hypot(item.x - point.x, item.y - point.y) <= radius) return item;
    }
    return undefined;
  }

  private click(event: L.LeafletMouseEvent) {
    const item = this.hit(event.containerPoint);
    if (!item || !this._map) return;
    if (item.members.length === 1) return void this.openCard(item.members[0]);
    const bounds = L.latLngBounds(item.members.map((dot) => [dot.lat, dot.lon]));
    this._map.fitBounds(bounds, { padding: [40, 40], maxZoom: NO_CLUSTERS_FROM_ZOOM, animate: false });
  }

  private openCard(dot: Dot): L.Popup {
    this.selected = dot.id;
    const popup = L.popup({ minWidth: 200, offset: [0, -DOT_RADIUS] })
      .setLatLng([dot.lat, dot.lon])
      .setContent(() => this.card(dot.id))
      .on('remove', () => this.popup === popup && (this.selected = null))
      .openOn(this._map);
    // Escape closes the card also when the keyboard is in it (Leaflet's own handler needs the map focused).
    popup.getElement()?.addEventListener('keydown', (event) => event.key === 'Escape' && popup.close());
    return (this.popup = popup);
  }

  private move(event: L.LeafletMouseEvent) {
    const item = this.hit(event.containerPoint);
    this._map.getContainer().style.cursor = item ? 'pointer' : '';
    if (!item) return this.leave();
    const at = this._map.containerPointToLatLng([item.x, item.y]);
    const text =
      item.members.length === 1
        ? item.members[0].registration
        : item.members
            .slice(0, 5)
            .map((dot) => dot.registration)
            .join(', ') + (item.members.length > 5 ? ' …' : '');
    this.hover ??= L.tooltip({ direction: 'top', offset: [0, -DOT_RADIUS] });
    this.hover.setLatLng(at).setContent(text);
    if (!this._map.hasLayer(this.hover)) this.hover.addTo(this._map);
  }

  private leave() {
    if (this.hover && this._map?.hasLayer(this.hover)) this.hover.remove();
  }
}

const clusterRadius = (count: number) => Math.min(12 + Math.log10(count) * 6, 26);
const CLUSTER_FONT = '600 12px system-ui, sans-serif';

function drawDot(context: CanvasRenderingContext2D, x: number, y: number, dot: Dot) {
  if (dot.heading !== null) {
    // A wedge out of the dot's edge, pointing where the vehicle is heading.
    const angle = ((dot.heading - 90) * Math.PI) / 180;
    context.beginPath();
    context.moveTo(x + Math.cos(angle) * (DOT_RADIUS + 6), y + Math.sin(angle) * (DOT_RADIUS + 6));
    context.lineTo(x + Math.cos(angle + 2.3) * DOT_RADIUS, y + Math.sin(angle + 2.3) * DOT_RADIUS);
    context.lineTo(x + Math.cos(angle - 2.3) * DOT_RADIUS, y + Math.sin(angle - 2.3) * DOT_RADIUS);
    context.closePath();
    context.fillStyle = STATE_COLOURS[dot.state];
    context.strokeStyle = '#fff';
    context.lineWidth = 1.5;
    context.fill();
    context.stroke();
  }
  context.beginPath();
  context.arc(x, y, DOT_RADIUS, 0, Math.PI * 2);
  context.fillStyle = STATE_COLOURS[dot.state];
  context.fill();
  context.strokeStyle = '#fff';
  context.lineWidth = 1.5;
  context.stroke();
}

/** A white disc with the count, ringed by the members' states in proportion. */
function drawCluster(context: CanvasRenderingContext2D, x: number, y: number, members: Dot[]) {
  const radius = clusterRadius(members.length);
  const counts = new Map<MapState, number>();
  for (const dot of members) counts.set(dot.state, (counts.get(dot.state) ?? 0) + 1);
  let start = -Math.PI / 2;
  context.lineWidth = 5;
  for (const [state, count] of counts) {
    const end = start + (count / members.length) * Math.PI * 2;
    context.beginPath();
    context.arc(x, y, radius - 2.5, start, end);
    context.strokeStyle = STATE_COLOURS[state];
    context.stroke();
    start = end;
  }
  context.beginPath();
  context.arc(x, y, radius - 5, 0, Math.PI * 2);
  context.fillStyle = 'rgba(255, 255, 255, 0.92)';
  context.fill();
  context.fillStyle = '#1a1a1a';
  context.fillText(String(members.length), x, y + 0.5);
}

/** Fits the map to the union of the bounds given, if any. */
export function fit(map: L.Map, ...all: Array<L.LatLngBounds | null>) {
  const bounds = L.latLngBounds([]);
  for (const one of all) if (one?.isValid()) bounds.extend(one);
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [24, 24], maxZoom: 15, animate: false });
}

/** The colour legend under a map. */
export function legend(): HTMLElement {
  const states: MapState[] = ['driving', 'parked', 'charging', 'offline'];
  return h(
    'ul',
    { class: 'map-legend', 'aria-label': mt('map.legend') },
    ...states.map((state) => h('li', {}, h('span', { class: `swatch swatch-${state}` }), mt(`map.state.${state}`))),
    h('li', {}, h('span', { class: 'swatch swatch-cluster' }, '3'), mt('map.cluster')),
    h('li', {}, h('span', { class: 'swatch swatch-heading' }, '➤'), mt('map.heading')),
    h('li', {}, h('span', { class: 'swatch swatch-depot' }), mt('map.depot')),
  );
}
