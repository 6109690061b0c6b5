/**
 * One vehicle's day as telemetry samples: parked at its depot, a tour of trips in its shift
 * (ignition on, one sample a minute, some minutes idling) between jobs in Bærum (parked,
 * ignition off), back to the depot and, for batteries, an evening charge. The day's totals
 * (distance, energy) are given by vehicle-model.ts; this module only spreads them over the day,
 * so the counters end the day exactly where the next day's ledger starts.
 */
import { DEPOTS, PLACES, Point, distanceKm, jitter, place, pointAlong, route, towards } from './baerum';
import type { SimVehicle } from './fleet';
import type { Shift } from './rosters';
import { IsoDate, MINUTE, addDays, osloMidnight, osloTime } from './oslo-time';
import { Random, hash32 } from './prng';
import { Battery, CHARGING_EFFICIENCY, Counters, DayTotals, Tank, batteryOf, energyKind, fuelLevelPct, profileOf } from './vehicle-model';

export interface VehicleState extends Counters {
  ts: number;
  speedKmh: number;
  position: Point;
  ignition: boolean;
  charging: boolean;
  /** Traction battery, % (electric and plug-in hybrid vehicles). */
  socPct: number | null;
}

/** Sampling: every minute while the ignition is on, every 15 minutes parked at a job or charging, every 30 at the depot. */
export const SAMPLING = { driveMs: MINUTE, stopMs: 15 * MINUTE, chargeMs: 15 * MINUTE, depotMs: 30 * MINUTE } as const;

/**
 * Coarse sampling for long backfills: a sample every 30 minutes while the ignition is on and every
 * 12 hours otherwise, and the first sample after every ignition or charging change, so that trips
 * (an ignition-on period: from its first sample to the ignition-off one), charging and every
 * counter's day totals are the same with about a thirteenth of the samples (two years of the demo
 * fleet must go through the pipeline within the demo's first minutes). The sample before a change
 * would only split a counter interval lying wholly within one drive, stop or charge, whose sum
 * stays the same, and a trip ends at its ignition-off sample whatever the samples before it.
 */
export const COARSE_SAMPLING = { ignitionOnMs: 30 * MINUTE, otherwiseMs: 12 * 60 * MINUTE } as const;

/** A day's samples thinned to `every` (see COARSE_SAMPLING); the day's first and last sample stay. */
export function thinSamples(states: VehicleState[], every: { ignitionOnMs: number; otherwiseMs: number } = COARSE_SAMPLING): VehicleState[] {
  const changed = (a: VehicleState | undefined, b: VehicleState) => !!a && (a.ignition !== b.ignition || a.charging !== b.charging);
  const kept: VehicleState[] = [];
  states.forEach((state, index) => {
    const lastKept = kept[kept.length - 1];
    const step = state.ignition ? every.ignitionOnMs : every.otherwiseMs;
    if (!lastKept || index === states.length - 1 || changed(states[index - 1], state) || state.ts - lastKept.ts >= step) kept.push(state);
  });
  return kept;
}

/**
 * When a shift's tour leaves the depot (minutes after local midnight; the day shift's departure is
 * the vehicle class's), when it may leave at the earliest and when it should be back: stops are
 * shortened to make it. The night patrol's tour is the night's hours after midnight: a tour stays
 * within its local day.
 */
const SHIFTS: Record<Shift, { departureMinutes?: [number, number]; earliestMinutes: number; latestReturnMinutes: number }> = {
  day: { earliestMinutes: 6 * 60, latestReturnMinutes: 17 * 60 + 30 },
  evening: { departureMinutes: [14 * 60, 17 * 60], earliestMinutes: 13 * 60, latestReturnMinutes: 22 * 60 },
  late: { departureMinutes: [19 * 60 + 30, 21 * 60], earliestMinutes: 18 * 60, latestReturnMinutes: 23 * 60 + 58 },
  night: { departureMinutes: [5, 210], earliestMinutes: 5, latestReturnMinutes: 6 * 60 + 50 },
};
const LUNCH_MINUTES = 30;
/** Road km that every leg has on top of its share of the beeline: short hops are never 0 km. */
const LEG_BASE_KM = 0.8;
/** Road distance is at least this times the beeline. */
const MIN_DETOUR = 1.25;

