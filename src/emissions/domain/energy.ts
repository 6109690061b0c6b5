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

  if (sources.liquid) {
    if (activity.fuelDays > 0) {
      add(sources.liquid, activity.fuelL - activity.gapFuelL, 'primary');
      add(sources.liquid, activity.gapFuelL, 'modelled');
      defaultEstimate(activity.distanceWithoutFuelKm);
    } else if (!hasTransactions('fuel')) {
      defaultEstimate(activity.distanceKm);
    }
  }
  if (sources.gas) {
    if (activity.gasDays > 0) {
      add(sources.gas, activity.gasKg - activity.gapGasKg, 'primary');
      add(sources.gas, activity.gapGasKg, 'modelled');
      defaultEstimate(activity.distanceWithoutGasKm);
    } else if (!hasTransactions('gas')) {
      defaultEstimate(activity.distanceKm);
    }
  }
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

/** Adds `activity`'s sums into `total` (mutating `total`); transactions are left alone. */
function addActivity(total: MonthActivity, activity: MonthActivity): void {
  total.distanceKm += activity.distanceKm;
  total.fuelL += activity.fuelL;
  total.fuelDays += activity.fuelDays;
  total.distanceWithoutFuelKm += activity.distanceWithoutFuelKm;
  total.gasKg += activity.gasKg;
  total.gasDays += activity.gasDays;
  total.distanceWithoutGasKm += activity.distanceWithoutGasKm;
  total.chargedKwh += activity.chargedKwh;
  total.chargedDays += activity.chargedDays;
  total.consumedWithoutChargedKwh += activity.consumedWithoutChargedKwh;
  total.distanceWithoutElectricKm += activity.distanceWithoutElectricKm;
  total.coveredSeconds += activity.coveredSeconds;
  total.gapDistanceKm += activity.gapDistanceKm;
  total.gapFuelL += activity.gapFuelL;
  total.gapGasKg += activity.gapGasKg;
  total.gapChargedKwh += activity.gapChargedKwh;
}

/**
 * Sums activities by key (`keyOf` null: left out), leaving alone months with imported fuel (their
 * card-versus-counter precedence is decided month by month and vehicle by vehicle).
 */
function collapse<T extends { vehicleId: string; activity: MonthActivity }>(
  months: T[],
  keyOf: (item: T) => string | null,
  monthOf: (activity: MonthActivity) => string,
): Array<{ vehicleId: string; activity: MonthActivity }> {
  const sums = new Map<string, { vehicleId: string; activity: MonthActivity }>();
  const kept: Array<{ vehicleId: string; activity: MonthActivity }> = [];
  for (const item of months) {
    const key = keyOf(item);
    if (key === null) continue;
    const { vehicleId, activity } = item;
    if (Object.keys(activity.transactions).length > 0) {
      kept.push({ vehicleId, activity });
      continue;
    }
    const sum = sums.get(key);
    if (sum) addActivity(sum.activity, activity);
    else sums.set(key, { vehicleId, activity: { ...activity, month: monthOf(activity), transactions: {} } });
  }
  return [...sums.values(), ...kept];
}

/**
 * Sums the months of one vehicle and year into one activity (`month` becomes the year, `YYYY`),
 * leaving alone months with imported fuel. Exact: without fuel cards every rule above is linear in
 * the sums (a month without counter data has all its distance "without" that counter), and the
 * factors are per year; only the card-versus-counter precedence is decided month by month.
 * Reports that do not group by month use it to compute a twelfth of the figures.
 */
export function collapseToYears<T extends { vehicleId: string; activity: MonthActivity }>(months: T[]): Array<{ vehicleId: string; activity: MonthActivity }> {
  return collapse(
    months,
    ({ vehicleId, activity }) => `${vehicleId}|${activity.month.slice(0, 4)}`,
    (activity) => activity.month.slice(0, 4),
  );
}

/**
 * What a vehicle's energy and emissions depend on besides its activity: vehicles with the same
 * profile get, for the same activity, the same figures (their registration only names them in flags).
 */
export function emissionProfileKey(vehicle: VehicleProfile): string {
  return `${vehicle.vehicleClass}|${vehicle.energyCarrier}|${vehicle.nominalConsumptionPerKm}|${vehicle.chargingEfficiency}|${vehicle.referenceCarrier}|${vehicle.referenceConsumptionPerKm}`;
}

/**
 * Sums the same month of the vehicles of a group that share an emission profile into one activity
 * (`groupOf` null: the vehicle is left out), leaving alone months with imported fuel. Exact for
 * the reason collapseToYears is: for one profile every rule above is linear in the sums; a sum
 * keeps the id of one of its vehicles, whose profile stands for all of them.
 * Reports that need a group's monthly totals (the climate budget) compute far fewer figures so.
 */
export function collapseToProfiles<T extends { vehicleId: string; activity: MonthActivity }>(
  months: T[],
  groupOf: (vehicleId: string) => { group: string; profile: VehicleProfile } | null,
): Array<{ vehicleId: string; activity: MonthActivity }> {
  const keys = new Map<string, string | null>();
  const keyOf = (vehicleId: string) => {
    let key = keys.get(vehicleId);
    if (key === undefined) {
      const of = groupOf(vehicleId);
      keys.set(vehicleId, (key = of === null ? null : `${of.group}|${emissionProfileKey(of.profile)}`));
    }
    return key;
  };
  return collapse(
    months,
    ({ vehicleId, activity }) => {
      const key = keyOf(vehicleId);
      return key === null ? null : `${key}|${activity.month}`;
    },
    (activity) => activity.month,
  );
}
