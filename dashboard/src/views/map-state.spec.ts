import { FleetVehicle, VehicleState } from '../api-client';
import { energyLevel, mapState } from './map-state';

const state = (fields: Partial<VehicleState>): VehicleState => ({
  lastSampleAt: '2026-01-01T00:00:00Z',
  lastReceivedAt: '2026-01-01T00:00:00Z',
  speedKmh: null,
  socPct: null,
  odometerKm: null,
  fuelLevelPct: null,
  ignition: null,
  charging: null,
  statusSince: '2026-01-01T00:00:00Z',
  status: 'online',
  connection: null,
  ...fields,
});
const vehicle = (fields: Partial<FleetVehicle>): FleetVehicle =>
  ({
    id: 'v',
    registration: 'EL12345',
    vehicleClass: 'van',
    energyCarrier: 'electricity',
    departmentId: 'd',
    deviceId: null,
    inServiceFrom: '2020-01-01',
    inServiceTo: null,
    status: 'online',
    state: state({}),
    ...fields,
  }) as FleetVehicle;

describe('mapState', () => {
  it('is offline unless online, whatever the last sample said', () => {
    expect(mapState(vehicle({ status: 'offline', state: state({ speedKmh: 50 }) }))).toBe('offline');
    expect(mapState(vehicle({ status: 'unknown', state: null }))).toBe('offline');
    expect(mapState(vehicle({ status: 'retired' }))).toBe('offline');
  });

  it('tells charging, driving and parked apart', () => {
    expect(mapState(vehicle({ state: state({ charging: true, speedKmh: 0 }) }))).toBe('charging');
    expect(mapState(vehicle({ state: state({ speedKmh: 42 }) }))).toBe('driving');
    expect(mapState(vehicle({ state: state({ ignition: true }) }))).toBe('driving');
    expect(mapState(vehicle({ state: state({ speedKmh: 2 }) }))).toBe('parked');
    expect(mapState(vehicle({ state: state({ ignition: true, speedKmh: 0 }) }))).toBe('parked');
  });
});

describe('energyLevel', () => {
  it('is the state of charge of a battery vehicle and the fuel level of a fossil one', () => {
    expect(energyLevel(vehicle({ state: state({ socPct: 64, fuelLevelPct: null }) }))).toEqual({ kind: 'soc', pct: 64 });
    expect(energyLevel(vehicle({ energyCarrier: 'diesel', state: state({ fuelLevelPct: 55 }) }))).toEqual({ kind: 'fuel', pct: 55 });
    expect(energyLevel(vehicle({ energyCarrier: 'plugin_hybrid', state: state({ fuelLevelPct: 30 }) }))).toEqual({ kind: 'fuel', pct: 30 });
    expect(energyLevel(vehicle({ energyCarrier: 'diesel', state: state({}) }))).toBeNull();
    expect(energyLevel(vehicle({ state: null }))).toBeNull();
  });
});
