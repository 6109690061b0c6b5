/**
 * The dashboard's maps on Leaflet (bundled, no CDN): raster tiles from the configured source
 * (MAP_TILE_URL) only, on a plain background with a notice when there is none or none answers,
 * so that vehicles, depots and tracks are drawn either way. Markers are SVG paths carrying
 * data-vehicle-id and data-state, so that the page (and its tests) can find them.
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

/** One marker per vehicle with a position, coloured by its map state; `card` builds the popup on click. */
export class VehicleMarkers {
  private readonly markers = new Map<string, L.CircleMarker>();
  private readonly layer: L.LayerGroup;

  constructor(
    private readonly map: L.Map,
    private readonly card: (vehicleId: string) => HTMLElement,
  ) {
    this.layer = L.layerGroup().addTo(map);
  }

  /** Places, moves, recolours or removes a vehicle's marker; false when it has no position to show. */
  show(vehicle: FleetVehicle, visible: boolean): boolean {
    const position = vehicle.state?.position;
    const marker = this.markers.get(vehicle.id);
    if (!visible || !position) {
      if (marker) {
        this.layer.removeLayer(marker);
        this.markers.delete(vehicle.id);
      }
      return false;
    }
    const state = mapState(vehicle);
    const style = { fillColor: STATE_COLOURS[state], color: '#fff', weight: 1.5, fillOpacity: 0.95, radius: 7 };
    if (!marker) {
      const created = L.circleMarker([position.lat, position.lon], style).bindPopup(() => this.card(vehicle.id), { minWidth: 200 });
      created.bindTooltip(vehicle.registration, { direction: 'top' });
      this.layer.addLayer(created);
      this.markers.set(vehicle.id, created);
      const element = created.getElement();
      element?.setAttribute('data-vehicle-id', vehicle.id);
      element?.setAttribute('data-state', state);
      element?.classList.add('vehicle-marker');
      return true;
    }
    const at = marker.getLatLng();
    if (at.lat !== position.lat || at.lng !== position.lon) marker.setLatLng([position.lat, position.lon]);
    marker.setStyle(style);
    marker.getElement()?.setAttribute('data-state', state);
    return true;
  }

  /** The markers' extent, for the first view. */
  bounds(): L.LatLngBounds | null {
    if (this.markers.size === 0) return null;
    return L.latLngBounds([...this.markers.values()].map((marker) => marker.getLatLng()));
  }

  has(vehicleId: string): boolean {
    return this.markers.has(vehicleId);
  }
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
    h('li', {}, h('span', { class: 'swatch swatch-depot' }), mt('map.depot')),
  );
}
