import { FactorRecord, FactorSet } from '../../emissions/domain/factor-set';
import { enabledAvoidedFactorsOf } from './enabled-avoided-factors';

const factor = (carrier: FactorRecord['carrier'], year: number, ttw: number, wtt: number | null, gridMethod: FactorRecord['gridMethod'] = null): FactorRecord => ({
  carrier,
  year,
  ttwKgPerUnit: ttw,
  wttKgPerUnit: wtt,
  biogenicKgPerUnit: 0,
  gridMethod,
  energyKwhPerUnit: null,
  source: 'test',
  note: null,
});

/** Shaped like the default set: petrol blends of 2019 and 2020, NVE location factors of 2019, 2020 and 2022, a market factor that must not be used. */
const set: FactorSet = {
  version: 3,
  name: 'Test set',
  publishedAt: '2026-01-01T00:00:00Z',
  factors: [
    factor('petrol', 2019, 2.32 * 0.96, 0.53),
    factor('petrol', 2020, 2.32 * 0.92, 0.53),
    factor('diesel', 2020, 2.66 * 0.85, 0.66),
    factor('electricity', 2019, 0, 0.017, 'location'),
    factor('electricity', 2020, 0, 0.008, 'location'),
    factor('electricity', 2022, 0, 0.019, 'location'),
    factor('electricity', 2020, 0, 0.402, 'market'),
  ],
  consumption: [
    { vehicleClass: 'passenger_car', carrier: 'petrol', perKm: 0.076, reference: true, source: 'test', note: null },
    { vehicleClass: 'passenger_car', carrier: 'electricity', perKm: 0.18, reference: false, source: 'test', note: null },
    { vehicleClass: 'van', carrier: 'diesel', perKm: 0.09, reference: true, source: 'test', note: null },
  ],
};

describe('enabled-avoided factors from a factor set', () => {
  it('uses the year when both figures exist (2020: petrol 2.32 x 0.92, grid 0.008)', () => {
    const f = enabledAvoidedFactorsOf(set, 2020);
    expect(f.refFuelTtwKgPerL).toBeCloseTo(2.1344, 12);
    expect(f.kgPerKwh).toBeCloseTo((0.076 / 0.18) * 2.1344 - 0.008, 12);
    expect(f.substituted).toBe(false);
    expect(f.source).toBe('factor set 3 (Test set): petrol reference car 0.076 per km, ttw of 2020, electric car 0.18 kWh/km, electricity (location) of 2020');
  });

  it('takes the nearest earlier year and flags it (2026: petrol of 2020, grid of 2022)', () => {
    const f = enabledAvoidedFactorsOf(set, 2026);
    expect(f.gridKgPerKwh).toBe(0.019);
    expect(f.kgPerKwh).toBeCloseTo((0.076 / 0.18) * 2.1344 - 0.019, 12);
    expect(f.substituted).toBe(true);
  });

  it('takes the nearest later year before the first figure, flagged (2018: petrol and grid of 2019)', () => {
    const f = enabledAvoidedFactorsOf(set, 2018);
    expect(f.refFuelTtwKgPerL).toBeCloseTo(2.32 * 0.96, 12);
    expect(f.gridKgPerKwh).toBe(0.017);
    expect(f.substituted).toBe(true);
  });

  it("follows the set's own passenger-car figures, and falls back to 0.18 kWh/km without an electric one", () => {
    const diesel: FactorSet = {
      ...set,
      consumption: [{ vehicleClass: 'passenger_car', carrier: 'diesel', perKm: 0.06, reference: true, source: 'test', note: null }],
    };
    const f = enabledAvoidedFactorsOf(diesel, 2020);
    expect(f.refFuelTtwKgPerL).toBeCloseTo(2.66 * 0.85, 12);
    expect(f.kgPerKwh).toBeCloseTo((0.06 / 0.18) * 2.66 * 0.85 - 0.008, 12);
    expect(f.substituted).toBe(true);
    expect(f.source).toContain('(reports-v1 default)');
  });
});
