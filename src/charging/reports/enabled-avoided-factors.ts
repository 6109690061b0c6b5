import { Injectable } from '@nestjs/common';

/**
 * The factors behind `enabledAvoidedKg` (reports-v1, "Charge points"): per kWh charged,
 * kWh / evKwhPerKm x refLitresPerKm x ttw factor of the reference fuel - kWh x grid factor
 * (location-based), all of the session's year.
 *
 * Seam for the emission-factor sets: the factor-set service (built on its own branch) should
 * provide ENABLED_AVOIDED_FACTORS with an implementation that reads the published set (petrol
 * passenger-car reference, electricity location factor, and the set's version in `source`).
 * Until then ReferenceEnabledAvoidedFactors gives the reference page's defaults.
 */
export interface EnabledAvoidedYearFactors {
  year: number;
  evKwhPerKm: number;
  refLitresPerKm: number;
  /** Tank-to-wheel fossil CO2e per litre of the blended reference fuel (petrol) of the year. */
  refFuelTtwKgPerL: number;
  /** Location-based grid factor of the year, kg CO2e per kWh. */
  gridKgPerKwh: number;
  /** kg CO2e enabled per kWh charged: the figure applied to each session's energy. */
  kgPerKwh: number;
  /** True when a factor of another year stood in (no figure for this year). */
  substituted: boolean;
  source: string;
}

export interface EnabledAvoidedFactors {
  forYear(year: number): Promise<EnabledAvoidedYearFactors>;
}

export const ENABLED_AVOIDED_FACTORS = Symbol('EnabledAvoidedFactors');

const PETROL_FOSSIL_KG_PER_L = 2.32;
/** Bio share of pump petrol by volume (reference page; 2018 and 2019 are unconfirmed there). */
const PETROL_BIO_SHARE: Record<number, number> = { 2018: 0.04, 2019: 0.04, 2020: 0.08 };
/** NVE location-based factor, kg CO2e/kWh. */
const GRID_LOCATION_KG_PER_KWH: Record<number, number> = { 2019: 0.017, 2020: 0.008, 2022: 0.019 };
const EV_KWH_PER_KM = 0.18;
const PETROL_REFERENCE_L_PER_KM = 0.076;

/** The nearest earlier year with a figure; without one, the earliest year (and flagged either way). */
export function nearestEarlier(table: Record<number, number>, year: number): { value: number; year: number } {
  const years = Object.keys(table).map(Number).sort((a, b) => a - b);
  const earlier = years.filter((y) => y <= year);
  const chosen = earlier.length > 0 ? earlier[earlier.length - 1] : years[0];
  return { value: table[chosen], year: chosen };
}

/** Defaults from shared/reference/emission-factors.md: blended petrol ttw = 2.32 x (1 - bio share), NVE location grid factor. */
@Injectable()
export class ReferenceEnabledAvoidedFactors implements EnabledAvoidedFactors {
  async forYear(year: number): Promise<EnabledAvoidedYearFactors> {
    const bio = nearestEarlier(PETROL_BIO_SHARE, year);
    const grid = nearestEarlier(GRID_LOCATION_KG_PER_KWH, year);
    const refFuelTtwKgPerL = PETROL_FOSSIL_KG_PER_L * (1 - bio.value);
    return {
      year,
      evKwhPerKm: EV_KWH_PER_KM,
      refLitresPerKm: PETROL_REFERENCE_L_PER_KM,
      refFuelTtwKgPerL,
      gridKgPerKwh: grid.value,
      kgPerKwh: (PETROL_REFERENCE_L_PER_KM / EV_KWH_PER_KM) * refFuelTtwKgPerL - grid.value,
      substituted: bio.year !== year || grid.year !== year,
      source: `reference defaults (emission-factors.md): petrol bio share of ${bio.year}, NVE location grid factor of ${grid.year}`,
    };
  }
}
