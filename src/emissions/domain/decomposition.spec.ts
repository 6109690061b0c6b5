import { change, decompose, logMean } from './decomposition';

const L = (a: number, b: number) => (a - b) / (Math.log(a) - Math.log(b));

describe('year-over-year change and its LMDI-I decomposition', () => {
  it('the logarithmic mean', () => {
    expect(logMean(4, 4)).toBe(4);
    expect(logMean(16000, 11400)).toBeCloseTo(L(16000, 11400), 9);
  });

  it('changePct = 100 x (E_year - E_base) / E_base: the "-25 %" line', () => {
    const base = { distanceKm: 1000, energy: { petrol: 500 }, kgByCarrier: { petrol: 1000 } };
    const current = { distanceKm: 750, energy: { petrol: 375 }, kgByCarrier: { petrol: 750 } };
    const result = change(base, current);
    expect(result.changePct).toBeCloseTo(-25, 12);
    // Only the distance changed: all of it is activity.
    expect(result.decomposition.activityKg).toBeCloseTo(-250, 9);
    expect(result.decomposition.technologyKg).toBeCloseTo(0, 9);
    expect(result.decomposition.factorKg).toBeCloseTo(0, 9);
  });

  it('petrol cars partly replaced by electric ones (ttw): effects by hand, summing exactly to the change', () => {
    const base = { distanceKm: 100_000, energy: { petrol: 8000 }, kgByCarrier: { petrol: 8000 * 2 } };
    const current = { distanceKm: 110_000, energy: { petrol: 6000, electricity: 4000 }, kgByCarrier: { petrol: 6000 * 1.9, electricity: 0 } };
    const w = L(11400, 16000);
    const activity = w * Math.log(110_000 / 100_000);
    const technology = w * Math.log(6000 / 110_000 / (8000 / 100_000));
    const factor = w * Math.log(1.9 / 2);
    const result = decompose(base, current);
    expect(result.activityKg).toBeCloseTo(activity, 9);
    expect(result.technologyKg).toBeCloseTo(technology, 9);
    expect(result.factorKg).toBeCloseTo(factor, 9);
    expect(result.activityKg + result.technologyKg + result.factorKg).toBeCloseTo(11400 - 16000, 10);
  });

  it('a carrier new in the group (electricity under wtw) counts in full as technology', () => {
    const base = { distanceKm: 100_000, energy: { petrol: 8000 }, kgByCarrier: { petrol: 8000 * 2.5 } };
    const current = { distanceKm: 100_000, energy: { petrol: 4000, electricity: 9000 }, kgByCarrier: { petrol: 4000 * 2.5, electricity: 9000 * 0.02 } };
    const result = decompose(base, current);
    const w = L(10_000, 20_000);
    expect(result.activityKg).toBeCloseTo(0, 9);
    expect(result.technologyKg).toBeCloseTo(w * Math.log(0.5) + 180, 9);
    expect(result.factorKg).toBeCloseTo(0, 9);
    expect(result.activityKg + result.technologyKg + result.factorKg).toBeCloseTo(10_180 - 20_000, 9);
  });

  it('a carrier leaving the group counts in full as technology; a group that empties counts as activity', () => {
    const base = { distanceKm: 1000, energy: { petrol: 80, diesel: 10 }, kgByCarrier: { petrol: 160, diesel: 25 } };
    const withoutDiesel = { distanceKm: 1000, energy: { petrol: 80 }, kgByCarrier: { petrol: 160 } };
    expect(decompose(base, withoutDiesel)).toEqual({ activityKg: 0, technologyKg: -25, factorKg: 0 });
    const empty = { distanceKm: 0, energy: {}, kgByCarrier: {} };
    expect(decompose(base, empty)).toEqual({ activityKg: -185, technologyKg: 0, factorKg: 0 });
  });

  it('a group with zero base emissions: changePct is null, the decomposition still sums to the change', () => {
    const empty = { distanceKm: 0, energy: {}, kgByCarrier: {} };
    const current = { distanceKm: 500, energy: { petrol: 40 }, kgByCarrier: { petrol: 80 } };
    const result = change(empty, current);
    expect(result.changePct).toBeNull();
    expect(result.decomposition).toEqual({ activityKg: 80, technologyKg: 0, factorKg: 0 });
    // Electricity-only fleet under ttw in both years: nothing to decompose.
    const ev = { distanceKm: 500, energy: { electricity: 90 }, kgByCarrier: { electricity: 0 } };
    expect(change(ev, ev)).toEqual({ baseKg: 0, currentKg: 0, changePct: null, decomposition: { activityKg: 0, technologyKg: 0, factorKg: 0 } });
  });

  it('a factor that was zero and is not (a newly published grid factor) counts as factor', () => {
    const base = { distanceKm: 100, energy: { electricity: 20 }, kgByCarrier: { electricity: 0 } };
    const current = { distanceKm: 100, energy: { electricity: 20 }, kgByCarrier: { electricity: 0.4 } };
    expect(decompose(base, current)).toEqual({ activityKg: 0, technologyKg: 0, factorKg: 0.4 });
  });

  it('sums exactly for arbitrary years of several carriers (property)', () => {
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < 500; i++) {
      const year = () => {
        const energy = { petrol: random() * 1e4, diesel: random() < 0.3 ? 0 : random() * 1e4, electricity: random() * 5e4 };
        return {
          distanceKm: 1e4 + random() * 1e5,
          energy,
          kgByCarrier: { petrol: energy.petrol * (2 + random() * 0.3), diesel: energy.diesel * 2.6, electricity: energy.electricity * random() * 0.05 },
        };
      };
      const base = year();
      const current = year();
      const { activityKg, technologyKg, factorKg } = decompose(base, current);
      const total = Object.values(current.kgByCarrier).reduce((a, b) => a + b) - Object.values(base.kgByCarrier).reduce((a, b) => a + b);
      expect(Math.abs(activityKg + technologyKg + factorKg - total)).toBeLessThan(1e-9 * Math.max(1, Math.abs(total)));
    }
  });
});