export function depotOf(vehicle: SimVehicle, seed: number): Point {
  const depot = place(DEPOTS[hash32(vehicle.department) % DEPOTS.length]);
  return jitter(depot, 0.04, Random.for(seed, vehicle.deviceId, 'parking'));
}

/** Seconds past the minute at which this vehicle's gateway samples: fleets do not all report on the same second. */
export const samplingPhaseMs = (deviceId: string, seed: number): number => Random.for(seed, deviceId, 'phase').int(0, 59) * 1000;

interface Leg {
  path: Point[];
  km: number;
  /** Per minute of the trip: km driven in it (0 = idling). */
  minutes: number[];
}

function planLegs(totals: DayTotals, depot: Point, vehicle: SimVehicle, random: Random): Leg[] {
  const profile = profileOf(vehicle);
  const day = totals.odometerKm;
  const count = Math.max(2, Math.min(random.int(profile.trips[0], profile.trips[1]), Math.floor(day / 4)));
  let stops = Array.from({ length: count - 1 }, () => jitter(place(random.pick(PLACES)), 0.5, random));
  const beelines = (points: Point[]) => points.slice(1).map((point, index) => distanceKm(points[index], point));
  let legs = beelines([depot, ...stops, depot]);
  let beeline = legs.reduce((sum, leg) => sum + leg, 0);
  const maxBeeline = Math.max(0, day / MIN_DETOUR - count * LEG_BASE_KM);
  if (beeline > maxBeeline) {
    // Too far for the day's distance: the jobs were closer to the depot.
    stops = stops.map((stop) => towards(depot, stop, maxBeeline / beeline));
    legs = beelines([depot, ...stops, depot]);
    beeline = legs.reduce((sum, leg) => sum + leg, 0);
  }
  const points = [depot, ...stops, depot];
  let assigned = 0;
  return legs.map((leg, index) => {
    const km = index === legs.length - 1 ? day - assigned : (day * (leg + LEG_BASE_KM)) / (beeline + count * LEG_BASE_KM);
    assigned += km;
    const speed = random.between(profile.avgSpeedKmh[0], profile.avgSpeedKmh[1]);
    const driving = Math.max(1, Math.round((km / speed) * 60));
    const idling = Math.round(driving * random.between(0.03, 0.1));
    const weights = Array.from({ length: driving }, () => random.between(0.55, 1.35));
    const weightSum = weights.reduce((sum, weight) => sum + weight, 0);
    const minutes = weights.map((weight) => (km * weight) / weightSum);
    for (let i = 0; i < idling; i += 1) minutes.splice(random.int(0, minutes.length), 0, 0);
    return { path: route(points[index], points[index + 1], km / 1.2, random), km, minutes };
  });
}

/** The day's energy so far, as counters, after `km` driven and `idled` minutes idling. */
function energyCurve(vehicle: SimVehicle, start: Counters, totals: DayTotals, idleMinutes: number): (km: number, idled: number) => Counters {
  const kind = energyKind(vehicle.energyCarrier);
  const day = totals.odometerKm;
  const counters = (km: number, fuel: number, gas: number, kwh: number): Counters => ({
    odometerKm: start.odometerKm + km,
    fuelUsedL: start.fuelUsedL + fuel,
    gasUsedKg: start.gasUsedKg + gas,
    energyConsumedKwh: start.energyConsumedKwh + kwh,
    energyChargedKwh: start.energyChargedKwh,
  });
  if (kind === 'hybrid') {
    const electricKm = totals.electricKm;
    const fuelPerKm = day > electricKm ? totals.fuelUsedL / (day - electricKm) : 0;
    const kwhPerKm = electricKm > 0 ? totals.energyConsumedKwh / electricKm : 0;
    return (km) => counters(km, Math.max(0, km - electricKm) * fuelPerKm, 0, Math.min(km, electricKm) * kwhPerKm);
  }
  const total = kind === 'liquid' ? totals.fuelUsedL : kind === 'gas' ? totals.gasUsedKg : totals.energyConsumedKwh;
  const idleRate = Math.min(profileOf(vehicle).idlePerMinute, idleMinutes > 0 ? (0.3 * total) / idleMinutes : 0);
  const perKm = (total - idleRate * idleMinutes) / day;
  if (kind === 'liquid') return (km, idled) => counters(km, idleRate * idled + perKm * km, 0, 0);
  if (kind === 'gas') return (km, idled) => counters(km, 0, idleRate * idled + perKm * km, 0);
  return (km, idled) => counters(km, 0, 0, idleRate * idled + perKm * km);
}

