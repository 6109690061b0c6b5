import { ReferenceEnabledAvoidedFactors, nearestEarlier } from './enabled-avoided-factors';

describe('reference enabled-avoided factors', () => {
  const factors = new ReferenceEnabledAvoidedFactors();

  it('uses the year when both figures exist (2020: petrol 2.32 x 0.92, grid 0.008)', async () => {
    const f = await factors.forYear(2020);
    expect(f.refFuelTtwKgPerL).toBeCloseTo(2.1344, 12);
    expect(f.kgPerKwh).toBeCloseTo((0.076 / 0.18) * 2.1344 - 0.008, 12);
    expect(f.substituted).toBe(false);
  });

  it('takes the nearest earlier year and flags it (2026: bio share of 2020, grid of 2022)', async () => {
    const f = await factors.forYear(2026);
    expect(f.gridKgPerKwh).toBe(0.019);
    expect(f.kgPerKwh).toBeCloseTo((0.076 / 0.18) * 2.1344 - 0.019, 12);
    expect(f.substituted).toBe(true);
  });

  it('falls back to the earliest year before the first figure (2018 grid: 2019)', () => {
    expect(nearestEarlier({ 2019: 0.017, 2020: 0.008 }, 2018)).toEqual({ value: 0.017, year: 2019 });
    expect(nearestEarlier({ 2019: 0.017, 2020: 0.008 }, 2021)).toEqual({ value: 0.008, year: 2020 });
  });
});
