/**
 * The vehicle page's map: a day's track drawn from the stored positions (not start-to-end
 * lines), that day's trips listed beside it, and a trip's replay with a time slider. The last
 * known position and the department's depots are drawn too. Positions older than
 * POSITION_RETENTION_DAYS are gone (the API never returns them); the page says so.
 */
import * as L from 'leaflet';
import { ApiClient, FleetVehicle, Trip } from '../api-client';
import { emptyState, field, filtersForm, h } from '../dom';
import { t } from '../i18n';
import { addDays, dayStart, formatDateTime, formatDuration, formatQuantity, localDay } from '../format';
import { drawDepots, fit, mapFrame } from './fleet-map';
import { Depot, MapSettings, TrackPoint, mapApi } from './map-api';
import { mt } from './map-i18n';

/** Replay speed: positions advanced per animation frame step (about 25 steps a second). */
const REPLAY_STEP_MS = 40;

export interface VehicleTrack {
  section: HTMLElement;
  /** Shows the day's track; `trips` are the period's trips (the day's are picked out). */
  showDay(day: string, trips: Trip[]): Promise<void>;
  destroy(): void;
}

export async function vehicleTrack(client: ApiClient, vehicle: FleetVehicle): Promise<VehicleTrack> {
  const api = mapApi(client);
  const [settings, depots] = await Promise.all([api.settings(), api.depots().catch((): Depot[] => [])]);
  return trackSection(
    api,
    settings,
    vehicle,
    depots.filter((depot) => depot.organizationId === vehicle.departmentId),
  );
}