/** All samples of a vehicle on a date it is in service, in time order. */
export function vehicleDay(vehicle: SimVehicle, date: IsoDate, start: Counters, totals: DayTotals, seed: number): VehicleState[] {
  const dayStart = osloMidnight(date);
  const dayEnd = osloMidnight(addDays(date, 1));
  const phase = samplingPhaseMs(vehicle.deviceId, seed);
  const depot = depotOf(vehicle, seed);
  const battery: Battery | null = batteryOf(vehicle, seed);
  const soc = (counters: Counters): number | null =>
    battery &&
    Math.max(
      0,
      Math.min(
        100,
        (battery.targetSoc - (counters.energyConsumedKwh - start.energyConsumedKwh - (counters.energyChargedKwh - start.energyChargedKwh) * CHARGING_EFFICIENCY) / battery.capacityKwh) * 100,
      ),
    );
  const parkedAtDepot: VehicleState = { ts: dayStart, ...start, speedKmh: 0, position: depot, ignition: false, charging: false, socPct: soc(start) };
  const events: VehicleState[] = [];
  const busy: [number, number][] = [];

  if (totals.odometerKm > 0) {
    const random = Random.for(seed, vehicle.deviceId, date, 'route');
    const profile = profileOf(vehicle);
    const legs = planLegs(totals, depot, vehicle, random);
    const stops = legs.slice(0, -1).map(() => Math.round(random.between(profile.stopMinutes[0], profile.stopMinutes[1])));
    stops[Math.floor((stops.length - 1) / 2)] += LUNCH_MINUTES;
    const tripMinutes = legs.reduce((sum, leg) => sum + leg.minutes.length, 0);
    const stopMinutes = stops.reduce((sum, minutes) => sum + minutes, 0);
    const shift = SHIFTS[vehicle.shift];
    const [earliest, latest] = shift.departureMinutes ?? profile.departureMinutes;
    let departure = Math.round(random.between(earliest, latest));
    if (departure + tripMinutes + stopMinutes > shift.latestReturnMinutes) {
      const room = Math.max(0, shift.latestReturnMinutes - departure - tripMinutes);
      for (let i = 0; i < stops.length; i += 1) stops[i] = Math.max(5, Math.floor((stops[i] * room) / stopMinutes));
      departure = Math.max(shift.earliestMinutes, Math.min(departure, shift.latestReturnMinutes - tripMinutes - stops.reduce((sum, minutes) => sum + minutes, 0)));
    }

    const idleMinutes = legs.reduce((sum, leg) => sum + leg.minutes.filter((km) => km === 0).length, 0);
    const energy = energyCurve(vehicle, start, totals, idleMinutes);
    let km = 0;
    let idled = 0;
    const at = (ts: number, position: Point, speedKmh: number, ignition: boolean): VehicleState => {
      const state = energy(km, idled) as VehicleState;
      state.ts = ts;
      state.speedKmh = speedKmh;
      state.position = position;
      state.ignition = ignition;
      state.charging = false;
      state.socPct = soc(state);
      return state;
    };

    let t = osloTime(date, departure) + phase;
    const tourStart = t;
    legs.forEach((leg, index) => {
      let legKm = 0;
      events.push(at(t, leg.path[0], 0, true));
      leg.minutes.forEach((minuteKm, minute) => {
        km += minuteKm;
        legKm += minuteKm;
        if (minuteKm === 0) idled += 1;
        const last = minute === leg.minutes.length - 1;
        const where = last ? leg.path[leg.path.length - 1] : pointAlong(leg.path, legKm / leg.km);
        events.push(at(t + (minute + 1) * SAMPLING.driveMs, where, last ? 0 : minuteKm * 60, !last));
      });
      t += leg.minutes.length * SAMPLING.driveMs;
      if (index < stops.length) {
        const resume = t + stops[index] * MINUTE;
        const arrived = events[events.length - 1];
        for (let s = t + SAMPLING.stopMs; s < resume; s += SAMPLING.stopMs) events.push({ ...arrived, ts: s });
        t = resume;
      }
    });
    // Float sums of the minutes may miss the day's total by a hair; the ledger's figure wins.
    const home = addTotals(start, totals);
    Object.assign(events[events.length - 1], { ...home, ts: t, speedKmh: 0, ignition: false, socPct: soc(home) });
    busy.push([tourStart, t]);

    if (battery && totals.energyChargedKwh > 0) {
      const back = events[events.length - 1];
      const plugIn = t + random.int(2, 10) * MINUTE;
      const kw = vehicle.energyCarrier === 'plugin_hybrid' ? 3.7 : profile.depotChargerKw;
      // Whole seconds (the wire's resolution): the last sample while charging and the one at its end never share a timestamp.
      const duration = Math.round(Math.min((totals.energyChargedKwh / kw) * 3_600_000, dayEnd - plugIn - 10 * MINUTE) / 1000) * 1000;
      const charged = (s: number) => {
        const counters = { ...back, energyChargedKwh: start.energyChargedKwh + (totals.energyChargedKwh * (s - plugIn)) / duration };
        return { ...counters, ts: s, charging: true, socPct: soc(counters) };
      };
      for (let s = plugIn; s < plugIn + duration; s += SAMPLING.chargeMs) events.push(charged(s));
      const full = { ...back, energyChargedKwh: start.energyChargedKwh + totals.energyChargedKwh };
      events.push({ ...full, ts: plugIn + duration, charging: false, socPct: soc(full) });
      busy.push([plugIn, plugIn + duration]);
    }
  }

  // Parked at the depot: the last state before, re-sampled every 30 minutes.
  const samples: VehicleState[] = [];
  let previous = parkedAtDepot;
  let next = 0;
  for (let s = dayStart + phase; s < dayEnd; s += SAMPLING.depotMs) {
    while (next < events.length && events[next].ts <= s) {
      previous = events[next];
      samples.push(events[next]);
      next += 1;
    }
    if (!busy.some(([from, to]) => s >= from && s <= to) && !(samples.length > 0 && samples[samples.length - 1].ts === s)) {
      samples.push({ ...previous, ts: s, speedKmh: 0, ignition: false, charging: false });
    }
  }
  while (next < events.length) samples.push(events[next++]);
  return samples;
}

