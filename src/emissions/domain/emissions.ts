import { Carrier, NON_FOSSIL_VEHICLE } from './carriers';
import { DataQuality, EnergyLine, MonthActivity, VehicleProfile, energyOf } from './energy';
import { FactorSet, GridMethod, classReference, pickFactor } from './factor-set';

type PerCarrier = Partial<Record<Carrier, number>>;

/** The figures of one vehicle in one month, for both boundaries, for one grid method. */
export interface Figures {
  distanceKm: number;
  /** The part of distanceKm spread from counter intervals longer than MAX_COUNTER_GAP (modelled). */
  modelledDistanceKm: number;
  /** Seconds within odometer intervals no longer than MAX_COUNTER_GAP (the numerator of coverage). */
  coveredSeconds: number;
  energy: PerCarrier;
  ttwKgByCarrier: PerCarrier;
  wtwKgByCarrier: PerCarrier;
  ttwKg: number;
  wtwKg: number;
  biogenicMemoKg: number;
  /** For a fossil vehicle its own actual emissions: a group's avoidedKg = baselineKg - actualKg. */
  baselineTtwKg: number;
  baselineWtwKg: number;
  /** Energy in kWh per data quality, for the shares (lines without an energy content are left out and flagged). */
  qualityKwh: Record<DataQuality, number>;
  flags: string[];
}

export const yearOf = (month: string) => Number(month.slice(0, 4));

function addTo(target: PerCarrier, carrier: Carrier, value: number) {
  target[carrier] = (target[carrier] ?? 0) + value;
}

/**
 * Emissions of energy lines (reports-v1, "Emissions of a vehicle in a period"):
 * ttw = sum quantity x ttwKgPerUnit; wtw = ttw + sum quantity x wttKgPerUnit (electricity: the
 * grid factor of the grid method); biogenic memo = sum quantity x biogenicKgPerUnit, never in totals.
 * The factor of the activity's year, else the nearest year, flagged.
 */
export function emissionsOfLines(lines: readonly EnergyLine[], set: Pick<FactorSet, 'factors'>, year: number, gridMethod: GridMethod) {
  const result = {
    energy: {} as PerCarrier,
    ttwKgByCarrier: {} as PerCarrier,
    wtwKgByCarrier: {} as PerCarrier,
    ttwKg: 0,
    wtwKg: 0,
    biogenicMemoKg: 0,
    qualityKwh: { primary: 0, modelled: 0, default: 0 } as Record<DataQuality, number>,
    flags: [] as string[],
  };
  for (const line of lines) {
    addTo(result.energy, line.carrier, line.quantity);
    const picked = pickFactor(set.factors, line.carrier, year, gridMethod);
    const factorName = line.carrier === 'electricity' ? `electricity (${gridMethod})` : line.carrier;
    if (!picked) {
      result.flags.push(`no factor for ${factorName}: ${line.quantity} units in ${year} not counted`);
      continue;
    }
    const { record } = picked;
    if (picked.nearestYear) result.flags.push(`factor of ${factorName} for ${year} taken from ${record.year}`);
    if (record.wttKgPerUnit === null) result.flags.push(`no well-to-tank factor for ${factorName} ${record.year}: wtw counts its ttw only`);
    const ttw = line.quantity * record.ttwKgPerUnit;
    const wtw = ttw + line.quantity * (record.wttKgPerUnit ?? 0);
    addTo(result.ttwKgByCarrier, line.carrier, ttw);
    addTo(result.wtwKgByCarrier, line.carrier, wtw);
    result.ttwKg += ttw;
    result.wtwKg += wtw;
    result.biogenicMemoKg += line.quantity * record.biogenicKgPerUnit;
    if (record.energyKwhPerUnit === null) result.flags.push(`no energy content for ${line.carrier}: left out of the data-quality shares`);
    else result.qualityKwh[line.quality] += line.quantity * record.energyKwhPerUnit;
  }
  return result;
}

/**
 * Baseline of a non-fossil vehicle: distance x reference consumption (the vehicle's own, else its
 * class's in the factor set) x the reference fuel's factor of the same year and boundary.
 * Null when there is no reference or no factor for it.
 */
export function baselineOf(vehicle: VehicleProfile, distanceKm: number, set: Pick<FactorSet, 'factors' | 'consumption'>, year: number, gridMethod: GridMethod, flags: string[]) {
  const own = vehicle.referenceCarrier && vehicle.referenceConsumptionPerKm ? { carrier: vehicle.referenceCarrier, perKm: vehicle.referenceConsumptionPerKm } : null;
  const reference = own ?? classReference(set, vehicle.vehicleClass);
  if (!reference) {
    flags.push(`no fossil reference for ${vehicle.registration} (${vehicle.vehicleClass}): baseline taken as its actual emissions`);
    return null;
  }
  const picked = pickFactor(set.factors, reference.carrier, year, gridMethod);
  if (!picked) {
    flags.push(`no factor for the reference fuel ${reference.carrier}: baseline of ${vehicle.registration} taken as its actual emissions`);
    return null;
  }
  if (picked.nearestYear) flags.push(`factor of ${reference.carrier} for ${year} taken from ${picked.record.year}`);
  const litres = distanceKm * reference.perKm;
  const ttwKg = litres * picked.record.ttwKgPerUnit;
  return { ttwKg, wtwKg: ttwKg + litres * (picked.record.wttKgPerUnit ?? 0) };
}

