import { Carrier } from './carriers';

/** A group's year: distance, energy per carrier (its unit) and emissions per carrier (kg, one boundary). */
export interface YearTotals {
  distanceKm: number;
  energy: Partial<Record<Carrier, number>>;
  kgByCarrier: Partial<Record<Carrier, number>>;
}

export interface Decomposition {
  activityKg: number;
  technologyKg: number;
  factorKg: number;
}

export interface Change {
  baseKg: number;
  currentKg: number;
  /** Null when the base year has no emissions (a percentage of nothing is undefined). */
  changePct: number | null;
  decomposition: Decomposition;
}

/** Logarithmic mean L(a, b) = (a - b) / (ln a - ln b), L(a, a) = a. */
export function logMean(a: number, b: number): number {
  if (a === b) return a;
  return (a - b) / (Math.log(a) - Math.log(b));
}

/**
 * Additive LMDI-I decomposition of E_1 - E_0 with carriers as sub-categories:
 * E = sum_c A x (Q_c / A) x (E_c / Q_c), activity A = distance, technology I_c = Q_c / A
 * (energy mix per km), factor f_c = E_c / Q_c (kg per unit: factor changes, including the nearest
 * year and bio shares). Per carrier: w = L(E_c1, E_c0); activity w ln(A1/A0), technology
 * w ln(I_c1/I_c0), factor w ln(f_c1/f_c0); the three sum to E_c1 - E_c0 (ln of the products).
 *
 * Zeros (Ang & Liu 2007: the limit as a zero goes to 0): a carrier's emissions appearing from or
 * vanishing to nothing are given in full to the first driver that is zero in that year, in the
 * order activity (no distance), technology (no energy of the carrier: e.g. electricity new in the
 * fleet), factor (a zero factor: electricity under ttw). A carrier with no emissions in either year
 * contributes nothing. A year with emissions but no distance gives the energy change to technology. The factor term is taken as the carrier's remainder, so the three effects
 * sum to E_1 - E_0 to the last bit of the per-carrier sums.
 */
export function decompose(base: YearTotals, current: YearTotals): Decomposition {
  const result: Decomposition = { activityKg: 0, technologyKg: 0, factorKg: 0 };
  const carriers = new Set([...Object.keys(base.kgByCarrier), ...Object.keys(current.kgByCarrier)] as Carrier[]);
  for (const carrier of carriers) {
    const e0 = base.kgByCarrier[carrier] ?? 0;
    const e1 = current.kgByCarrier[carrier] ?? 0;
    const q0 = base.energy[carrier] ?? 0;
    const q1 = current.energy[carrier] ?? 0;
    const delta = e1 - e0;
    if (e0 === 0 && e1 === 0) continue;
    if (e0 === 0 || e1 === 0) {
      // The year in which the carrier has no emissions says which driver went to zero.
      const [distance, quantity] = e0 === 0 ? [base.distanceKm, q0] : [current.distanceKm, q1];
      if (distance === 0) result.activityKg += delta;
      else if (quantity === 0) result.technologyKg += delta;
      else result.factorKg += delta;
      continue;
    }
    const weight = logMean(e1, e0);
    // Emissions without distance (fuel bought for a vehicle that reported no km in one year): the
    // split of energy into km and energy per km is undefined, the energy change counts as technology.
    const noDistance = base.distanceKm === 0 || current.distanceKm === 0;
    const activity = noDistance ? 0 : weight * Math.log(current.distanceKm / base.distanceKm);
    const technology = noDistance ? weight * Math.log(q1 / q0) : weight * Math.log(q1 / current.distanceKm / (q0 / base.distanceKm));
    result.activityKg += activity;
    result.technologyKg += technology;
    result.factorKg += delta - activity - technology;
  }
  return result;
}

export function change(base: YearTotals, current: YearTotals): Change {
  const baseKg = sum(base.kgByCarrier);
  const currentKg = sum(current.kgByCarrier);
  return {
    baseKg,
    currentKg,
    changePct: baseKg === 0 ? null : (100 * (currentKg - baseKg)) / baseKg,
    decomposition: decompose(base, current),
  };
}

function sum(values: Partial<Record<Carrier, number>>): number {
  return Object.values(values).reduce((total, value) => total + (value ?? 0), 0);
}
