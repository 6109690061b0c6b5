import { FleetVehicle } from '../api-client';

/** What a marker's colour says: where the vehicle is and what it is doing now. */
export type MapState = 'driving' | 'parked' | 'charging' | 'offline';

/** Faster than this is driving: GPS jitter of a parked vehicle reads as a few km/h. */
const DRIVING_KMH = 3;

/** The map state of a vehicle: not online is offline; then charging, driving (ignition or speed), parked. */
export function mapState(vehicle: FleetVehicle): MapState {
  const state = vehicle.state;
  if (vehicle.status !== 'online' || !state) return 'offline';
  if (state.charging) return 'charging';
  if ((state.speedKmh ?? 0) > DRIVING_KMH || (state.ignition && state.speedKmh === null)) return 'driving';
  return 'parked';
}

/** Carriers with a battery as their energy store (the others show their tank's fill level). */
const BATTERY = new Set(['electricity', 'plugin_hybrid']);

/** Battery state of charge for battery vehicles, fuel level for the others (a plug-in hybrid without SoC shows fuel). */
export function energyLevel(vehicle: FleetVehicle): { kind: 'soc' | 'fuel'; pct: number } | null {
  const state = vehicle.state;
  if (!state) return null;
  if (BATTERY.has(vehicle.energyCarrier) && state.socPct !== null) return { kind: 'soc', pct: state.socPct };
  if (state.fuelLevelPct !== null) return { kind: 'fuel', pct: state.fuelLevelPct };
  return state.socPct !== null ? { kind: 'soc', pct: state.socPct } : null;
}
