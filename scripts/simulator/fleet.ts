/**
 * The devices to simulate, read from a fleet file (the format `npm run fleet:import` reads).
 * Only the fields the simulator needs are kept; rows without a deviceId have no gateway and are
 * skipped, since the service could not attribute their telemetry anyway.
 */
import fs from 'fs';
import yaml from 'js-yaml';
import { DIALECTS, Dialect } from './dialects/wire';
import { IsoDate, parseIsoDate } from './oslo-time';
import { Shift, assignDuties } from './rosters';

export type VehicleClass = 'passenger_car' | 'van' | 'truck' | 'other';
export type EnergyCarrier = 'electricity' | 'petrol' | 'diesel' | 'hvo' | 'biogas' | 'cng' | 'hydrogen' | 'plugin_hybrid';

/** The fleet file's publisher settings of a device (the registry's fields of the same names). */
export interface SimProfile {
  /** The dialect the device publishes in; absent: --dialect, else klimaklok-v1. */
  profile?: Dialect;
  profileIdentity?: string;
  profileTopic?: string;
  /** The row has no deviceId: `deviceId` is made up from profile and identity, and the device cannot speak klimaklok-v1. */
  deviceIdFromProfile?: boolean;
}

export interface SimVehicle extends SimProfile {
  kind: 'vehicle';
  deviceId: string;
  registration: string;
  vehicleClass: VehicleClass;
  energyCarrier: EnergyCarrier;
  /** Organization number of the department: vehicles of one department share a depot. */
  department: string;
  /** When its tours run (see rosters.ts). */
  shift: Shift;
  /** Drives on weekends and public holidays too. */
  everyDay: boolean;
  inServiceFrom: IsoDate;
  inServiceTo: IsoDate | null;
  /** L, kg or kWh per km by carrier; for plugin hybrids the petrol figure of hybrid driving. */
  nominalConsumptionPerKm: number;
}

export interface SimChargePoint extends SimProfile {
  kind: 'charge_point';
  deviceId: string;
  /** Organization number of the housing cooperative: its residents share a set of RFID tokens. */
  cooperative: string;
  connectors: number;
  maxKw: number;
  commissionedOn: IsoDate;
  /** How the point reports: the telemetry contract over MQTT, or OCPP 1.6J to the service's central system. */
  protocol: ChargePointProtocol;
}

export type ChargePointProtocol = 'mqtt' | 'ocpp';

export type SimDevice = SimVehicle | SimChargePoint;

export interface SimFleet {
  vehicles: SimVehicle[];
  chargePoints: SimChargePoint[];
}

const VEHICLE_CLASSES: readonly VehicleClass[] = ['passenger_car', 'van', 'truck', 'other'];
const CARRIERS: readonly EnergyCarrier[] = ['electricity', 'petrol', 'diesel', 'hvo', 'biogas', 'cng', 'hydrogen', 'plugin_hybrid'];
const DEVICE_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Class defaults from the reference consumption table, for rows without a nominal figure. */
const DEFAULT_CONSUMPTION: Record<VehicleClass, Partial<Record<EnergyCarrier, number>>> = {
  passenger_car: { petrol: 0.076, diesel: 0.062, hvo: 0.062, electricity: 0.18, plugin_hybrid: 0.045, biogas: 0.06, cng: 0.06, hydrogen: 0.01 },
  van: { diesel: 0.09, hvo: 0.09, petrol: 0.1, electricity: 0.22, plugin_hybrid: 0.06, biogas: 0.09, cng: 0.09, hydrogen: 0.012 },
  truck: { diesel: 0.36, hvo: 0.36, biogas: 0.33, cng: 0.33, electricity: 1.1, hydrogen: 0.08, petrol: 0.4, plugin_hybrid: 0.3 },
  other: { diesel: 0.2, petrol: 0.2, hvo: 0.2, electricity: 0.5, biogas: 0.2, cng: 0.2, hydrogen: 0.05, plugin_hybrid: 0.1 },
};

