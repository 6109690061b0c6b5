/**
 * What a vehicle does in a day, in totals: distance and energy per carrier. Totals come from
 * their own random stream, apart from the details (trips, route, samples in vehicle-day.ts), so
 * the cumulative counters at any date can be rebuilt cheaply by summing day totals from the
 * vehicle's delivery on. Counters are thereby a function of (seed, vehicle, date) alone: any
 * range, any device subset and live mode agree on them.
 *
 * Tuning for the demo's "passenger-car emissions -25 % from 2018 to 2019": a car's daily
 * distance is drawn from one distribution whatever its carrier, so replacing 21 of the 78 fossil
 * cars cuts fossil fuel by their share of it (see scripts/generate-demo-fleet.ts). Seasonal and
 * day-to-day noise on consumption average out to 1 over a year.
 */
import type { EnergyCarrier, SimVehicle, VehicleClass } from './fleet';
import { IsoDate, dayNumber, dayOfYear, isWorkingDay, isoOfDay } from './oslo-time';
import { Random } from './prng';

export type Range = readonly [number, number];

export interface VehicleProfile {
  /** km per working day the vehicle is used. */
  dailyKm: Range;
  trips: Range;
  avgSpeedKmh: Range;
  /** Parked at a job between trips. */
  stopMinutes: Range;
  /** First departure, minutes after local midnight. */
  departureMinutes: Range;
  tankL: number;
  /** Energy drawn per minute of idling (engine on, standing), in the carrier's unit. */
  idlePerMinute: number;
  depotChargerKw: number;
}

const PROFILES: Record<VehicleClass, Omit<VehicleProfile, 'idlePerMinute'>> = {
  passenger_car: { dailyKm: [30, 80], trips: [3, 6], avgSpeedKmh: [28, 45], stopMinutes: [10, 55], departureMinutes: [435, 525], tankL: 50, depotChargerKw: 7.4 },
  van: { dailyKm: [40, 100], trips: [2, 5], avgSpeedKmh: [26, 42], stopMinutes: [15, 75], departureMinutes: [420, 480], tankL: 70, depotChargerKw: 11 },
  truck: { dailyKm: [80, 160], trips: [2, 4], avgSpeedKmh: [30, 45], stopMinutes: [20, 90], departureMinutes: [405, 450], tankL: 250, depotChargerKw: 22 },
  other: { dailyKm: [20, 60], trips: [2, 4], avgSpeedKmh: [15, 30], stopMinutes: [30, 120], departureMinutes: [420, 480], tankL: 60, depotChargerKw: 11 },
};

/** Idle draw per minute: ~0.6 L/h for a petrol car, ~2 L/h for a truck; HVAC for an EV. */
const IDLE_PER_MINUTE: Record<VehicleClass, Record<'liquid' | 'gas' | 'electric', number>> = {
  passenger_car: { liquid: 0.01, gas: 0.008, electric: 0.02 },
  van: { liquid: 0.013, gas: 0.011, electric: 0.025 },
  truck: { liquid: 0.035, gas: 0.03, electric: 0.08 },
  other: { liquid: 0.015, gas: 0.012, electric: 0.03 },
};

export type EnergyKind = 'liquid' | 'gas' | 'electric' | 'hybrid';

export function energyKind(carrier: EnergyCarrier): EnergyKind {
  if (carrier === 'electricity') return 'electric';
  if (carrier === 'plugin_hybrid') return 'hybrid';
  if (carrier === 'biogas' || carrier === 'cng' || carrier === 'hydrogen') return 'gas';
  return 'liquid';
}

const profiles = new WeakMap<SimVehicle, VehicleProfile>();

export function profileOf(vehicle: SimVehicle): VehicleProfile {
  let profile = profiles.get(vehicle);
  if (!profile) {
    const kind = energyKind(vehicle.energyCarrier);
    profile = { ...PROFILES[vehicle.vehicleClass], idlePerMinute: kind === 'hybrid' ? 0 : IDLE_PER_MINUTE[vehicle.vehicleClass][kind] };
    profiles.set(vehicle, profile);
  }
  return profile;
}

/** Battery of an electric or plug-in hybrid vehicle, and how its depot charging leaves it. */
export interface Battery {
  capacityKwh: number;
  /** State of charge the depot charging restores every evening (fraction). */
  targetSoc: number;
}

/** Grid energy to battery energy; the spec's default charging efficiency. */
export const CHARGING_EFFICIENCY = 0.9;
/** Plug-in hybrids drive on electricity down to this state of charge, then on petrol. */
const HYBRID_MIN_SOC = 0.15;
const HYBRID_KWH_PER_KM = 0.2;

export function batteryOf(vehicle: SimVehicle, seed: number): Battery | null {
  const kind = energyKind(vehicle.energyCarrier);
  if (kind !== 'electric' && kind !== 'hybrid') return null;
  if (kind === 'hybrid') return { capacityKwh: 12, targetSoc: 1 };
  const random = Random.for(seed, vehicle.deviceId, 'battery');
  // Sized so that the longest winter day ends above ~20 %: no midday charging needed.
  const capacityKwh = { passenger_car: random.pick([40, 42, 64]), van: 40, truck: 300, other: 60 }[vehicle.vehicleClass];
  const targetSoc = vehicle.vehicleClass === 'passenger_car' ? random.pick([0.8, 0.9, 1]) : random.pick([0.95, 1]);
  return { capacityKwh, targetSoc };
}

/** Liquid fuel tank: refuelled to 95 % every time `refillL` has been burnt, so the level is a function of fuelUsedL. */
export interface Tank {
  capacityL: number;
  refillL: number;
  offsetL: number;
}

