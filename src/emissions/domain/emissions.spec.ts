import { addFigures, dataQualityShares, emissionsOfLines, emptyFigures, figuresOf } from './emissions';
import { collapseToYears } from './energy';
import { pickFactor } from './factor-set';
import { testMonth as activity, testSet, testVehicle as vehicle } from './test-set';

describe('emission factors: the nearest-year rule', () => {
  const { factors } = testSet();

  it('uses the year’s own record, unflagged', () => {
    expect(pickFactor(factors, 'petrol', 2019, 'location')).toMatchObject({ record: { year: 2019 }, nearestYear: false });
  });

  it('uses the nearest earlier year when the year is missing, flagged', () => {
    expect(pickFactor(factors, 'petrol', 2021, 'location')).toMatchObject({ record: { year: 2019 }, nearestYear: true });
    expect(pickFactor(factors, 'electricity', 2019, 'market')).toMatchObject({ record: { year: 2016, wttKgPerUnit: 0.5 }, nearestYear: true });
  });

  it('uses the nearest later year when there is no earlier one (location grid factor for 2018), flagged', () => {
    expect(pickFactor(factors, 'electricity', 2018, 'location')).toMatchObject({ record: { year: 2019 }, nearestYear: true });
  });

  it('keeps the grid methods apart and finds nothing for a carrier the set lacks', () => {
    expect(pickFactor(factors, 'electricity', 2020, 'location')?.record.wttKgPerUnit).toBe(0.02);
    expect(pickFactor(factors, 'electricity', 2020, 'market')?.record.wttKgPerUnit).toBe(0.4);
    expect(pickFactor(factors, 'hydrogen', 2020, 'location')).toBeNull();
  });
});

describe('emissions of a vehicle in a period', () => {
  const set = testSet();

  it('ttw = quantity x ttw factor; wtw adds quantity x wtt; biogenic CO2 is a memo item outside both', () => {
    const result = emissionsOfLines([{ carrier: 'petrol', quantity: 100, quality: 'primary' }], set, 2019, 'location');
    expect(result.ttwKg).toBeCloseTo(100 * 1.8, 12);
    expect(result.wtwKg).toBeCloseTo(100 * 1.8 + 100 * 0.5, 12);
    expect(result.biogenicMemoKg).toBeCloseTo(100 * 0.2, 12);
    expect(result.flags).toEqual([]);
  });

  it('electricity: ttw 0, wtw the grid factor of the grid method asked for', () => {
    const lines = [{ carrier: 'electricity' as const, quantity: 1000, quality: 'primary' as const }];
    const location = emissionsOfLines(lines, set, 2020, 'location');
    const market = emissionsOfLines(lines, set, 2020, 'market');
    expect(location.ttwKg).toBe(0);
    expect(location.wtwKg).toBeCloseTo(1000 * 0.02, 12);
    expect(location.flags).toEqual(['factor of electricity (location) for 2020 taken from 2019']);
    expect(market.ttwKg).toBe(0);
    expect(market.wtwKg).toBeCloseTo(1000 * 0.4, 12);
    expect(market.flags).toEqual([]);
  });

  it('sums carriers, and flags a factor taken from another year', () => {
    const result = emissionsOfLines(
      [
        { carrier: 'petrol', quantity: 10, quality: 'primary' },
        { carrier: 'diesel', quantity: 10, quality: 'default' },
      ],
      set,
      2018,
      'location',
    );
    // petrol 2018 own record; diesel only has 2019: nearest later, flagged.
    expect(result.ttwKg).toBeCloseTo(10 * 2 + 10 * 2.5, 12);
    expect(result.ttwKgByCarrier).toEqual({ petrol: 20, diesel: 25 });
    expect(result.flags).toEqual(['factor of diesel for 2018 taken from 2019']);
  });

  it('flags a carrier without any factor and a missing well-to-tank figure instead of inventing one', () => {
    const result = emissionsOfLines(
      [
        { carrier: 'hydrogen', quantity: 5, quality: 'primary' },
        { carrier: 'biogas', quantity: 100, quality: 'primary' },
      ],
      set,
      2019,
      'location',
    );
    expect(result.ttwKg).toBeCloseTo(1, 12);
    expect(result.wtwKg).toBeCloseTo(1, 12);
    expect(result.biogenicMemoKg).toBeCloseTo(275, 12);
    expect(result.flags).toEqual(['no factor for hydrogen: 5 units in 2019 not counted', 'no well-to-tank factor for biogas 2019: wtw counts its ttw only']);
  });

  it('data quality shares are shares of energy in kWh', () => {
    const result = emissionsOfLines(
      [
        { carrier: 'petrol', quantity: 10, quality: 'primary' }, // 90 kWh
        { carrier: 'electricity', quantity: 60, quality: 'modelled' }, // 60 kWh
        { carrier: 'electricity', quantity: 150, quality: 'default' }, // 150 kWh
      ],
      set,
      2019,
      'location',
    );
    expect(dataQualityShares(result.qualityKwh)).toEqual({ primary: 0.3, modelled: 0.2, default: 0.5 });
    expect(dataQualityShares({ primary: 0, modelled: 0, default: 0 })).toEqual({ primary: 0, modelled: 0, default: 0 });
  });
});