type Row = Record<string, unknown>;

export function parseFleet(text: string, source = 'fleet file'): SimFleet {
  const document = yaml.load(text, { schema: yaml.CORE_SCHEMA, json: true }) as { organizations?: Row[]; vehicles?: Row[]; chargePoints?: Row[] } | null;
  if (!document || typeof document !== 'object') throw new Error(`${source}: not a fleet file`);
  const departmentNames = new Map((document.organizations ?? []).map((org) => [String(org.orgNumber), String(org.name ?? '')]));
  const problems: string[] = [];
  const date = (where: string, value: unknown): IsoDate => {
    const parsed = typeof value === 'string' ? parseIsoDate(value) : null;
    if (!parsed) problems.push(`${where}: bad date ${String(value)}`);
    return parsed ?? '1970-01-01';
  };

  /** The row's profile settings, and its key: the deviceId, else one made up from profile and identity. */
  const profileOf = (where: string, row: Row): { key: string; profile: SimProfile } | null => {
    const text = (field: string) => (row[field] === undefined || row[field] === null ? undefined : String(row[field]));
    const profile: SimProfile = {};
    const name = text('profile');
    if (name !== undefined) {
      if (!DIALECTS.includes(name as Dialect)) problems.push(`${where}: bad profile ${name}`);
      else if (name !== 'klimaklok-v1') profile.profile = name as Dialect;
    }
    if (text('profileIdentity') !== undefined) profile.profileIdentity = text('profileIdentity');
    if (text('profileTopic') !== undefined) profile.profileTopic = text('profileTopic');
    const deviceId = text('deviceId');
    if (deviceId !== undefined) {
      if (!DEVICE_ID.test(deviceId)) problems.push(`${where}: bad deviceId`);
      return { key: deviceId, profile };
    }
    // A device that publishes only in its own dialect: its gateway is the publisher.
    if (!profile.profile || !profile.profileIdentity) return null;
    return { key: `${profile.profile}:${profile.profileIdentity}`, profile: { ...profile, deviceIdFromProfile: true } };
  };

  const vehicles: SimVehicle[] = [];
  for (const [index, row] of (document.vehicles ?? []).entries()) {
    const where = `${source}: vehicles[${index}]`;
    const keyed = profileOf(where, row);
    if (!keyed) continue;
    const deviceId = keyed.key;
    const vehicleClass = row.vehicleClass as VehicleClass;
    const energyCarrier = row.energyCarrier as EnergyCarrier;
    if (!VEHICLE_CLASSES.includes(vehicleClass)) problems.push(`${where}: bad vehicleClass`);
    if (!CARRIERS.includes(energyCarrier)) problems.push(`${where}: bad energyCarrier`);
    const nominal = typeof row.nominalConsumptionPerKm === 'number' ? row.nominalConsumptionPerKm : Number(row.nominalConsumptionPerKm);
    vehicles.push({
      kind: 'vehicle',
      deviceId,
      registration: String(row.registration),
      vehicleClass,
      energyCarrier,
      department: String(row.department ?? ''),
      shift: 'day',
      everyDay: false,
      inServiceFrom: date(where, row.inServiceFrom),
      inServiceTo: row.inServiceTo === undefined || row.inServiceTo === null ? null : date(where, row.inServiceTo),
      nominalConsumptionPerKm: Number.isFinite(nominal) && nominal > 0 ? nominal : (DEFAULT_CONSUMPTION[vehicleClass]?.[energyCarrier] ?? 0.1),
      ...keyed.profile,
    });
  }

  const duties = assignDuties(vehicles.map((vehicle) => ({ ...vehicle, departmentName: departmentNames.get(vehicle.department) ?? '' })));
  for (const vehicle of vehicles) Object.assign(vehicle, duties.get(vehicle.deviceId));

  const chargePoints: SimChargePoint[] = [];
  for (const [index, row] of (document.chargePoints ?? []).entries()) {
    const where = `${source}: chargePoints[${index}]`;
    const keyed = profileOf(where, row);
    if (!keyed) {
      problems.push(`${where}: bad deviceId`);
      continue;
    }
    const deviceId = keyed.key;
    const connectors = Number(row.connectors);
    const maxKw = Number(row.maxKw);
    if (!Number.isInteger(connectors) || connectors < 1 || connectors > 32) problems.push(`${where}: bad connectors`);
    if (!(maxKw > 0)) problems.push(`${where}: bad maxKw`);
    const protocol = (row.protocol ?? 'mqtt') as ChargePointProtocol;
    if (protocol !== 'mqtt' && protocol !== 'ocpp') problems.push(`${where}: bad protocol (mqtt or ocpp)`);
    chargePoints.push({ kind: 'charge_point', deviceId, cooperative: String(row.cooperative ?? ''), connectors, maxKw, commissionedOn: date(where, row.commissionedOn), protocol, ...keyed.profile });
  }

  const ids = [...vehicles, ...chargePoints].map((device) => device.deviceId);
  const duplicate = ids.find((id, index) => ids.indexOf(id) !== index);
  if (duplicate) problems.push(`${source}: deviceId ${duplicate} appears twice`);
  if (problems.length > 0) throw new Error(problems.slice(0, 10).join('\n'));
  return { vehicles, chargePoints };
}

