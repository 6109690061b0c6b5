/** The map's calls (src/fleet/map, and the electrification plan's depots); types follow the API's answers. */
import { ApiClient } from '../api-client';

export interface TileSource {
  url: string;
  attribution: string;
  maxZoom: number;
}

export interface MapSettings {
  /** Null: no tile source configured; the map draws on a plain background. */
  tiles: TileSource | null;
  positionRetentionDays: number;
}

/** A depot of a department (src/emissions/electrification-plan): a point and a radius. */
export interface Depot {
  id: string;
  organizationId: string;
  name: string;
  lat: number;
  lon: number;
  radiusM: number;
}

export interface TrackPoint {
  ts: string;
  lat: number;
  lon: number;
  speedKmh: number | null;
}

/** In a single vehicle's state, for roles that see positions: the depot its last position lies in. */
export interface DepotStay {
  depotId: string;
  name: string;
  since: string;
}

export const mapApi = (client: ApiClient) => ({
  settings: () => client.fetchJson<MapSettings>('fleet/map'),
  depots: () => client.fetchJson<Depot[]>('electrification/depots'),
  track: (vehicleId: string, from: Date, to: Date) =>
    client.fetchJson<{ truncated: boolean; items: TrackPoint[] }>(`vehicles/${encodeURIComponent(vehicleId)}/positions`, { from: from.toISOString(), to: to.toISOString() }),
});
