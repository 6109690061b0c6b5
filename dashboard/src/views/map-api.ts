/** The map's calls (src/fleet/map, and the electrification plan's depots); the types are the API's (api-types.ts). */
import { ApiClient } from '../api-client';
import { Answer, Schemas } from '../api-types';

export type MapSettings = Answer<'/api/v1/fleet/map'>;
/** Null in MapSettings: no tile source configured; the map draws on a plain background. */
export type TileSource = NonNullable<MapSettings['tiles']>;
/** A depot of a department (src/emissions/electrification-plan): a point and a radius. */
export type Depot = Schemas['Depot'];
export type TrackPoint = Schemas['TrackPoint'];
/** In a single vehicle's state, for roles that see positions: the depot its last position lies in. */
export type DepotStay = Schemas['DepotStay'];

export const mapApi = (client: ApiClient) => ({
  settings: () => client.fetchJson<MapSettings>('fleet/map'),
  depots: () => client.fetchJson<Answer<'/api/v1/electrification/depots'>>('electrification/depots'),
  track: (vehicleId: string, from: Date, to: Date) =>
    client.fetchJson<Answer<'/api/v1/vehicles/{id}/positions'>>(`vehicles/${encodeURIComponent(vehicleId)}/positions`, { from: from.toISOString(), to: to.toISOString() }),
});