describe('baseline and avoided emissions', () => {
  const set = testSet();

  it('an electric car: baseline = distance x class reference L/km x reference fuel factor of the same year and boundary', () => {
    const figures = figuresOf(vehicle({ energyCarrier: 'electricity' }), activity({ distanceKm: 1000, chargedKwh: 200, chargedDays: 20 }), set, 'location');
    expect(figures.ttwKg).toBe(0);
    expect(figures.wtwKg).toBeCloseTo(200 * 0.02, 12);
    expect(figures.baselineTtwKg).toBeCloseTo(1000 * 0.08 * 1.8, 12);
    expect(figures.baselineWtwKg).toBeCloseTo(1000 * 0.08 * (1.8 + 0.5), 12);
    // avoided = baseline - actual
    expect(figures.baselineTtwKg - figures.ttwKg).toBeCloseTo(144, 12);
    expect(figures.baselineWtwKg - figures.wtwKg).toBeCloseTo(184 - 4, 12);
  });

  it('a vehicle’s own reference replaces the class reference', () => {
    const own = vehicle({ energyCarrier: 'electricity', referenceCarrier: 'diesel', referenceConsumptionPerKm: 0.1 });
    const figures = figuresOf(own, activity({ distanceKm: 1000, chargedKwh: 200, chargedDays: 20 }), set, 'location');
    expect(figures.baselineTtwKg).toBeCloseTo(1000 * 0.1 * 2.5, 12);
  });

  it('a biogas truck against the diesel truck', () => {
    const truck = vehicle({ vehicleClass: 'truck', energyCarrier: 'biogas' });
    const figures = figuresOf(truck, activity({ distanceKm: 100, gasKg: 30, gasDays: 3 }), set, 'location');
    expect(figures.ttwKg).toBeCloseTo(0.3, 12);
    expect(figures.baselineTtwKg).toBeCloseTo(100 * 0.4 * 2.5, 12);
  });

  it('a fossil vehicle avoids nothing: its baseline is its actual emissions', () => {
    const figures = figuresOf(vehicle(), activity({ distanceKm: 100, fuelL: 7, fuelDays: 3 }), set, 'location');
    expect(figures.baselineTtwKg).toBe(figures.ttwKg);
    expect(figures.baselineWtwKg).toBe(figures.wtwKg);
  });

  it('a non-fossil vehicle of a class without a reference: baseline = actual, flagged', () => {
    const figures = figuresOf(vehicle({ vehicleClass: 'other', energyCarrier: 'electricity' }), activity({ distanceKm: 10, chargedKwh: 2, chargedDays: 1 }), set, 'location');
    expect(figures.baselineWtwKg).toBe(figures.wtwKg);
    expect(figures.flags).toContain('no fossil reference for AB12345 (other): baseline taken as its actual emissions');
  });

  it('adds figures of vehicles and months into a group, flags once', () => {
    const a = figuresOf(vehicle(), activity({ distanceKm: 100, fuelL: 7, fuelDays: 3 }), set, 'location');
    const b = figuresOf(vehicle({ energyCarrier: 'electricity' }), activity({ month: '2018-03', distanceKm: 50, chargedKwh: 10, chargedDays: 2 }), set, 'location');
    const total = addFigures(addFigures(emptyFigures(), a), b);
    expect(total.distanceKm).toBe(150);
    expect(total.energy).toEqual({ petrol: 7, electricity: 10 });
    expect(total.ttwKg).toBeCloseTo(7 * 1.8, 12);
    expect(total.baselineTtwKg).toBeCloseTo(7 * 1.8 + 50 * 0.08 * 2, 12);
    expect(total.flags).toEqual(['factor of electricity (location) for 2018 taken from 2019']);
  });
});

describe('summing a vehicle’s months into its year', () => {
  const set = testSet();

  it('gives the same figures as month by month, for every kind of vehicle and data', () => {
    let seed = 11;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const carriers = ['petrol', 'diesel', 'biogas', 'electricity', 'plugin_hybrid', 'hydrogen'] as const;
    for (const carrier of carriers) {
      const profile = vehicle({ energyCarrier: carrier, vehicleClass: carrier === 'biogas' ? 'truck' : 'passenger_car', nominalConsumptionPerKm: carrier === 'hydrogen' ? 0.01 : null });
      const months = Array.from({ length: 12 }, (_, i) => {
        const distance = random() * 1000;
        const counted = random() < 0.7;
        const part = counted ? random() * distance : distance;
        return {
          vehicleId: 'v1',
          activity: activity({
            month: `2019-${String(i + 1).padStart(2, '0')}`,
            distanceKm: distance,
            fuelL: counted ? part * 0.07 : 0,
            fuelDays: counted ? 5 : 0,
            distanceWithoutFuelKm: distance - (counted ? part : 0),
            gasKg: counted ? part * 0.3 : 0,
            gasDays: counted ? 5 : 0,
            distanceWithoutGasKm: distance - (counted ? part : 0),
            chargedKwh: counted ? part * 0.2 : 0,
            chargedDays: counted ? 4 : 0,
            consumedWithoutChargedKwh: random() * 10,
            distanceWithoutElectricKm: counted ? distance - part : distance / 2,
            transactions: i === 5 && carrier === 'petrol' ? { petrol: 40 } : {},
          }),
        };
      });
      const byMonth = months.reduce((total, m) => addFigures(total, figuresOf(profile, m.activity, set, 'location')), emptyFigures());
      const collapsed = collapseToYears(months);
      expect(collapsed.length).toBe(carrier === 'petrol' ? 2 : 1);
      const byYear = collapsed.reduce((total, m) => addFigures(total, figuresOf(profile, m.activity, set, 'location')), emptyFigures());
      for (const key of ['distanceKm', 'ttwKg', 'wtwKg', 'biogenicMemoKg', 'baselineTtwKg', 'baselineWtwKg'] as const) {
        expect(byYear[key]).toBeCloseTo(byMonth[key], 9);
      }
      for (const quality of ['primary', 'modelled', 'default'] as const) expect(byYear.qualityKwh[quality]).toBeCloseTo(byMonth.qualityKwh[quality], 9);
    }
  });
});