export function loadFleet(file: string): SimFleet {
  return parseFleet(fs.readFileSync(file, 'utf8'), file);
}

/** Whether a device reports at some time between two dates (both included; `to` null = open end). */
export function activeBetween(device: SimDevice, from: IsoDate, to: IsoDate | null): boolean {
  if (device.kind === 'charge_point') return to === null || device.commissionedOn <= to;
  return (to === null || device.inServiceFrom <= to) && (device.inServiceTo === null || device.inServiceTo >= from);
}

/**
 * The devices to simulate. A number takes devices round-robin over the kinds of device (vehicle
 * class and carrier, charge points; the most numerous kinds first), preferring those that report
 * in the simulated period, so that even `--devices 6` shows a mix; a list names device ids.
 */
export function selectDevices(fleet: SimFleet, selection: number | readonly string[] | null, period?: { from: IsoDate; to: IsoDate | null }): SimFleet {
  if (selection === null) return fleet;
  if (typeof selection !== 'number') {
    const wanted = new Set(selection);
    const known = new Set([...fleet.vehicles, ...fleet.chargePoints].map((device) => device.deviceId));
    const missing = [...wanted].filter((id) => !known.has(id));
    if (missing.length > 0) throw new Error(`not in the fleet file: ${missing.join(', ')}`);
    return { vehicles: fleet.vehicles.filter((v) => wanted.has(v.deviceId)), chargePoints: fleet.chargePoints.filter((c) => wanted.has(c.deviceId)) };
  }
  const groups = new Map<string, SimDevice[]>();
  for (const device of [...fleet.vehicles, ...fleet.chargePoints]) {
    const key = device.kind === 'vehicle' ? `${device.vehicleClass}/${device.energyCarrier}` : 'charge_point';
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(device);
  }
  const active = (device: SimDevice) => (period ? activeBetween(device, period.from, period.to) : true);
  const ordered = [...groups.values()].sort((a, b) => b.length - a.length);
  const chosen = new Set<string>();
  // Devices that report in the period first; silent ones only to make up the number.
  for (const queues of [ordered.map((queue) => queue.filter(active)), ordered.map((queue) => queue.filter((device) => !active(device)))]) {
    for (let round = 0; chosen.size < selection && queues.some((queue) => queue.length > round); round += 1) {
      for (const queue of queues) if (queue[round] && chosen.size < selection) chosen.add(queue[round].deviceId);
    }
  }
  return { vehicles: fleet.vehicles.filter((v) => chosen.has(v.deviceId)), chargePoints: fleet.chargePoints.filter((c) => chosen.has(c.deviceId)) };
}
