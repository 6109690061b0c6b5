import { COUNTER_OF, Carrier, Counter, VehicleCarrier, energySourcesOf } from './carriers';
import { FactorSet, VehicleClass, classDefault } from './factor-set';

export const DATA_QUALITIES = ['primary', 'modelled', 'default'] as const;
export type DataQuality = (typeof DATA_QUALITIES)[number];

/** Charging efficiency when the vehicle has none of its own (reports-v1). */
export const DEFAULT_CHARGING_EFFICIENCY = 0.9;

/** What the figures need to know about a vehicle (a snapshot of the registry). */
export interface VehicleProfile {
  vehicleId: string;
  registration: string;
  vehicleClass: VehicleClass;
  energyCarrier: VehicleCarrier;
  departmentId: string;
  /** Per km in the unit of the vehicle's default carrier. */
  nominalConsumptionPerKm: number | null;
  chargingEfficiency: number | null;
  /** The vehicle's own fossil reference (both or neither); else its class's. */
  referenceCarrier: Carrier | null;
  referenceConsumptionPerKm: number | null;
}

/**
 * One vehicle's activity in one calendar month (or the part of it inside the report period), summed
 * from its daily rollups. Sums of a counter are over the days that have data for it (a NULL day has
 * no counter interval); the distances "without" are the days' distance where that counter had none.
 */
export interface MonthActivity {
  /** YYYY-MM. */
  month: string;
  distanceKm: number;
  fuelL: number;
  fuelDays: number;
  distanceWithoutFuelKm: number;
  gasKg: number;
  gasDays: number;
  distanceWithoutGasKm: number;
  chargedKwh: number;
  chargedDays: number;
  /** energyConsumedKwh on days without an energyChargedKwh figure. */
  consumedWithoutChargedKwh: number;
  /** Distance on days with neither electricity counter. */
  distanceWithoutElectricKm: number;
  /** Seconds within odometer intervals no longer than MAX_COUNTER_GAP (coverage, amendment 1.1). */
  coveredSeconds: number;
  /**
   * The parts of distanceKm, fuelL, gasKg and chargedKwh that intervals longer than MAX_COUNTER_GAP
   * spread over the month: counted, but `modelled`, never `primary` (amendment 1.1).
   */
  gapDistanceKm: number;
  gapFuelL: number;
  gapGasKg: number;
  gapChargedKwh: number;
  /** Imported fuel-card quantities in the month, per carrier. */
  transactions: Partial<Record<Carrier, number>>;
}

/** A month without any activity: the start of every sum. */
export function emptyActivity(month: string): MonthActivity {
  return {
    month,
    distanceKm: 0,
    fuelL: 0,
    fuelDays: 0,
    distanceWithoutFuelKm: 0,
    gasKg: 0,
    gasDays: 0,
    distanceWithoutGasKm: 0,
    chargedKwh: 0,
    chargedDays: 0,
    consumedWithoutChargedKwh: 0,
    distanceWithoutElectricKm: 0,
    coveredSeconds: 0,
    gapDistanceKm: 0,
    gapFuelL: 0,
    gapGasKg: 0,
    gapChargedKwh: 0,
    transactions: {},
  };
}

export interface EnergyLine {
  carrier: Carrier;
  quantity: number;
  quality: DataQuality;
}

export interface EnergyResult {
  lines: EnergyLine[];
  flags: string[];
}

/**
 * Energy per carrier with its data quality, best source first (reports-v1, "Vehicle activity"):
 *
 * 1. primary: counter deltas of the carrier (except what intervals longer than MAX_COUNTER_GAP
 *    spread over the month: modelled, reports-v1 amendment 1.1); or, for a month in which the vehicle has no data of
 *    that counter at all, imported fuel transactions of carriers read by that counter. Counters win
 *    over fuel cards because a refuel does not say when the fuel was burnt; transactions in a month
 *    with counter data are ignored and flagged.
 * 2. modelled: energyConsumedKwh / charging efficiency, on days without a charged-energy figure.
 * 3. default: the distance of days without any figure of the carrier x the vehicle's nominal
 *    consumption, else the class default of the factor set. With no consumption figure at all
 *    the distance is flagged (never a silent zero).
 */
