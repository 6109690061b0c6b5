import { Position, Trip } from '../api-client';
import { h, svg } from '../dom';
import { formatNumber } from '../format';
import { t } from '../i18n';

/**
 * Positions drawn over the Bærum area without map tiles (none are fetched: the dashboard talks
 * to its own service only): a plain SVG plot of 59.85–59.95° N × 10.45–10.65° E with a grid
 * every 0.02°, each trip as a line from its start to its end point, and the last position.
 */
export const AREA = { south: 59.85, north: 59.95, west: 10.45, east: 10.65 };
const WIDTH = 600;
// A degree of longitude is cos(59.9°) ≈ 0.502 of a degree of latitude: 0.2° E ≈ 11.2 km, 0.1° N ≈ 11.1 km.
const HEIGHT = Math.round((WIDTH * (AREA.north - AREA.south)) / ((AREA.east - AREA.west) * Math.cos((59.9 * Math.PI) / 180)));
const PAD = 36;
const LEFT = 72; // room for the latitude labels

const inside = (p: Position) => p.lat >= AREA.south && p.lat <= AREA.north && p.lon >= AREA.west && p.lon <= AREA.east;
const x = (lon: number) => LEFT + ((lon - AREA.west) / (AREA.east - AREA.west)) * WIDTH;
const y = (lat: number) => PAD + ((AREA.north - lat) / (AREA.north - AREA.south)) * HEIGHT;

export function positionPlot(trips: Trip[], current: Position | null): HTMLElement {
  const grid: SVGElement[] = [];
  for (let lon = AREA.west; lon <= AREA.east + 1e-9; lon += 0.02) {
    grid.push(svg('line', { x1: x(lon), y1: y(AREA.north), x2: x(lon), y2: y(AREA.south), class: 'grid' }));
    grid.push(svg('text', { x: x(lon), y: y(AREA.south) + 16, 'text-anchor': 'middle', class: 'tick' }, `${formatNumber(lon, 2)}° ${t('unit.east')}`));
  }
  for (let lat = AREA.south; lat <= AREA.north + 1e-9; lat += 0.02) {
    grid.push(svg('line', { x1: x(AREA.west), y1: y(lat), x2: x(AREA.east), y2: y(lat), class: 'grid' }));
    grid.push(svg('text', { x: x(AREA.west) - 4, y: y(lat) + 4, 'text-anchor': 'end', class: 'tick' }, `${formatNumber(lat, 2)}° N`));
  }
  let outside = 0;
  const marks: SVGElement[] = [];
  for (const trip of trips) {
    const ends = [trip.start, trip.end].filter((p): p is Position => p !== null);
    outside += ends.filter((p) => !inside(p)).length;
    const shown = ends.filter(inside);
    if (trip.start && trip.end && inside(trip.start) && inside(trip.end)) {
      marks.push(svg('line', { x1: x(trip.start.lon), y1: y(trip.start.lat), x2: x(trip.end.lon), y2: y(trip.end.lat), class: 'trip' }));
    }
    for (const p of shown) marks.push(svg('circle', { cx: x(p.lon), cy: y(p.lat), r: 3.5, class: 'trip-end' }));
  }
  if (current) {
    if (inside(current)) marks.push(svg('circle', { cx: x(current.lon), cy: y(current.lat), r: 7, class: 'now', 'data-testid': 'current-position' }));
    else outside++;
  }
  const plotted = marks.length;
  const figure = h(
    'figure',
    { class: 'map' },
    svg(
      'svg',
      { viewBox: `0 0 ${LEFT + WIDTH + PAD} ${HEIGHT + 2 * PAD}`, role: 'img', 'aria-labelledby': 'map-title map-desc' },
      svg('title', { id: 'map-title' }, t('vehicle.map')),
      svg('desc', { id: 'map-desc' }, t('vehicle.mapDesc')),
      svg('rect', { x: LEFT, y: PAD, width: WIDTH, height: HEIGHT, class: 'area' }),
      ...grid,
      ...marks,
    ),
    h(
      'figcaption',
      {},
      t('vehicle.mapDesc'),
      ' ',
      h('span', { class: 'legend-trip' }, t('vehicle.mapLegendTrip')),
      ' · ',
      h('span', { class: 'legend-now' }, t('vehicle.mapLegendNow')),
      outside ? h('span', { class: 'note' }, ` ${t('vehicle.mapOutside', { count: outside })}`) : null,
      plotted === 0 ? h('span', { class: 'note' }, ` ${t('vehicle.noPositions')}`) : null,
    ),
  );
  return figure;
}
