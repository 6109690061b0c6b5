import { Carrier } from './carriers';

export const GRID_METHODS = ['location', 'market'] as const;
export type GridMethod = (typeof GRID_METHODS)[number];
export const BOUNDARIES = ['ttw', 'wtw'] as const;
export type Boundary = (typeof BOUNDARIES)[number];
export const VEHICLE_CLASSES = ['passenger_car', 'van', 'truck', 'other'] as const;
export type VehicleClass = (typeof VEHICLE_CLASSES)[number];

/** One factor record (reports-v1): per unit of the carrier (L, kg or kWh). */
export interface FactorRecord {
  carrier: Carrier;
  year: number;
  ttwKgPerUnit: number;
  /** Well-to-tank per unit; for electricity the grid factor. Null when the set has no figure (flagged when used). */
  wttKgPerUnit: number | null;
  biogenicKgPerUnit: number;
  /** Electricity only. */
  gridMethod: GridMethod | null;
  /** Energy content (kWh per unit) for weighting data-quality shares; null when unknown. */
  energyKwhPerUnit: number | null;
  source: string;
  /** Set for unconfirmed figures ([U] on the reference page) and derivations. */
  note: string | null;
}

/** Consumption per km of a class and carrier: the class's fossil reference, and defaults for estimates. */
export interface ClassConsumption {
  vehicleClass: VehicleClass;
  carrier: Carrier;
  perKm: number;
  /** The fossil reference vehicle of the class (exactly one per class). */
  reference: boolean;
  source: string;
  note: string | null;
}

export interface FactorSet {
  version: number;
  name: string;
  publishedAt: string;
  factors: FactorRecord[];
  consumption: ClassConsumption[];
}

export interface PickedFactor {
  record: FactorRecord;
  /** True when the set has no record for the year asked and a neighbouring year was used. */
  nearestYear: boolean;
}

/**
 * The factor of a carrier for a year: that year's record; when missing, the nearest earlier year
 * (reports-v1); when there is no earlier year either, the nearest later year (the reference page:
 * "use the nearest year and flag it", e.g. electricity location-based in 2018). Both flagged.
 * Electricity needs a grid method; other carriers ignore it.
 */
export function pickFactor(factors: readonly FactorRecord[], carrier: Carrier, year: number, gridMethod: GridMethod): PickedFactor | null {
  const key = `${carrier}|${year}|${carrier === 'electricity' ? gridMethod : ''}`;
  let memo = picks.get(factors);
  if (!memo) picks.set(factors, (memo = new Map()));
  if (memo.has(key)) return memo.get(key)!;
  const picked = findFactor(factors, carrier, year, gridMethod);
  memo.set(key, picked);
  return picked;
}

/** Picks per factor list: a set never changes, and reports ask the same few questions thousands of times. */
const picks = new WeakMap<readonly FactorRecord[], Map<string, PickedFactor | null>>();

function findFactor(factors: readonly FactorRecord[], carrier: Carrier, year: number, gridMethod: GridMethod): PickedFactor | null {
  const candidates = factors.filter((f) => f.carrier === carrier && (carrier !== 'electricity' || f.gridMethod === gridMethod));
  let earlier: FactorRecord | null = null;
  let later: FactorRecord | null = null;
  for (const record of candidates) {
    if (record.year === year) return { record, nearestYear: false };
    if (record.year < year && (!earlier || record.year > earlier.year)) earlier = record;
    if (record.year > year && (!later || record.year < later.year)) later = record;
  }
  const record = earlier ?? later;
  return record ? { record, nearestYear: true } : null;
}

export function classReference(set: Pick<FactorSet, 'consumption'>, vehicleClass: VehicleClass): ClassConsumption | null {
  return set.consumption.find((c) => c.vehicleClass === vehicleClass && c.reference) ?? null;
}

export function classDefault(set: Pick<FactorSet, 'consumption'>, vehicleClass: VehicleClass, carrier: Carrier): ClassConsumption | null {
  return set.consumption.find((c) => c.vehicleClass === vehicleClass && c.carrier === carrier) ?? null;
}