/** Everything reported of one vehicle in one month. */
export function figuresOf(vehicle: VehicleProfile, activity: MonthActivity, set: FactorSet, gridMethod: GridMethod): Figures {
  const year = yearOf(activity.month);
  const energy = energyOf(vehicle, activity, set);
  const emissions = emissionsOfLines(energy.lines, set, year, gridMethod);
  const flags = [...energy.flags, ...emissions.flags];
  const baseline = NON_FOSSIL_VEHICLE.has(vehicle.energyCarrier) ? baselineOf(vehicle, activity.distanceKm, set, year, gridMethod, flags) : null;
  return {
    distanceKm: activity.distanceKm,
    modelledDistanceKm: activity.gapDistanceKm,
    coveredSeconds: activity.coveredSeconds,
    energy: emissions.energy,
    ttwKgByCarrier: emissions.ttwKgByCarrier,
    wtwKgByCarrier: emissions.wtwKgByCarrier,
    ttwKg: emissions.ttwKg,
    wtwKg: emissions.wtwKg,
    biogenicMemoKg: emissions.biogenicMemoKg,
    baselineTtwKg: baseline?.ttwKg ?? emissions.ttwKg,
    baselineWtwKg: baseline?.wtwKg ?? emissions.wtwKg,
    qualityKwh: emissions.qualityKwh,
    flags,
  };
}

export function emptyFigures(): Figures {
  return {
    distanceKm: 0,
    modelledDistanceKm: 0,
    coveredSeconds: 0,
    energy: {},
    ttwKgByCarrier: {},
    wtwKgByCarrier: {},
    ttwKg: 0,
    wtwKg: 0,
    biogenicMemoKg: 0,
    baselineTtwKg: 0,
    baselineWtwKg: 0,
    qualityKwh: { primary: 0, modelled: 0, default: 0 },
    flags: [],
  };
}

/** Adds `figures` into `total` (mutating `total`); flags are kept once each. */
export function addFigures(total: Figures, figures: Figures): Figures {
  total.distanceKm += figures.distanceKm;
  total.modelledDistanceKm += figures.modelledDistanceKm;
  total.coveredSeconds += figures.coveredSeconds;
  let carrier: Carrier;
  for (carrier in figures.energy) addTo(total.energy, carrier, figures.energy[carrier]!);
  for (carrier in figures.ttwKgByCarrier) addTo(total.ttwKgByCarrier, carrier, figures.ttwKgByCarrier[carrier]!);
  for (carrier in figures.wtwKgByCarrier) addTo(total.wtwKgByCarrier, carrier, figures.wtwKgByCarrier[carrier]!);
  total.ttwKg += figures.ttwKg;
  total.wtwKg += figures.wtwKg;
  total.biogenicMemoKg += figures.biogenicMemoKg;
  total.baselineTtwKg += figures.baselineTtwKg;
  total.baselineWtwKg += figures.baselineWtwKg;
  for (const quality of ['primary', 'modelled', 'default'] as const) total.qualityKwh[quality] += figures.qualityKwh[quality];
  for (const flag of figures.flags) if (!total.flags.includes(flag)) total.flags.push(flag);
  return total;
}

/** Shares of energy (kWh) per data quality; all 0 when there is no energy. */
export function dataQualityShares(qualityKwh: Record<DataQuality, number>): Record<DataQuality, number> {
  const total = qualityKwh.primary + qualityKwh.modelled + qualityKwh.default;
  if (total <= 0) return { primary: 0, modelled: 0, default: 0 };
  return { primary: qualityKwh.primary / total, modelled: qualityKwh.modelled / total, default: qualityKwh.default / total };
}

/**
 * Shares of distance that are primary (odometer intervals no longer than MAX_COUNTER_GAP) and
 * modelled (spread from longer intervals); both 0 when there is no distance.
 */
export function distanceQualityShares(figures: Pick<Figures, 'distanceKm' | 'modelledDistanceKm'>): { primary: number; modelled: number } {
  if (figures.distanceKm <= 0) return { primary: 0, modelled: 0 };
  const modelled = Math.min(1, Math.max(0, figures.modelledDistanceKm / figures.distanceKm));
  return { primary: 1 - modelled, modelled };
}
