import { MonthActivity, VehicleProfile, emptyActivity } from './energy';
import { FactorRecord, FactorSet } from './factor-set';

/** A petrol car of department d1 without figures of its own, for the unit tests. */
export const testVehicle = (overrides: Partial<VehicleProfile> = {}): VehicleProfile => ({
  vehicleId: 'v1',
  registration: 'AB12345',
  vehicleClass: 'passenger_car',
  energyCarrier: 'petrol',
  departmentId: 'd1',
  nominalConsumptionPerKm: null,
  chargingEfficiency: null,
  referenceCarrier: null,
  referenceConsumptionPerKm: null,
  ...overrides,
});

/** May 2019 with nothing recorded but `overrides`. */
export const testMonth = (overrides: Partial<MonthActivity> = {}): MonthActivity => ({ ...emptyActivity('2019-05'), ...overrides });

/** A small factor set with round numbers for the unit tests (not the Norwegian defaults). */
export function testSet(): FactorSet {
  const record = (partial: Partial<FactorRecord> & Pick<FactorRecord, 'carrier' | 'year'>): FactorRecord => ({
    ttwKgPerUnit: 0,
    wttKgPerUnit: 0,
    biogenicKgPerUnit: 0,
    gridMethod: null,
    energyKwhPerUnit: null,
    source: 'test',
    note: null,
    ...partial,
  });
  return {
    version: 1,
    name: 'test',
    publishedAt: '2026-01-01T00:00:00.000Z',
    factors: [
      record({ carrier: 'petrol', year: 2018, ttwKgPerUnit: 2, wttKgPerUnit: 0.5, biogenicKgPerUnit: 0.1, energyKwhPerUnit: 9 }),
      record({ carrier: 'petrol', year: 2019, ttwKgPerUnit: 1.8, wttKgPerUnit: 0.5, biogenicKgPerUnit: 0.2, energyKwhPerUnit: 9 }),
      record({ carrier: 'diesel', year: 2019, ttwKgPerUnit: 2.5, wttKgPerUnit: 0.6, biogenicKgPerUnit: 0.3, energyKwhPerUnit: 10 }),
      record({ carrier: 'biogas', year: 2019, ttwKgPerUnit: 0.01, wttKgPerUnit: null, biogenicKgPerUnit: 2.75, energyKwhPerUnit: 13 }),
      record({ carrier: 'electricity', year: 2019, gridMethod: 'location', wttKgPerUnit: 0.02, energyKwhPerUnit: 1 }),
      record({ carrier: 'electricity', year: 2016, gridMethod: 'market', wttKgPerUnit: 0.5, energyKwhPerUnit: 1 }),
      record({ carrier: 'electricity', year: 2020, gridMethod: 'market', wttKgPerUnit: 0.4, energyKwhPerUnit: 1 }),
    ],
    consumption: [
      { vehicleClass: 'passenger_car', carrier: 'petrol', perKm: 0.08, reference: true, source: 'test', note: null },
      { vehicleClass: 'passenger_car', carrier: 'electricity', perKm: 0.2, reference: false, source: 'test', note: null },
      { vehicleClass: 'truck', carrier: 'diesel', perKm: 0.4, reference: true, source: 'test', note: null },
      { vehicleClass: 'truck', carrier: 'biogas', perKm: 0.3, reference: false, source: 'test', note: null },
    ],
  };
}