export function tankOf(vehicle: SimVehicle, seed: number): Tank | null {
  const kind = energyKind(vehicle.energyCarrier);
  if (kind !== 'liquid' && kind !== 'hybrid') return null;
  const random = Random.for(seed, vehicle.deviceId, 'tank');
  const capacityL = kind === 'hybrid' ? 40 : profileOf(vehicle).tankL;
  const refillL = capacityL * random.between(0.55, 0.75);
  return { capacityL, refillL, offsetL: random.between(0, refillL) };
}

export function fuelLevelPct(tank: Tank, fuelUsedL: number): number {
  return ((tank.capacityL * 0.95 - ((fuelUsedL + tank.offsetL) % tank.refillL)) / tank.capacityL) * 100;
}

export interface Counters {
  odometerKm: number;
  fuelUsedL: number;
  gasUsedKg: number;
  energyConsumedKwh: number;
  energyChargedKwh: number;
}

export interface DayTotals extends Counters {
  /** Distance driven on electricity (plug-in hybrids; all of it for electric vehicles). */
  electricKm: number;
}

const ZERO: DayTotals = { odometerKm: 0, fuelUsedL: 0, gasUsedKg: 0, energyConsumedKwh: 0, energyChargedKwh: 0, electricKm: 0 };

export const inService = (vehicle: SimVehicle, date: IsoDate): boolean => date >= vehicle.inServiceFrom && (vehicle.inServiceTo === null || date <= vehicle.inServiceTo);

/** Winter costs energy (heating, tyres, cold batteries): +-5 % for combustion, +-15 % for batteries, peak mid-January. */
function seasonFactor(date: IsoDate, amplitude: number): number {
  return 1 + amplitude * Math.cos((2 * Math.PI * (dayOfYear(date) - 15)) / 365.25);
}

/** Share of working days a vehicle stands unused (workshop, absence): the same for every carrier. */
const UNUSED_SHARE = 0.04;

export function vehicleDayTotals(vehicle: SimVehicle, date: IsoDate, seed: number): DayTotals {
  if (!inService(vehicle, date) || !(vehicle.everyDay || isWorkingDay(date))) return ZERO;
  const random = Random.for(seed, vehicle.deviceId, date, 'day');
  if (random.chance(UNUSED_SHARE)) return ZERO;
  const profile = profileOf(vehicle);
  const distance = random.triangular(profile.dailyKm[0], profile.dailyKm[1]);
  const noise = random.between(0.94, 1.06);
  const nominal = vehicle.nominalConsumptionPerKm;
  const totals: DayTotals = { ...ZERO, odometerKm: distance };
  switch (energyKind(vehicle.energyCarrier)) {
    case 'liquid':
      totals.fuelUsedL = distance * nominal * seasonFactor(date, 0.05) * noise;
      break;
    case 'gas':
      totals.gasUsedKg = distance * nominal * seasonFactor(date, 0.05) * noise;
      break;
    case 'electric':
      totals.energyConsumedKwh = distance * nominal * seasonFactor(date, 0.15) * noise;
      totals.energyChargedKwh = totals.energyConsumedKwh / CHARGING_EFFICIENCY;
      totals.electricKm = distance;
      break;
    case 'hybrid': {
      const battery = batteryOf(vehicle, seed)!;
      const kwhPerKm = HYBRID_KWH_PER_KM * seasonFactor(date, 0.15) * noise;
      totals.electricKm = Math.min(distance, (battery.capacityKwh * (battery.targetSoc - HYBRID_MIN_SOC)) / kwhPerKm);
      totals.energyConsumedKwh = totals.electricKm * kwhPerKm;
      totals.energyChargedKwh = totals.energyConsumedKwh / CHARGING_EFFICIENCY;
      totals.fuelUsedL = (distance - totals.electricKm) * nominal * seasonFactor(date, 0.05) * noise;
      break;
    }
  }
  return totals;
}

export function addCounters(a: Counters, b: Counters): Counters {
  return {
    odometerKm: a.odometerKm + b.odometerKm,
    fuelUsedL: a.fuelUsedL + b.fuelUsedL,
    gasUsedKg: a.gasUsedKg + b.gasUsedKg,
    energyConsumedKwh: a.energyConsumedKwh + b.energyConsumedKwh,
    energyChargedKwh: a.energyChargedKwh + b.energyChargedKwh,
  };
}

/** Counters on delivery: a few km from the dealer, empty energy registers. */
function deliveryCounters(vehicle: SimVehicle, seed: number): Counters {
  return { odometerKm: Random.for(seed, vehicle.deviceId, 'delivery').between(5, 40), fuelUsedL: 0, gasUsedKg: 0, energyConsumedKwh: 0, energyChargedKwh: 0 };
}

/**
 * Walks a vehicle's days in order and knows its counters at the start of each: summing from
 * delivery keeps them consistent across runs (the same sums in the same order, so the same
 * floating-point result).
 */
export class VehicleLedger {
  private date: IsoDate;
  private counters: Counters;

  constructor(
    private readonly vehicle: SimVehicle,
    private readonly seed: number,
  ) {
    this.date = vehicle.inServiceFrom;
    this.counters = deliveryCounters(vehicle, seed);
  }

  /** Counters at the start of `date` (local midnight); dates must not go backwards. */
  at(date: IsoDate): Counters {
    if (date < this.date) throw new Error(`ledger of ${this.vehicle.deviceId} is past ${date}`);
    for (let day = dayNumber(this.date), end = dayNumber(date); day < end; day += 1) {
      this.counters = addCounters(this.counters, vehicleDayTotals(this.vehicle, isoOfDay(day), this.seed));
    }
    this.date = date;
    return this.counters;
  }
}
