/**
 * Geography of the simulated driving: named places in Bærum and straight-line routes between
 * them. Every position the simulator reports lies inside BAERUM_BOX: routes are convex
 * combinations of points that are clamped into the box.
 */
import { Random } from './prng';

export interface Point {
  lat: number;
  lon: number;
}

export const BAERUM_BOX = { minLat: 59.85, maxLat: 59.95, minLon: 10.45, maxLon: 10.65 } as const;

const KM_PER_DEG_LAT = 111.2;
const KM_PER_DEG_LON = 111.2 * Math.cos((59.9 * Math.PI) / 180);

/** Centres of Bærum's neighbourhoods (approximate, on land), where the fleet's jobs are. */
export const PLACES: readonly (readonly [string, number, number])[] = [
  ['Sandvika', 59.8906, 10.5242],
  ['Bekkestua', 59.917, 10.587],
  ['Stabekk', 59.908, 10.611],
  ['Høvik', 59.899, 10.586],
  ['Blommenholm', 59.897, 10.556],
  ['Fornebu', 59.896, 10.618],
  ['Snarøya', 59.882, 10.603],
  ['Lysaker', 59.913, 10.636],
  ['Jar', 59.925, 10.619],
  ['Eiksmarka', 59.944, 10.618],
  ['Østerås', 59.94, 10.596],
  ['Hosle', 59.933, 10.578],
  ['Haslum', 59.923, 10.562],
  ['Gjettum', 59.909, 10.527],
  ['Kolsås', 59.918, 10.505],
  ['Bærums Verk', 59.943, 10.501],
  ['Rykkinn', 59.93, 10.478],
  ['Tanum', 59.893, 10.47],
  ['Slependen', 59.88, 10.497],
  ['Hamang', 59.899, 10.511],
  ['Valler', 59.904, 10.56],
  ['Grini', 59.93, 10.55],
];

/** Depots and bases of the municipal departments. */
export const DEPOTS: readonly (readonly [string, number, number])[] = [
  ['Bærum rådhus, Sandvika', 59.8912, 10.5228],
  ['Hjemmetjenesten Bekkestua', 59.9162, 10.5886],
  ['Hjemmetjenesten Rykkinn', 59.9288, 10.4801],
  ['Driftsstasjon Hauger', 59.9048, 10.5019],
  ['Eiendom Fornebu', 59.8978, 10.6152],
  ['Vann og avløp Hamang', 59.9003, 10.5137],
];

export const inBaerum = (point: Point): boolean => point.lat >= BAERUM_BOX.minLat && point.lat <= BAERUM_BOX.maxLat && point.lon >= BAERUM_BOX.minLon && point.lon <= BAERUM_BOX.maxLon;

/** Where routes may bend to: the box without its southern strip, which is mostly Oslofjord, and clear of the edges. */
const DRIVING_AREA = { minLat: 59.876, maxLat: 59.948, minLon: 10.455, maxLon: 10.645 } as const;

export function clampToBox(point: Point): Point {
  return {
    lat: Math.min(DRIVING_AREA.maxLat, Math.max(DRIVING_AREA.minLat, point.lat)),
    lon: Math.min(DRIVING_AREA.maxLon, Math.max(DRIVING_AREA.minLon, point.lon)),
  };
}

export function distanceKm(a: Point, b: Point): number {
  return Math.hypot((a.lat - b.lat) * KM_PER_DEG_LAT, (a.lon - b.lon) * KM_PER_DEG_LON);
}

/** A point within about `radiusKm` of `point`, in the box. */
export function jitter(point: Point, radiusKm: number, random: Random): Point {
  return clampToBox({
    lat: point.lat + (random.between(-1, 1) * radiusKm) / KM_PER_DEG_LAT,
    lon: point.lon + (random.between(-1, 1) * radiusKm) / KM_PER_DEG_LON,
  });
}

export const place = ([, lat, lon]: readonly [string, number, number]): Point => ({ lat, lon });

/** `origin + (point - origin) * factor`: pulls a tour towards its depot when it is too long to drive. */
export function towards(origin: Point, point: Point, factor: number): Point {
  return { lat: origin.lat + (point.lat - origin.lat) * factor, lon: origin.lon + (point.lon - origin.lon) * factor };
}

/**
 * A route from `from` to `to` whose drawn length is about `pathKm`: roads are not straight, so a
 * leg longer than the beeline bends out through one waypoint beside the midpoint.
 */
export function route(from: Point, to: Point, pathKm: number, random: Random): Point[] {
  const beeline = distanceKm(from, to);
  if (pathKm <= beeline * 1.05 || pathKm < 0.2) return [from, to];
  const half = pathKm / 2;
  const offsetKm = Math.sqrt(Math.max(0, half * half - (beeline / 2) ** 2));
  const mid = { lat: (from.lat + to.lat) / 2, lon: (from.lon + to.lon) / 2 };
  // Perpendicular to the leg, in km space; a leg of length ~0 bends in a random direction.
  let [north, east] = beeline > 0.01 ? [-(to.lon - from.lon) * KM_PER_DEG_LON, (to.lat - from.lat) * KM_PER_DEG_LAT] : [random.between(-1, 1), random.between(-1, 1)];
  const norm = Math.hypot(north, east) || 1;
  const side = random.chance(0.5) ? 1 : -1;
  [north, east] = [(north / norm) * side * offsetKm, (east / norm) * side * offsetKm];
  const via = clampToBox({ lat: mid.lat + north / KM_PER_DEG_LAT, lon: mid.lon + east / KM_PER_DEG_LON });
  return [from, via, to];
}

/** The point at `fraction` (0..1) of a polyline's length. */
export function pointAlong(path: readonly Point[], fraction: number): Point {
  if (path.length === 1 || fraction <= 0) return path[0];
  const legs = path.slice(1).map((point, index) => distanceKm(path[index], point));
  const total = legs.reduce((sum, leg) => sum + leg, 0);
  if (total === 0 || fraction >= 1) return path[path.length - 1];
  let remaining = fraction * total;
  for (let index = 0; index < legs.length; index += 1) {
    if (remaining <= legs[index] || index === legs.length - 1) {
      const t = legs[index] === 0 ? 1 : Math.min(1, remaining / legs[index]);
      const [a, b] = [path[index], path[index + 1]];
      return { lat: a.lat + (b.lat - a.lat) * t, lon: a.lon + (b.lon - a.lon) * t };
    }
    remaining -= legs[index];
  }
  return path[path.length - 1];
}