export function energyOf(vehicle: VehicleProfile, activity: MonthActivity, set: Pick<FactorSet, 'consumption'>): EnergyResult {
  const sources = energySourcesOf(vehicle.energyCarrier);
  const lines: EnergyLine[] = [];
  const flags: string[] = [];
  const add = (carrier: Carrier, quantity: number, quality: DataQuality) => {
    if (quantity !== 0) lines.push({ carrier, quantity, quality });
  };
  const defaultEstimate = (distanceKm: number) => {
    if (distanceKm <= 0) return;
    const perKm = vehicle.nominalConsumptionPerKm ?? classDefault(set, vehicle.vehicleClass, sources.defaultCarrier)?.perKm ?? null;
    if (perKm === null) {
      flags.push(`no consumption figure for ${vehicle.registration} (${vehicle.vehicleClass}, ${sources.defaultCarrier}): ${distanceKm} km without energy in ${activity.month}`);
      return;
    }
    add(sources.defaultCarrier, distanceKm * perKm, 'default');
  };

  const counterDays: Record<Counter, number> = { fuel: activity.fuelDays, gas: activity.gasDays, charged: activity.chargedDays, none: 0 };
  const transactionsByCounter = new Map<Counter, Array<[Carrier, number]>>();
  for (const [carrier, quantity] of Object.entries(activity.transactions) as Array<[Carrier, number]>) {
    if (!quantity) continue;
    const counter = COUNTER_OF[carrier];
    if (counterDays[counter] > 0) {
      flags.push(`fuel transactions of ${quantity} ${carrier} for ${vehicle.registration} in ${activity.month} ignored: counter data present`);
      continue;
    }
    transactionsByCounter.set(counter, [...(transactionsByCounter.get(counter) ?? []), [carrier, quantity]]);
  }
  for (const entries of transactionsByCounter.values()) for (const [carrier, quantity] of entries) add(carrier, quantity, 'primary');
  const hasTransactions = (counter: Counter) => transactionsByCounter.has(counter);

  // A fuel or gas counter's carrier: the counter's figures where it has data, else fuel cards, else the estimate.
  const fromCounter = (carrier: Carrier, counter: Counter, quantity: number, gap: number, distanceWithoutKm: number) => {
    if (counterDays[counter] > 0) {
      add(carrier, quantity - gap, 'primary');
      add(carrier, gap, 'modelled');
      defaultEstimate(distanceWithoutKm);
    } else if (!hasTransactions(counter)) {
      defaultEstimate(activity.distanceKm);
    }
  };
  if (sources.liquid) fromCounter(sources.liquid, 'fuel', activity.fuelL, activity.gapFuelL, activity.distanceWithoutFuelKm);
  if (sources.gas) fromCounter(sources.gas, 'gas', activity.gasKg, activity.gapGasKg, activity.distanceWithoutGasKm);
  if (sources.electric) {
    add('electricity', activity.chargedKwh - activity.gapChargedKwh, 'primary');
    add('electricity', activity.gapChargedKwh, 'modelled');
    add('electricity', activity.consumedWithoutChargedKwh / (vehicle.chargingEfficiency ?? DEFAULT_CHARGING_EFFICIENCY), 'modelled');
    // A plug-in hybrid's distance is estimated as petrol above; its electricity is never a default.
    if (!sources.liquid) defaultEstimate(activity.distanceWithoutElectricKm);
  }
  if (!sources.liquid && !sources.gas && !sources.electric && !hasTransactions('none')) {
    // Hydrogen: no counter exists; fuel cards or the default estimate.
    defaultEstimate(activity.distanceKm);
  }
  return { lines, flags };
}

/**
 * Sums the months of one vehicle and year into one activity (`month` becomes the year, `YYYY`),
 * leaving alone months with imported fuel. Exact: without fuel cards every rule above is linear in
 * the sums (a month without counter data has all its distance "without" that counter), and the
 * factors are per year; only the card-versus-counter precedence is decided month by month.
 * Reports that do not group by month use it to compute a twelfth of the figures.
 */
export function collapseToYears<T extends { vehicleId: string; activity: MonthActivity }>(months: T[]): Array<{ vehicleId: string; activity: MonthActivity }> {
  const years = new Map<string, { vehicleId: string; activity: MonthActivity }>();
  const kept: Array<{ vehicleId: string; activity: MonthActivity }> = [];
  for (const { vehicleId, activity } of months) {
    if (Object.keys(activity.transactions).length > 0) {
      kept.push({ vehicleId, activity });
      continue;
    }
    const year = activity.month.slice(0, 4);
    const key = `${vehicleId}|${year}`;
    const sum = years.get(key);
    if (!sum) {
      years.set(key, { vehicleId, activity: { ...activity, month: year, transactions: {} } });
      continue;
    }
    const a = sum.activity;
    a.distanceKm += activity.distanceKm;
    a.fuelL += activity.fuelL;
    a.fuelDays += activity.fuelDays;
    a.distanceWithoutFuelKm += activity.distanceWithoutFuelKm;
    a.gasKg += activity.gasKg;
    a.gasDays += activity.gasDays;
    a.distanceWithoutGasKm += activity.distanceWithoutGasKm;
    a.chargedKwh += activity.chargedKwh;
    a.chargedDays += activity.chargedDays;
    a.consumedWithoutChargedKwh += activity.consumedWithoutChargedKwh;
    a.distanceWithoutElectricKm += activity.distanceWithoutElectricKm;
    a.coveredSeconds += activity.coveredSeconds;
    a.gapDistanceKm += activity.gapDistanceKm;
    a.gapFuelL += activity.gapFuelL;
    a.gapGasKg += activity.gapGasKg;
    a.gapChargedKwh += activity.gapChargedKwh;
  }
  return [...years.values(), ...kept];
}