function addTotals(start: Counters, totals: DayTotals): Counters {
  return {
    odometerKm: start.odometerKm + totals.odometerKm,
    fuelUsedL: start.fuelUsedL + totals.fuelUsedL,
    gasUsedKg: start.gasUsedKg + totals.gasUsedKg,
    energyConsumedKwh: start.energyConsumedKwh + totals.energyConsumedKwh,
    // Charged later in the evening, not yet on arrival.
    energyChargedKwh: start.energyChargedKwh,
  };
}

const round = (value: number, decimals: 1 | 2 | 3 | 5): number => {
  const factor = decimals === 1 ? 10 : decimals === 2 ? 100 : decimals === 3 ? 1000 : 100000;
  return Math.round(value * factor) / factor;
};

/** The contract's vehicle sample: the fields this vehicle's gateway knows, rounded like a real one. */
export function vehiclePayload(vehicle: SimVehicle, state: VehicleState, tank: Tank | null, ts: string): Record<string, unknown> {
  const kind = energyKind(vehicle.energyCarrier);
  const payload: Record<string, unknown> = {
    ts,
    odometerKm: round(state.odometerKm, 2),
    speedKmh: round(state.speedKmh, 1),
    lat: round(state.position.lat, 5),
    lon: round(state.position.lon, 5),
    ignition: state.ignition,
  };
  if (kind === 'liquid' || kind === 'hybrid') {
    payload.fuelUsedL = round(state.fuelUsedL, 3);
    payload.fuelLevelPct = round(fuelLevelPct(tank!, state.fuelUsedL), 1);
  }
  if (kind === 'gas') payload.gasUsedKg = round(state.gasUsedKg, 3);
  if (kind === 'electric' || kind === 'hybrid') {
    payload.socPct = round(state.socPct ?? 0, 1);
    payload.energyConsumedKwh = round(state.energyConsumedKwh, 3);
    payload.energyChargedKwh = round(state.energyChargedKwh, 3);
    payload.charging = state.charging;
  }
  return payload;
}
