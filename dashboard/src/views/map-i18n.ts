/**
 * The map's and the board list's words, beside i18n.ts (kept apart so that the shared
 * dictionary stays untouched); the language is i18n.ts's.
 */
import { lang } from '../i18n';

const nb = {
  'map.label': 'Kart over flåten',
  'map.tilesMissing': 'Kartfliser mangler: ingen kartkilde svarer. Kjøretøy, depoter og spor vises på blank bakgrunn.',
  'map.tilesNone': 'Ingen kartkilde er satt opp (MAP_TILE_URL): kjøretøy, depoter og spor vises på blank bakgrunn.',
  'map.noPosition': '{count} kjøretøy uten kjent posisjon vises bare i listen.',
  'map.state.driving': 'Kjører',
  'map.state.parked': 'Parkert',
  'map.state.charging': 'Lader',
  'map.state.offline': 'Frakoblet',
  'map.legend': 'Forklaring',
  'map.depot': 'Depot',
  'map.cluster': 'Flere kjøretøy (zoom inn)',
  'map.heading': 'Kjøreretning',
  'map.showOnMap': 'Vis {registration} på kartet',
  'map.open': 'Åpne kjøretøysiden',
  'map.level': 'Batteri / tank',
  'map.soc': 'batteri',
  'map.fuel': 'tank',
  'map.search': 'Søk registreringsnr.',
  'map.sortBy': 'Sorter etter {column}',
  'map.changed': 'Status endret {time}',
  'map.atDepot': 'På depot',
  'map.atDepotSince': '{depot} siden {since}',
  'map.notAtDepot': 'Ikke på depot',
  'map.track': 'Spor',
  'map.trackDay': 'Dag',
  'map.trackHeading': 'Kjørt spor',
  'map.trackPoints': '{count} posisjoner',
  'map.trackNone': 'Ingen lagrede posisjoner denne dagen (posisjoner slettes etter {days} dager).',
  'map.trackCut': 'Bare de første {count} posisjonene er tegnet.',
  'map.replay': 'Spill av',
  'map.replayTrip': 'Spill av tur',
  'map.replayTime': 'Tidspunkt i turen',
  'map.pause': 'Pause',
  'map.tripsOfDay': 'Turer denne dagen',
  'map.noTrips': 'Ingen turer denne dagen.',
};

const en: Record<MapKey, string> = {
  'map.label': 'Map of the fleet',
  'map.tilesMissing': 'Map tiles missing: no tile source answers. Vehicles, depots and tracks are drawn on a plain background.',
  'map.tilesNone': 'No tile source is configured (MAP_TILE_URL): vehicles, depots and tracks are drawn on a plain background.',
  'map.noPosition': '{count} vehicles without a known position are only in the list.',
  'map.state.driving': 'Driving',
  'map.state.parked': 'Parked',
  'map.state.charging': 'Charging',
  'map.state.offline': 'Offline',
  'map.legend': 'Legend',
  'map.depot': 'Depot',
  'map.cluster': 'Several vehicles (zoom in)',
  'map.heading': 'Heading',
  'map.showOnMap': 'Show {registration} on the map',
  'map.open': 'Open the vehicle page',
  'map.level': 'Battery / tank',
  'map.soc': 'battery',
  'map.fuel': 'tank',
  'map.search': 'Search registration',
  'map.sortBy': 'Sort by {column}',
  'map.changed': 'Status changed {time}',
  'map.atDepot': 'At depot',
  'map.atDepotSince': '{depot} since {since}',
  'map.notAtDepot': 'Not at a depot',
  'map.track': 'Track',
  'map.trackDay': 'Day',
  'map.trackHeading': 'Track driven',
  'map.trackPoints': '{count} positions',
  'map.trackNone': 'No stored positions on this day (positions are erased after {days} days).',
  'map.trackCut': 'Only the first {count} positions are drawn.',
  'map.replay': 'Replay',
  'map.replayTrip': 'Replay trip',
  'map.replayTime': 'Time in the trip',
  'map.pause': 'Pause',
  'map.tripsOfDay': 'Trips on this day',
  'map.noTrips': 'No trips on this day.',
};

export type MapKey = keyof typeof nb;

export function mt(key: MapKey, values: Record<string, string | number> = {}): string {
  return (lang() === 'en' ? en : nb)[key].replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? `{${name}}`));
}
