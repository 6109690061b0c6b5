import { Injectable } from '@nestjs/common';
import { FactorSet, pickFactor } from '../../emissions/domain/factor-set';
import { FactorSetsService } from '../../emissions/factor-sets/factor-sets.service';

/**
 * The factors behind `enabledAvoidedKg` (reports-v1, "Charge points"): per kWh charged,
 * kWh / evKwhPerKm x refLitresPerKm x ttw factor of the reference fuel - kWh x grid factor
 * (location-based), all of the session's year, from the newest published factor set.
 */
export interface EnabledAvoidedYearFactors {
  year: number;
  evKwhPerKm: number;
  refLitresPerKm: number;
  /** Tank-to-wheel fossil CO2e per litre of the blended reference fuel of the year. */
  refFuelTtwKgPerL: number;
  /** Location-based grid factor of the year, kg CO2e per kWh. */
  gridKgPerKwh: number;
  /** kg CO2e enabled per kWh charged: the figure applied to each session's energy. */
  kgPerKwh: number;
  /** True when a factor of another year stood in (no figure for this year), or a default did. */
  substituted: boolean;
  source: string;
}

export interface EnabledAvoidedFactors {
  forYear(year: number): Promise<EnabledAvoidedYearFactors>;
}

export const ENABLED_AVOIDED_FACTORS = Symbol('EnabledAvoidedFactors');

/** reports-v1's defaults where a set has no passenger-car figures: 0.18 kWh/km, the petrol reference car. */
const DEFAULT_EV_KWH_PER_KM = 0.18;

/** The factors of `year` from a factor set: its passenger-car reference and electric consumption, the reference fuel's ttw and the location grid factor. */
export function enabledAvoidedFactorsOf(set: FactorSet, year: number): EnabledAvoidedYearFactors {
  const cars = set.consumption.filter((row) => row.vehicleClass === 'passenger_car');
  const reference = cars.find((row) => row.reference);
  const electric = cars.find((row) => row.carrier === 'electricity');
  const fuel = reference ? pickFactor(set.factors, reference.carrier, year, 'location') : null;
  const grid = pickFactor(set.factors, 'electricity', year, 'location');
  const evKwhPerKm = electric?.perKm ?? DEFAULT_EV_KWH_PER_KM;
  const refLitresPerKm = reference?.perKm ?? 0;
  const refFuelTtwKgPerL = fuel?.record.ttwKgPerUnit ?? 0;
  const gridKgPerKwh = grid?.record.wttKgPerUnit ?? 0;
  const parts = [
    reference && fuel ? `${reference.carrier} reference car ${refLitresPerKm} per km, ttw of ${fuel.record.year}` : 'no passenger-car reference fuel factor (0)',
    electric ? `electric car ${evKwhPerKm} kWh/km` : `electric car ${evKwhPerKm} kWh/km (reports-v1 default)`,
    grid ? `electricity (location) of ${grid.record.year}` : 'no location grid factor (0)',
  ];
  return {
    year,
    evKwhPerKm,
    refLitresPerKm,
    refFuelTtwKgPerL,
    gridKgPerKwh,
    kgPerKwh: (refLitresPerKm / evKwhPerKm) * refFuelTtwKgPerL - gridKgPerKwh,
    substituted: !fuel || !grid || !electric || fuel.nearestYear || grid.nearestYear,
    source: `factor set ${set.version} (${set.name}): ${parts.join(', ')}`,
  };
}

@Injectable()
export class FactorSetEnabledAvoidedFactors implements EnabledAvoidedFactors {
  constructor(private readonly sets: FactorSetsService) {}

  async forYear(year: number): Promise<EnabledAvoidedYearFactors> {
    return enabledAvoidedFactorsOf(await this.sets.resolve(undefined), year);
  }
}