function trackSection(api: ReturnType<typeof mapApi>, settings: MapSettings, vehicle: FleetVehicle, depots: Depot[]): VehicleTrack {
  const frame = mapFrame(settings, mt('map.trackHeading'), 'track-frame');
  const map = frame.map;
  const depotBounds = drawDepots(map, depots);
  const trackLayer = L.layerGroup().addTo(map);
  let replayTimer: number | undefined;
  let allTrips: Trip[] = [];
  let destroyed = false;

  const position = vehicle.state?.position;
  if (position) {
    const now = L.circleMarker([position.lat, position.lon], { radius: 8, fillColor: '#b71c1c', color: '#fff', weight: 2, fillOpacity: 1 })
      .bindTooltip(`${t('vehicle.mapLegendNow')} ${formatDateTime(position.at)}`)
      .addTo(map);
    now.getElement()?.setAttribute('data-testid', 'current-position');
  }

  const dayInput = h('input', { id: 'track-day', type: 'date', value: localDay(0) });
  const dayForm = filtersForm(
    { 'aria-label': mt('map.trackDay') },
    () => {
      if (dayInput.value) void showDay(dayInput.value, allTrips);
    },
    field('track-day', mt('map.trackDay'), dayInput),
    h('button', { type: 'submit' }, mt('map.track')),
  );
  const summary = h('p', { class: 'note', id: 'track-summary', 'aria-live': 'polite' });
  const tripList = h('div', { class: 'trip-list' });
  const replay = h('div', { class: 'replay', id: 'replay', hidden: true });
  const section = h(
    'section',
    { 'aria-labelledby': 'map-heading' },
    h('h2', { id: 'map-heading' }, mt('map.trackHeading')),
    dayForm,
    frame.figure,
    summary,
    replay,
    h('h3', {}, mt('map.tripsOfDay')),
    tripList,
  );

  function stopReplay() {
    if (replayTimer !== undefined) clearInterval(replayTimer);
    replayTimer = undefined;
  }

  /** A trip's positions on the track, highlighted, with a slider that moves a marker through them. */
  function replayTrip(trip: Trip, points: TrackPoint[], button: HTMLElement) {
    stopReplay();
    for (const selected of tripList.querySelectorAll('tr.selected')) selected.classList.remove('selected');
    button.closest('tr')?.classList.add('selected');
    const inTrip = points.filter((p) => p.ts >= trip.startedAt && p.ts <= trip.endedAt);
    if (inTrip.length === 0) {
      replay.hidden = false;
      replay.replaceChildren(emptyState(mt('map.trackNone', { days: settings.positionRetentionDays })));
      return;
    }
    const line = L.polyline(
      inTrip.map((p) => [p.lat, p.lon] as L.LatLngTuple),
      { color: '#e65100', weight: 6, opacity: 0.8 },
    ).addTo(trackLayer);
    line.getElement()?.setAttribute('data-trip-start', trip.startedAt);
    const marker = L.circleMarker([inTrip[0].lat, inTrip[0].lon], { radius: 9, fillColor: '#e65100', color: '#fff', weight: 2, fillOpacity: 1 }).addTo(trackLayer);
    marker.getElement()?.setAttribute('data-testid', 'replay-marker');
    map.fitBounds(line.getBounds(), { padding: [24, 24], maxZoom: 16, animate: false });
    const time = h('output', { id: 'replay-time', for: 'replay-slider' });
    const slider = h('input', { id: 'replay-slider', type: 'range', min: 0, max: inTrip.length - 1, value: 0, step: 1 });
    const play = h('button', { type: 'button', id: 'replay-play' }, mt('map.replay'));
    const moveTo = (index: number) => {
      const point = inTrip[index];
      marker.setLatLng([point.lat, point.lon]);
      marker.getElement()?.setAttribute('data-ts', point.ts);
      slider.value = String(index);
      time.textContent = `${formatDateTime(point.ts)} · ${formatQuantity(point.speedKmh, t('unit.kmh'), 0)}`;
    };
    slider.addEventListener('input', () => {
      stopReplay();
      play.textContent = mt('map.replay');
      moveTo(Number(slider.value));
    });
    play.addEventListener('click', () => {
      if (replayTimer !== undefined) {
        stopReplay();
        play.textContent = mt('map.replay');
        return;
      }
      if (Number(slider.value) >= inTrip.length - 1) moveTo(0);
      play.textContent = mt('map.pause');
      replayTimer = window.setInterval(() => {
        const next = Number(slider.value) + 1;
        if (next >= inTrip.length) {
          stopReplay();
          play.textContent = mt('map.replay');
          return;
        }
        moveTo(next);
      }, REPLAY_STEP_MS);
    });
    replay.hidden = false;
    replay.replaceChildren(play, h('label', { for: 'replay-slider' }, mt('map.replayTime')), slider, time);
    moveTo(0);
  }

  async function showDay(day: string, trips: Trip[]) {
    if (destroyed) return;
    stopReplay();
    allTrips = trips;
    dayInput.value = day;
    trackLayer.clearLayers();
    replay.hidden = true;
    replay.replaceChildren();
    const from = dayStart(day);
    const to = dayStart(addDays(day, 1));
    const track = await api.track(vehicle.id, from, to);
    if (destroyed) return; // the page was left while the track loaded
    const points = track.items;
    const line = L.polyline(
      points.map((p) => [p.lat, p.lon] as L.LatLngTuple),
      { color: '#0d47a1', weight: 4, opacity: 0.75 },
    ).addTo(trackLayer);
    line.getElement()?.setAttribute('data-track-points', String(points.length));
    summary.textContent =
      points.length === 0
        ? mt('map.trackNone', { days: settings.positionRetentionDays })
        : `${mt('map.trackPoints', { count: points.length })}${track.truncated ? `. ${mt('map.trackCut', { count: points.length })}` : ''}`;
    const dayTrips = trips.filter((trip) => localDay(0, new Date(trip.startedAt)) === day);
    tripList.replaceChildren(
      dayTrips.length === 0
        ? emptyState(mt('map.noTrips'))
        : h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              {},
              h('caption', {}, mt('map.tripsOfDay')),
              h(
                'tbody',
                {},
                ...dayTrips.map((trip) => {
                  const button: HTMLButtonElement = h('button', { type: 'button', class: 'replay-trip', onclick: () => replayTrip(trip, points, button) }, mt('map.replayTrip'));
                  return h(
                    'tr',
                    { 'data-trip-start': trip.startedAt },
                    h('td', {}, `${formatDateTime(trip.startedAt)} – ${formatDateTime(trip.endedAt)}`),
                    h('td', { class: 'num' }, formatDuration(trip.durationSeconds)),
                    h('td', { class: 'num' }, formatQuantity(trip.distanceKm, 'km', 1)),
                    h('td', {}, button),
                  );
                }),
              ),
            ),
          ),
    );
    map.invalidateSize();
    if (points.length > 0) fit(map, line.getBounds());
    else fit(map, position ? L.latLngBounds([[position.lat, position.lon]]) : null, depotBounds);
  }

  return {
    section,
    showDay,
    destroy: () => {
      destroyed = true;
      stopReplay();
      frame.destroy();
    },
  };
}
