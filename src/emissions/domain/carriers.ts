/** Energy carriers of emission factors (reports-v1, "Emission factors"). */
export const CARRIERS = ['petrol', 'diesel', 'hvo', 'biogas', 'cng', 'electricity', 'hydrogen'] as const;
export type Carrier = (typeof CARRIERS)[number];

export const UNIT_OF: Record<Carrier, 'L' | 'kg' | 'kWh'> = {
  petrol: 'L',
  diesel: 'L',
  hvo: 'L',
  biogas: 'kg',
  cng: 'kg',
  electricity: 'kWh',
  hydrogen: 'kg',
};

/** Field names of energy per carrier in reports: the carrier and its unit (`petrolL`, `electricityKwh`). */
export const ENERGY_FIELD: Record<Carrier, string> = {
  petrol: 'petrolL',
  diesel: 'dieselL',
  hvo: 'hvoL',
  biogas: 'biogasKg',
  cng: 'cngKg',
  electricity: 'electricityKwh',
  hydrogen: 'hydrogenKg',
};

/** The cumulative counter of vehicle_daily that measures a carrier; hydrogen has none (fuel cards only). */
export type Counter = 'fuel' | 'gas' | 'charged' | 'none';
export const COUNTER_OF: Record<Carrier, Counter> = {
  petrol: 'fuel',
  diesel: 'fuel',
  hvo: 'fuel',
  biogas: 'gas',
  cng: 'gas',
  electricity: 'charged',
  hydrogen: 'none',
};

/** The vehicles table's energy carriers: the factor carriers plus plug-in hybrids. */
export type VehicleCarrier = Carrier | 'plugin_hybrid';

/**
 * Non-fossil vehicles get a baseline and avoided emissions (reports-v1 names electric, biogas and
 * hydrogen). HVO and plug-in hybrid vehicles are combustion vehicles of the fossil kind: their
 * avoided emissions are 0 (their lower factors show in their actual emissions instead).
 */
export const NON_FOSSIL_VEHICLE: ReadonlySet<VehicleCarrier> = new Set(['electricity', 'biogas', 'hydrogen']);

/** Zero-emission (at the tailpipe) vehicles for the fleet KPIs: battery-electric and hydrogen. */
export const ZERO_EMISSION_VEHICLE: ReadonlySet<VehicleCarrier> = new Set(['electricity', 'hydrogen']);

/**
 * Which counters a vehicle's energy is read from and which carrier its `default` estimate uses.
 * A plug-in hybrid burns petrol and charges electricity; its default estimate is petrol (its
 * nominal consumption is read as L/km) and its electricity is never estimated by default, since
 * the distance is already covered by the petrol estimate.
 */
export interface VehicleEnergySources {
  liquid: Carrier | null;
  gas: Carrier | null;
  electric: boolean;
  defaultCarrier: Carrier;
}

export function energySourcesOf(carrier: VehicleCarrier): VehicleEnergySources {
  switch (carrier) {
    case 'petrol':
    case 'diesel':
    case 'hvo':
      return { liquid: carrier, gas: null, electric: false, defaultCarrier: carrier };
    case 'biogas':
    case 'cng':
      return { liquid: null, gas: carrier, electric: false, defaultCarrier: carrier };
    case 'electricity':
      return { liquid: null, gas: null, electric: true, defaultCarrier: 'electricity' };
    case 'hydrogen':
      return { liquid: null, gas: null, electric: false, defaultCarrier: 'hydrogen' };
    case 'plugin_hybrid':
      return { liquid: 'petrol', gas: null, electric: true, defaultCarrier: 'petrol' };
  }
}

/** Fuels a class's fossil reference vehicle may burn. */
export const FOSSIL_REFERENCE_CARRIERS: ReadonlySet<Carrier> = new Set(['petrol', 'diesel', 'cng']);
