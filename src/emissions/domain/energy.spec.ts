import { VehicleProfile, energyOf } from './energy';
import { testMonth as month, testSet, testVehicle } from './test-set';

const car = (overrides: Partial<VehicleProfile> = {}): VehicleProfile => testVehicle({ registration: 'EL12345', energyCarrier: 'electricity', ...overrides });

describe('energy by data quality', () => {
  const set = testSet();

  it('primary: the charged-energy counter', () => {
    const result = energyOf(car(), month({ distanceKm: 100, chargedKwh: 21, chargedDays: 10 }), set);
    expect(result.lines).toEqual([{ carrier: 'electricity', quantity: 21, quality: 'primary' }]);
    expect(result.flags).toEqual([]);
  });

  it('modelled: consumed energy / charging efficiency 0.90 on days without a charged figure', () => {
    const result = energyOf(car(), month({ distanceKm: 100, chargedKwh: 10, chargedDays: 3, consumedWithoutChargedKwh: 9 }), set);
    expect(result.lines).toEqual([
      { carrier: 'electricity', quantity: 10, quality: 'primary' },
      { carrier: 'electricity', quantity: 10, quality: 'modelled' },
    ]);
  });

  it('modelled: the vehicle’s own charging efficiency when it has one', () => {
    const result = energyOf(car({ chargingEfficiency: 0.8 }), month({ distanceKm: 50, consumedWithoutChargedKwh: 8 }), set);
    expect(result.lines).toEqual([{ carrier: 'electricity', quantity: 10, quality: 'modelled' }]);
  });

  it('default: distance without any electricity figure x the class default', () => {
    const result = energyOf(car(), month({ distanceKm: 150, chargedKwh: 10, chargedDays: 2, distanceWithoutElectricKm: 50 }), set);
    expect(result.lines).toEqual([
      { carrier: 'electricity', quantity: 10, quality: 'primary' },
      { carrier: 'electricity', quantity: 50 * 0.2, quality: 'default' },
    ]);
  });

  it('default: the vehicle’s nominal consumption before the class default', () => {
    const result = energyOf(car({ energyCarrier: 'petrol', nominalConsumptionPerKm: 0.05 }), month({ distanceKm: 200, distanceWithoutFuelKm: 200 }), set);
    expect(result.lines).toEqual([{ carrier: 'petrol', quantity: 10, quality: 'default' }]);
  });

  it('fuel counter primary, with the days lacking fuel data estimated by default', () => {
    const result = energyOf(car({ energyCarrier: 'petrol' }), month({ distanceKm: 300, fuelL: 16, fuelDays: 20, distanceWithoutFuelKm: 100 }), set);
    expect(result.lines).toEqual([
      { carrier: 'petrol', quantity: 16, quality: 'primary' },
      { carrier: 'petrol', quantity: 100 * 0.08, quality: 'default' },
    ]);
  });

  it('what counter intervals longer than MAX_COUNTER_GAP spread is modelled, never primary (amendment 1.1)', () => {
    const fuel = energyOf(car({ energyCarrier: 'diesel' }), month({ distanceKm: 300, fuelL: 24, fuelDays: 30, gapDistanceKm: 200, gapFuelL: 16 }), set);
    expect(fuel.lines).toEqual([
      { carrier: 'diesel', quantity: 8, quality: 'primary' },
      { carrier: 'diesel', quantity: 16, quality: 'modelled' },
    ]);
    const gas = energyOf(car({ vehicleClass: 'truck', energyCarrier: 'biogas' }), month({ distanceKm: 100, gasKg: 31, gasDays: 5, gapGasKg: 31 }), set);
    expect(gas.lines).toEqual([{ carrier: 'biogas', quantity: 31, quality: 'modelled' }]);
    const charged = energyOf(car(), month({ distanceKm: 100, chargedKwh: 21, chargedDays: 30, gapChargedKwh: 7 }), set);
    expect(charged.lines).toEqual([
      { carrier: 'electricity', quantity: 14, quality: 'primary' },
      { carrier: 'electricity', quantity: 7, quality: 'modelled' },
    ]);
  });

  it('gas counter for a biogas truck', () => {
    const result = energyOf(car({ vehicleClass: 'truck', energyCarrier: 'biogas' }), month({ distanceKm: 100, gasKg: 31, gasDays: 5 }), set);
    expect(result.lines).toEqual([{ carrier: 'biogas', quantity: 31, quality: 'primary' }]);
  });

  it('never silently zero: distance and no consumption figure at all is flagged', () => {
    const result = energyOf(car({ vehicleClass: 'other', energyCarrier: 'diesel' }), month({ distanceKm: 40, distanceWithoutFuelKm: 40 }), set);
    expect(result.lines).toEqual([]);
    expect(result.flags).toEqual([expect.stringContaining('no consumption figure for EL12345 (other, diesel): 40 km without energy in 2019-05')]);
  });

  it('imported fuel is primary in a month without fuel counter data, instead of the default estimate', () => {
    const result = energyOf(car({ energyCarrier: 'petrol' }), month({ distanceKm: 400, distanceWithoutFuelKm: 400, transactions: { petrol: 35 } }), set);
    expect(result.lines).toEqual([{ carrier: 'petrol', quantity: 35, quality: 'primary' }]);
  });

  it('counter data beats imported fuel in the same month; the transactions are flagged as ignored', () => {
    const result = energyOf(car({ energyCarrier: 'petrol' }), month({ distanceKm: 400, fuelL: 30, fuelDays: 12, transactions: { petrol: 35 } }), set);
    expect(result.lines).toEqual([{ carrier: 'petrol', quantity: 30, quality: 'primary' }]);
    expect(result.flags).toEqual([expect.stringContaining('ignored: counter data present')]);
  });

  it('hydrogen has no counter: fuel cards or the default estimate', () => {
    const h2 = car({ energyCarrier: 'hydrogen', nominalConsumptionPerKm: 0.01 });
    expect(energyOf(h2, month({ distanceKm: 100 }), set).lines).toEqual([{ carrier: 'hydrogen', quantity: 1, quality: 'default' }]);
    expect(energyOf(h2, month({ distanceKm: 100, transactions: { hydrogen: 1.2 } }), set).lines).toEqual([{ carrier: 'hydrogen', quantity: 1.2, quality: 'primary' }]);
  });

  it('a plug-in hybrid reads petrol and electricity; its distance without fuel data is estimated as petrol only', () => {
    const result = energyOf(car({ energyCarrier: 'plugin_hybrid' }), month({ distanceKm: 100, distanceWithoutFuelKm: 100, chargedKwh: 5, chargedDays: 2, distanceWithoutElectricKm: 60 }), set);
    expect(result.lines).toEqual([
      { carrier: 'petrol', quantity: 8, quality: 'default' },
      { carrier: 'electricity', quantity: 5, quality: 'primary' },
    ]);
  });

  it('no distance and no energy: nothing, no flag', () => {
    expect(energyOf(car(), month(), set)).toEqual({ lines: [], flags: [] });
  });
});
