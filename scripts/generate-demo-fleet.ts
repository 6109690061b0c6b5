/**
 * Generates demo/baerum-fleet.yaml: a fictitious fleet file (the format `npm run fleet:import`
 * reads) shaped like Bærum municipality around 2018-2019.
 *
 * What it models
 * - 7 municipal departments (home care, property, roads and parks, kindergartens, water and
 *   sewage, culture, health and social services) and 8 housing cooperatives. The organization
 *   numbers are fictitious: random digits with a valid mod-11 check digit, not looked up.
 * - 148 vehicles in service all through 2018, all in service before 2018-01-01: 78 fossil
 *   passenger cars (56 petrol, 22 diesel), 22 electric cars, 40 diesel vans, 2 electric vans and
 *   6 diesel trucks.
 * - The 2019 purchases from Bærum's annual report 2019: 21 electric cars, 10 electric vans and
 *   1 biogas truck. Each one `replaces` a fossil vehicle of its class (cars a petrol or diesel car,
 *   vans a diesel van, the truck a diesel truck), and the replaced vehicle leaves service the day
 *   before. Cars arrive in four batches from January to March 2019, vans from March to June, the
 *   truck in May.
 * - Per housing cooperative one charging subsidy grant (5,000 NOK per prepared charge point, at
 *   most 50,000 NOK per cooperative) and as many charge points as the grant covers, 40 in all,
 *   commissioned in 2018-2019. Four cooperatives' points (22 of the 40) speak OCPP 1.6J to the
 *   service (`protocol: ocpp`), the others report over MQTT, so the demo shows both side by side.
 * - A mixed fleet of telemetry devices (registry `profile`, shared/spec/device-profiles.md), so the
 *   demo shows every dialect the ingest decodes: the electric cars report through TeslaMate, the
 *   e-vans through OVMS modules, of the fossil cars that stay in service through 2019 every third of
 *   home care's and every sixth of the others carries a Teltonika tracker (JSON codec) and the next
 *   (home care) or the third after it an OwnTracks phone, and one charge
 *   point is an evcc loadpoint; everything else speaks contract v1. The registry only admits charge
 *   points of housing cooperatives, so the evcc one is a cooperative's one-connector MQTT point, not
 *   a municipal depot's. IMEIs are made up (valid Luhn check digit only) from a stream of their own,
 *   so that the rest of the file does not change with them.
 *
 * Tuning
 * The annual report says passenger-car emissions fell 25 % from 2018 to 2019. The 21 replaced
 * cars are 27 % of the 78 fossil passenger cars and, being the oldest, burn more than the average
 * (petrol 0.072-0.080 L/km against 0.060-0.074 for the rest), so they carry about 30 % of the
 * class's 2018 fossil emissions. Replaced between January and March, they still drive about 11 % of
 * 2019, which brings the class's 2019 emissions about 25 % below 2018 when every car drives the
 * same distance per day (petrol 2.32 kg/L, diesel 2.66 kg/L, grid electricity 0.017 kg/kWh). The
 * script prints this estimate; change the groups below and check it again before committing.
 *
 * Deterministic: all randomness comes from a mulberry32 generator with a fixed seed, so running
 * the script again writes the same file byte for byte.
 *
 * Regenerate: `npm run fleet:generate` (builds, then runs dist/scripts/generate-demo-fleet.js). The script finds the
 * repository root by walking up to the package.json of this project (from its own folder, else
 * from the working directory), writes demo/baerum-fleet.yaml there, parses it back, checks it
 * and prints a summary. It exits non-zero when a check fails.
 */
import fs from 'fs';
import { createRequire } from 'module';
import path from 'path';
import type * as JsYaml from 'js-yaml';
import { DEVICE_PROFILES, DeviceProfile, PublisherProfile, profileProblem } from '../src/registry/devices/device-profiles';
import { mulberry32 } from './simulator/prng';

const SEED = 20190101;
const PACKAGE_NAME = 'klimaklok-fleet-monitor';
const OUTPUT = path.join('demo', 'baerum-fleet.yaml');

// ---------------------------------------------------------------------------------------------
// Seeded randomness

const random = mulberry32(SEED);
const randomInt = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
const randomIn = (min: number, max: number, decimals: number): number => round(min + random() * (max - min), decimals);
const round = (value: number, decimals: number): number => Number(value.toFixed(decimals));

function pickWeighted<T>(items: readonly (readonly [T, number])[]): T {
  const total = items.reduce((sum, [, weight]) => sum + weight, 0);
  let draw = random() * total;
  for (const [item, weight] of items) {
    draw -= weight;
    if (draw < 0) return item;
  }
  return items[items.length - 1][0];
}

// ---------------------------------------------------------------------------------------------
// Dates (YYYY-MM-DD strings, computed in UTC)

const toDate = (iso: string): Date => new Date(`${iso}T00:00:00Z`);
const toIso = (date: Date): string => date.toISOString().slice(0, 10);
const addDays = (iso: string, days: number): string => toIso(new Date(toDate(iso).getTime() + days * 86_400_000));
const daysBetween = (from: string, to: string): number => Math.round((toDate(to).getTime() - toDate(from).getTime()) / 86_400_000);
const addYears = (iso: string, years: number): string => `${Number(iso.slice(0, 4)) + years}${iso.slice(4)}`;

/** A random weekday (Monday-Friday) between two dates, both included. */
function randomWeekday(from: string, to: string): string {
  let day = addDays(from, randomInt(0, daysBetween(from, to)));
  while ([0, 6].includes(toDate(day).getUTCDay())) day = addDays(day, 1);
  return day > to ? addDays(day, -3) : day;
}

// ---------------------------------------------------------------------------------------------
// Organizations

type OrganizationKind = 'municipal_department' | 'housing_cooperative';

interface Organization {
  orgNumber: string;
  name: string;
  kind: OrganizationKind;
}

const ORG_WEIGHTS = [3, 2, 7, 6, 5, 4, 3, 2];

/** The mod-11 check digit over the first eight digits, or null when it would be 10 (invalid). */
function orgCheckDigit(first8: string): number | null {
  const sum = ORG_WEIGHTS.reduce((total, weight, index) => total + weight * Number(first8[index]), 0);
  const check = 11 - (sum % 11);
  if (check === 11) return 0;
  return check === 10 ? null : check;
}

const isValidOrgNumber = (value: string): boolean => /^\d{9}$/.test(value) && orgCheckDigit(value.slice(0, 8)) === Number(value[8]);

const usedOrgNumbers = new Set<string>();

/** A fictitious organization number: 9 and seven random digits, plus the check digit. */
function newOrgNumber(): string {
  for (;;) {
    const first8 = `9${String(randomInt(0, 9_999_999)).padStart(7, '0')}`;
    const check = orgCheckDigit(first8);
    const number = `${first8}${check}`;
    if (check !== null && !usedOrgNumbers.has(number)) {
      usedOrgNumbers.add(number);
      return number;
    }
  }
}

const DEPARTMENT_NAMES = {
  homeCare: 'Bærum kommune – Hjemmetjenesten',
  property: 'Bærum kommune – Eiendom',
  roads: 'Bærum kommune – Vei og park',
  kindergartens: 'Bærum kommune – Barnehager',
  water: 'Bærum kommune – Vann og avløp',
  culture: 'Bærum kommune – Kultur og fritid',
  health: 'Bærum kommune – Helse og sosial',
} as const;
type DepartmentKey = keyof typeof DEPARTMENT_NAMES;

const departments = Object.fromEntries(
  (Object.keys(DEPARTMENT_NAMES) as DepartmentKey[]).map((key) => [key, { orgNumber: newOrgNumber(), name: DEPARTMENT_NAMES[key], kind: 'municipal_department' } satisfies Organization]),
) as Record<DepartmentKey, Organization>;

interface CooperativePlan {
  name: string;
  /** Short slug for charge-point device ids. */
  slug: string;
  chargePoints: number;
  grantedOn: string;
  /** Where the charge points are. */
  location: string;
  /** Charge point types the cooperative installed, as [connectors, maxKw]. */
  types: readonly (readonly [number, number])[];
  /** How its charge points report: a cooperative buys all of them from one installer. */
  protocol: 'mqtt' | 'ocpp';
}

const COOPERATIVES: readonly CooperativePlan[] = [
  { name: 'Haslum Terrasse borettslag', slug: 'haslum', chargePoints: 8, grantedOn: '2018-03-12', location: 'Garasje A', types: [[1, 7.4]], protocol: 'ocpp' },
  {
    name: 'Bekkestua Park sameie',
    slug: 'bekkestua',
    chargePoints: 4,
    grantedOn: '2018-05-28',
    location: 'Parkeringskjeller',
    types: [
      [1, 3.7],
      [1, 7.4],
    ],
    protocol: 'mqtt',
  },
  { name: 'Stabekk Hageby borettslag', slug: 'stabekk', chargePoints: 6, grantedOn: '2018-09-03', location: 'Garasje B', types: [[2, 11]], protocol: 'ocpp' },
  { name: 'Høvik Verk borettslag', slug: 'hovik', chargePoints: 3, grantedOn: '2018-11-19', location: 'Utendørs parkering', types: [[2, 22]], protocol: 'mqtt' },
  {
    name: 'Sandvika Brygge sameie',
    slug: 'sandvika',
    chargePoints: 5,
    grantedOn: '2019-02-11',
    location: 'Parkeringskjeller',
    types: [
      [1, 7.4],
      [2, 11],
    ],
    protocol: 'ocpp',
  },
  {
    name: 'Rykkinn Øst borettslag',
    slug: 'rykkinn',
    chargePoints: 7,
    grantedOn: '2019-04-01',
    location: 'Garasjeanlegg',
    types: [
      [1, 3.7],
      [1, 7.4],
    ],
    protocol: 'mqtt',
  },
  { name: 'Fornebu Strand sameie', slug: 'fornebu', chargePoints: 3, grantedOn: '2019-06-17', location: 'Parkeringskjeller', types: [[2, 22]], protocol: 'ocpp' },
  { name: 'Eiksmarka borettslag', slug: 'eiksmarka', chargePoints: 4, grantedOn: '2019-08-26', location: 'Garasje C', types: [[1, 7.4]], protocol: 'mqtt' },
];

const cooperatives = COOPERATIVES.map((plan) => ({ orgNumber: newOrgNumber(), name: plan.name, kind: 'housing_cooperative' }) satisfies Organization);

// ---------------------------------------------------------------------------------------------
// Subsidy grants and charge points

interface SubsidyGrant {
  reference: string;
  cooperative: string;
  grantedOn: string;
  amountNok: number;
  chargePointCount: number;
  followUpEndsOn: string;
}

interface ChargePoint {
  deviceId: string;
  name: string;
  cooperative: string;
  connectors: number;
  maxKw: number;
  commissionedOn: string;
  subsidyGrant: string;
  protocol: 'mqtt' | 'ocpp';
  profile?: PublisherProfile;
  profileIdentity?: string;
}

const GRANT_PER_CHARGE_POINT = 5_000;
const GRANT_CAP = 50_000;

const subsidyGrants: SubsidyGrant[] = [];
const chargePoints: ChargePoint[] = [];
const grantsPerYear = new Map<string, number>();

COOPERATIVES.forEach((plan, index) => {
  const year = plan.grantedOn.slice(0, 4);
  const sequence = (grantsPerYear.get(year) ?? 0) + 1;
  grantsPerYear.set(year, sequence);
  const grant: SubsidyGrant = {
    reference: `BK-LAD-${year}-${String(sequence).padStart(3, '0')}`,
    cooperative: cooperatives[index].orgNumber,
    grantedOn: plan.grantedOn,
    amountNok: Math.min(GRANT_PER_CHARGE_POINT * plan.chargePoints, GRANT_CAP),
    chargePointCount: plan.chargePoints,
    followUpEndsOn: addYears(plan.grantedOn, 3),
  };
  subsidyGrants.push(grant);

  // Installed in one go some weeks after the grant: all points of a cooperative share the day.
  const commissionedOn = randomWeekday(addDays(plan.grantedOn, 35), addDays(plan.grantedOn, 100));
  // Parking spaces numbered on from a random first one; a two-connector point serves two spaces.
  let space = randomInt(1, 20);
  for (let n = 1; n <= plan.chargePoints; n += 1) {
    const [connectors, maxKw] = plan.types[(n - 1) % plan.types.length];
    const spaces = connectors === 2 ? `plass ${space}-${space + 1}` : `plass ${space}`;
    space += connectors;
    chargePoints.push({
      deviceId: `cp-${plan.slug}-${String(n).padStart(2, '0')}`,
      name: `${plan.location}, ${spaces}`,
      cooperative: grant.cooperative,
      connectors,
      maxKw,
      commissionedOn,
      subsidyGrant: grant.reference,
      protocol: plan.protocol,
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Vehicles

type VehicleClass = 'passenger_car' | 'van' | 'truck' | 'other';
type EnergyCarrier = 'electricity' | 'petrol' | 'diesel' | 'hvo' | 'biogas' | 'cng' | 'hydrogen' | 'plugin_hybrid';

interface Vehicle {
  registration: string;
  vin: string;
  vehicleClass: VehicleClass;
  energyCarrier: EnergyCarrier;
  department: string;
  inServiceFrom: string;
  inServiceTo?: string;
  nominalConsumptionPerKm: number;
  replaces?: string;
  deviceId: string;
  profile?: PublisherProfile;
  profileIdentity?: string;
}

const FOSSIL_PREFIXES = ['BR', 'BS', 'DN', 'DP', 'KH', 'KJ'] as const;
const usedRegistrations = new Set<string>();

/** EV plates by the year they were issued: EL until 2015, then EK, EV, EB, and EC in 2019. */
function evPrefix(inServiceFrom: string): string {
  const year = Number(inServiceFrom.slice(0, 4));
  if (year <= 2014) return 'EL';
  if (year === 2015) return 'EK';
  if (year === 2016) return 'EV';
  if (year === 2017) return 'EB';
  return 'EC';
}

function newRegistration(prefix: string): string {
  for (;;) {
    const registration = `${prefix}${randomInt(10_000, 99_999)}`;
    if (!usedRegistrations.has(registration)) {
      usedRegistrations.add(registration);
      return registration;
    }
  }
}

const VIN_CHARS = [...'ABCDEFGHJKLMNPRSTUVWXYZ0123456789'];
const VIN_VALUES: Record<string, number> = { A: 1, B: 2, C: 3, D: 4, E: 5, F: 6, G: 7, H: 8, J: 1, K: 2, L: 3, M: 4, N: 5, P: 7, R: 9, S: 2, T: 3, U: 4, V: 5, W: 6, X: 7, Y: 8, Z: 9 };
const VIN_WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
const MODEL_YEAR_CODES = 'ABCDEFGHJKLMNPRSTVWXY'; // 2010 = A, 2018 = J, 2019 = K; 2001-2009 are 1-9
const usedVins = new Set<string>();

/** Manufacturer identifiers (WMI) that fit each kind of vehicle, for plausible-looking VINs. */
const WMIS: Record<string, readonly string[]> = {
  'passenger_car/petrol': ['WVW', 'TMB', 'SB1', 'WF0'],
  'passenger_car/diesel': ['WVW', 'TMB', 'YV1', 'VF3'],
  'passenger_car/electricity': ['SJN', 'WVW', 'WBY', 'VF1', 'KMH'],
  'van/diesel': ['WV1', 'WV2', 'WF0', 'VF7', 'WDF'],
  'van/electricity': ['VSK', 'VF1', 'VF3'],
  'truck/diesel': ['YV2', 'YS2', 'WMA'],
  'truck/biogas': ['YS2'],
};

/** A fictitious 17-character VIN with the ISO 3779 check digit in position 9. */
function newVin(vehicleClass: VehicleClass, carrier: EnergyCarrier, inServiceFrom: string): string {
  const wmi = pick(WMIS[`${vehicleClass}/${carrier}`]);
  const year = Number(inServiceFrom.slice(0, 4));
  const modelYear = year < 2010 ? String(year - 2000) : MODEL_YEAR_CODES[year - 2010];
  for (;;) {
    const vds = Array.from({ length: 5 }, () => pick(VIN_CHARS)).join('');
    const plant = pick(VIN_CHARS.slice(0, 23));
    const serial = String(randomInt(0, 999_999)).padStart(6, '0');
    const draft = `${wmi}${vds}0${modelYear}${plant}${serial}`;
    const sum = [...draft].reduce((total, char, index) => total + (VIN_VALUES[char] ?? Number(char)) * VIN_WEIGHTS[index], 0);
    const check = sum % 11 === 10 ? 'X' : String(sum % 11);
    const vin = `${draft.slice(0, 8)}${check}${draft.slice(9)}`;
    if (!usedVins.has(vin)) {
      usedVins.add(vin);
      return vin;
    }
  }
}

function newVehicle(vehicleClass: VehicleClass, energyCarrier: EnergyCarrier, department: DepartmentKey, inServiceFrom: string, nominalConsumptionPerKm: number): Vehicle {
  const registration = newRegistration(energyCarrier === 'electricity' ? evPrefix(inServiceFrom) : pick(FOSSIL_PREFIXES));
  return {
    registration,
    vin: newVin(vehicleClass, energyCarrier, inServiceFrom),
    vehicleClass,
    energyCarrier,
    department: departments[department].orgNumber,
    inServiceFrom,
    nominalConsumptionPerKm,
    deviceId: `veh-${registration.toLowerCase()}`,
  };
}

const CAR_DEPARTMENTS: readonly (readonly [DepartmentKey, number])[] = [
  ['homeCare', 45],
  ['health', 14],
  ['kindergartens', 10],
  ['property', 9],
  ['culture', 8],
  ['roads', 7],
  ['water', 7],
];
const VAN_DEPARTMENTS: readonly (readonly [DepartmentKey, number])[] = [
  ['property', 35],
  ['roads', 30],
  ['water', 25],
  ['culture', 5],
  ['kindergartens', 5],
];
const TRUCK_DEPARTMENTS: readonly (readonly [DepartmentKey, number])[] = [
  ['roads', 60],
  ['water', 40],
];

interface Group {
  count: number;
  vehicleClass: VehicleClass;
  energyCarrier: EnergyCarrier;
  departments: readonly (readonly [DepartmentKey, number])[];
  /** In service from a weekday in this range. */
  from: readonly [string, string];
  consumption: readonly [number, number, number]; // min, max, decimals
}

/** The fleet in service on 2018-01-01. `replaced` groups are the vehicles the 2019 purchases replace. */
const PRE_2018_GROUPS: Record<string, Group> = {
  replacedPetrolCars: { count: 16, vehicleClass: 'passenger_car', energyCarrier: 'petrol', departments: CAR_DEPARTMENTS, from: ['2009-01-01', '2012-12-31'], consumption: [0.072, 0.08, 3] },
  replacedDieselCars: { count: 5, vehicleClass: 'passenger_car', energyCarrier: 'diesel', departments: CAR_DEPARTMENTS, from: ['2009-01-01', '2012-12-31'], consumption: [0.058, 0.065, 3] },
  petrolCars: { count: 40, vehicleClass: 'passenger_car', energyCarrier: 'petrol', departments: CAR_DEPARTMENTS, from: ['2012-01-01', '2017-11-30'], consumption: [0.06, 0.074, 3] },
  dieselCars: { count: 17, vehicleClass: 'passenger_car', energyCarrier: 'diesel', departments: CAR_DEPARTMENTS, from: ['2011-01-01', '2017-11-30'], consumption: [0.05, 0.062, 3] },
  electricCars: { count: 22, vehicleClass: 'passenger_car', energyCarrier: 'electricity', departments: CAR_DEPARTMENTS, from: ['2013-03-01', '2017-11-30'], consumption: [0.15, 0.2, 3] },
  replacedDieselVans: { count: 10, vehicleClass: 'van', energyCarrier: 'diesel', departments: VAN_DEPARTMENTS, from: ['2008-01-01', '2011-12-31'], consumption: [0.09, 0.1, 3] },
  dieselVans: { count: 30, vehicleClass: 'van', energyCarrier: 'diesel', departments: VAN_DEPARTMENTS, from: ['2010-01-01', '2017-11-30'], consumption: [0.08, 0.095, 3] },
  electricVans: { count: 2, vehicleClass: 'van', energyCarrier: 'electricity', departments: [['property', 1]], from: ['2016-01-01', '2017-11-30'], consumption: [0.2, 0.25, 3] },
  replacedDieselTruck: { count: 1, vehicleClass: 'truck', energyCarrier: 'diesel', departments: [['roads', 1]], from: ['2007-01-01', '2007-12-31'], consumption: [0.36, 0.38, 2] },
  dieselTrucks: { count: 5, vehicleClass: 'truck', energyCarrier: 'diesel', departments: TRUCK_DEPARTMENTS, from: ['2009-01-01', '2016-12-31'], consumption: [0.3, 0.38, 2] },
};

const groups: Record<string, Vehicle[]> = {};
for (const [name, group] of Object.entries(PRE_2018_GROUPS)) {
  groups[name] = Array.from({ length: group.count }, () =>
    newVehicle(
      group.vehicleClass,
      group.energyCarrier,
      pickWeighted(group.departments),
      randomWeekday(group.from[0], group.from[1]),
      randomIn(group.consumption[0], group.consumption[1], group.consumption[2]),
    ),
  );
}

/** Delivery batches in 2019 (Mondays; 2019-06-10 was Whit Monday, hence 06-03), as [date, count]. */
const CAR_DELIVERIES = [
  ['2019-01-14', 6],
  ['2019-02-04', 5],
  ['2019-02-25', 5],
  ['2019-03-18', 5],
] as const;
const VAN_DELIVERIES = [
  ['2019-03-04', 3],
  ['2019-04-08', 3],
  ['2019-05-13', 2],
  ['2019-06-03', 2],
] as const;
const TRUCK_DELIVERIES = [['2019-05-06', 1]] as const;

/** Retires each old vehicle the day before its replacement enters service, in delivery order. */
function replace(old: Vehicle[], deliveries: readonly (readonly [string, number])[], carrier: EnergyCarrier, consumption: readonly [number, number, number]): Vehicle[] {
  const dates = deliveries.flatMap(([date, count]) => Array.from({ length: count }, () => date));
  if (dates.length !== old.length) throw new Error(`${dates.length} deliveries for ${old.length} replaced vehicles`);
  // Oldest vehicles go first.
  const queue = [...old].sort((a, b) => a.inServiceFrom.localeCompare(b.inServiceFrom) || a.registration.localeCompare(b.registration));
  return queue.map((retired, index) => {
    const inServiceFrom = dates[index];
    retired.inServiceTo = addDays(inServiceFrom, -1);
    const department = (Object.keys(departments) as DepartmentKey[]).find((key) => departments[key].orgNumber === retired.department)!;
    const vehicle = newVehicle(retired.vehicleClass, carrier, department, inServiceFrom, randomIn(consumption[0], consumption[1], consumption[2]));
    vehicle.replaces = retired.registration;
    return vehicle;
  });
}

const purchases2019 = [
  ...replace([...groups.replacedPetrolCars, ...groups.replacedDieselCars], CAR_DELIVERIES, 'electricity', [0.15, 0.2, 3]),
  ...replace(groups.replacedDieselVans, VAN_DELIVERIES, 'electricity', [0.2, 0.25, 3]),
  ...replace(groups.replacedDieselTruck, TRUCK_DELIVERIES, 'biogas', [0.3, 0.35, 2]),
];

const byServiceStart = (a: Vehicle, b: Vehicle) => a.inServiceFrom.localeCompare(b.inServiceFrom) || a.registration.localeCompare(b.registration);
const vehicles = [...Object.values(groups).flat().sort(byServiceStart), ...purchases2019.sort(byServiceStart)];

// ---------------------------------------------------------------------------------------------
// Telemetry devices: which publisher each vehicle and one charge point report through

const imeiRandom = mulberry32(SEED + 1);

/** A fictitious 15-digit IMEI: 35, twelve random digits and the Luhn check digit. */
function newImei(): string {
  const first14 = `35${Array.from({ length: 12 }, () => Math.floor(imeiRandom() * 10)).join('')}`;
  const sum = [...first14].reverse().reduce((total, char, index) => {
    const doubled = index % 2 === 0 ? Number(char) * 2 : Number(char);
    return total + (doubled > 9 ? doubled - 9 : doubled);
  }, 0);
  return `${first14}${(10 - (sum % 10)) % 10}`;
}

// TeslaMate numbers the cars of one account from 1; the municipality's instance publishes under a namespace.
vehicles
  .filter((vehicle) => vehicle.vehicleClass === 'passenger_car' && vehicle.energyCarrier === 'electricity')
  .forEach((vehicle, index) => Object.assign(vehicle, { profile: 'teslamate', profileIdentity: `baerum/${index + 1}` }));
// An OVMS module logs in to the server as the fleet's user with the vehicle id it is given, here the plate.
vehicles
  .filter((vehicle) => vehicle.vehicleClass === 'van' && vehicle.energyCarrier === 'electricity')
  .forEach((vehicle) => Object.assign(vehicle, { profile: 'ovms-v3', profileIdentity: `baerum/${vehicle.registration}` }));
// Only cars that keep driving after 2019: the replaced ones would show nothing live. Home care's
// cars got trackers first (its staff drive alone, at night too): every third a Teltonika, the one
// after it an OwnTracks phone; of the other departments' cars every sixth and the third after it.
const keptFossilCars = [...groups.petrolCars, ...groups.dieselCars].sort(byServiceStart);
const inHomeCare = (vehicle: Vehicle) => vehicle.department === departments.homeCare.orgNumber;
const fitTrackers = (cars: Vehicle[], every: number) =>
  cars.forEach((vehicle, index) => {
    if (index % every === 0) Object.assign(vehicle, { profile: 'teltonika-json', profileIdentity: newImei() });
    if (index % every === Math.floor(every / 2)) Object.assign(vehicle, { profile: 'owntracks', profileIdentity: `baerum/${vehicle.registration.toLowerCase()}` });
  });
fitTrackers(keptFossilCars.filter(inHomeCare), 3);
fitTrackers(
  keptFossilCars.filter((vehicle) => !inHomeCare(vehicle)),
  6,
);
// evcc's default topic root, loadpoint 1: the first one-connector point that reports over MQTT.
Object.assign(
  chargePoints.find((point) => point.protocol === 'mqtt' && point.connectors === 1)!,
  { profile: 'evcc', profileIdentity: 'evcc/1' },
);

// ---------------------------------------------------------------------------------------------
// Writing YAML (js-yaml; every string double-quoted and one line, so that the layout stays stable)

/** Field order in the file, as the format documents it. */
const FIELD_ORDER: Record<string, readonly string[]> = {
  organizations: ['orgNumber', 'name', 'kind'],
  subsidyGrants: ['reference', 'cooperative', 'grantedOn', 'amountNok', 'chargePointCount', 'followUpEndsOn'],
  vehicles: ['registration', 'vin', 'vehicleClass', 'energyCarrier', 'department', 'inServiceFrom', 'inServiceTo', 'nominalConsumptionPerKm', 'replaces', 'deviceId', 'profile', 'profileIdentity'],
  chargePoints: ['deviceId', 'name', 'cooperative', 'connectors', 'maxKw', 'commissionedOn', 'subsidyGrant', 'protocol', 'profile', 'profileIdentity'],
};

function section(yaml: typeof JsYaml, name: string, comment: string, rows: readonly object[]): string {
  const order = FIELD_ORDER[name];
  const ordered = rows.map((row) => {
    const extra = Object.keys(row).filter((field) => !order.includes(field));
    if (extra.length > 0) throw new Error(`${name}: no place for field(s) ${extra.join(', ')}`);
    const fields = order.map((field) => [field, (row as Record<string, unknown>)[field]] as const).filter(([, value]) => value !== undefined);
    for (const [field, value] of fields) if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`${name}.${field}: not a finite number`);
    return Object.fromEntries(fields);
  });
  return `# ${comment}\n${yaml.dump({ [name]: ordered }, { forceQuotes: true, quoteStyle: 'double', lineWidth: -1, noRefs: true }).trimEnd()}`;
}

function fleetDocument(yaml: typeof JsYaml): string {
  return [
    '# Klimaklok demo fleet: a fictitious fleet shaped like Bærum municipality in 2018-2019.',
    '# Organization numbers, registrations and VINs are made up (valid check digits only).',
    '# Generated by scripts/generate-demo-fleet.ts (seeded, deterministic): do not edit by hand,',
    '# change the script and run it again; see its header comment for how.',
    '',
    section(yaml, 'organizations', 'Municipal departments, then housing cooperatives', [...Object.values(departments), ...cooperatives]),
    '',
    section(yaml, 'subsidyGrants', 'One charging subsidy grant per cooperative: 5,000 NOK per prepared charge point, at most 50,000', subsidyGrants),
    '',
    section(yaml, 'vehicles', 'Fleet in service on 2018-01-01 (by date in service), then the 2019 purchases: 21 EV cars, 10 e-vans, 1 biogas truck', vehicles),
    '',
    section(yaml, 'chargePoints', 'Charge points of the cooperatives, each under its grant', chargePoints),
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Checks and summary

function repositoryRoot(): string {
  for (const start of [__dirname, process.cwd()]) {
    for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
      const manifest = path.join(dir, 'package.json');
      if (fs.existsSync(manifest) && (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === PACKAGE_NAME) return dir;
      if (path.dirname(dir) === dir) break;
    }
  }
  throw new Error(`No package.json of ${PACKAGE_NAME} above ${__dirname} or ${process.cwd()}`);
}

const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const DEVICE_ID = /^[A-Za-z0-9._-]{1,64}$/;
const EV_PREFIXES = ['EL', 'EK', 'EB', 'EV', 'EC'];
const FIELDS: Record<string, { required: string[]; optional: string[] }> = {
  organizations: { required: ['orgNumber', 'name', 'kind'], optional: [] },
  subsidyGrants: { required: ['reference', 'cooperative', 'grantedOn', 'amountNok', 'chargePointCount', 'followUpEndsOn'], optional: [] },
  vehicles: {
    required: ['registration', 'vehicleClass', 'energyCarrier', 'department', 'inServiceFrom'],
    optional: ['vin', 'inServiceTo', 'nominalConsumptionPerKm', 'replaces', 'deviceId', 'profile', 'profileIdentity', 'profileTopic'],
  },
  chargePoints: {
    required: ['deviceId', 'name', 'cooperative', 'connectors', 'maxKw', 'commissionedOn'],
    optional: ['subsidyGrant', 'protocol', 'profile', 'profileIdentity', 'profileTopic'],
  },
};

type Row = Record<string, unknown>;

/** Checks the parsed file against the import's rules and the demo's own promises; returns the problems. */
function check(file: Record<string, Row[]>): string[] {
  const problems: string[] = [];
  const fail = (message: string) => problems.push(message);
  const unique = (what: string, values: unknown[]) => {
    const seen = new Set<unknown>();
    for (const value of values) {
      if (seen.has(value)) fail(`duplicate ${what} ${String(value)}`);
      seen.add(value);
    }
  };
  const date = (where: string, value: unknown) => {
    if (typeof value !== 'string' || !DATE.test(value) || toIso(toDate(value)) !== value) fail(`${where}: bad date ${String(value)}`);
  };

  const unknownSections = Object.keys(file).filter((key) => !(key in FIELDS));
  if (unknownSections.length) fail(`unknown sections ${unknownSections.join(', ')}`);
  for (const [name, { required, optional }] of Object.entries(FIELDS)) {
    (file[name] ?? []).forEach((row, index) => {
      for (const field of required) if (row[field] === undefined || row[field] === null) fail(`${name}[${index}]: missing ${field}`);
      for (const field of Object.keys(row)) if (!required.includes(field) && !optional.includes(field)) fail(`${name}[${index}]: unknown field ${field}`);
    });
  }
  const { organizations = [], subsidyGrants: grants = [], vehicles: fleet = [], chargePoints: points = [] } = file;

  const kindOf = new Map<unknown, unknown>();
  for (const org of organizations) {
    if (typeof org.orgNumber !== 'string' || !isValidOrgNumber(org.orgNumber)) fail(`organization ${String(org.orgNumber)}: invalid number`);
    if (!['municipal_department', 'housing_cooperative'].includes(org.kind as string)) fail(`organization ${String(org.orgNumber)}: bad kind`);
    if (typeof org.name !== 'string' || org.name.length < 1 || org.name.length > 200) fail(`organization ${String(org.orgNumber)}: bad name`);
    kindOf.set(org.orgNumber, org.kind);
  }
  unique(
    'orgNumber',
    organizations.map((org) => org.orgNumber),
  );

  const grantByReference = new Map<unknown, Row>();
  for (const grant of grants) {
    const where = `grant ${String(grant.reference)}`;
    if (typeof grant.reference !== 'string' || grant.reference.length < 1 || grant.reference.length > 64) fail(`${where}: bad reference`);
    if (kindOf.get(grant.cooperative) !== 'housing_cooperative') fail(`${where}: cooperative is not a housing cooperative`);
    date(where, grant.grantedOn);
    date(where, grant.followUpEndsOn);
    if (String(grant.followUpEndsOn) < String(grant.grantedOn)) fail(`${where}: follow-up ends before the grant`);
    const amount = grant.amountNok as number;
    const count = grant.chargePointCount as number;
    if (!Number.isInteger(count) || count < 1) fail(`${where}: bad chargePointCount`);
    if (typeof amount !== 'number' || amount < 0 || round(amount, 2) !== amount) fail(`${where}: bad amountNok`);
    if (amount > GRANT_CAP || amount > GRANT_PER_CHARGE_POINT * count) fail(`${where}: amount over the subsidy limits`);
    grantByReference.set(grant.reference, grant);
  }
  unique(
    'grant reference',
    grants.map((grant) => grant.reference),
  );
  unique(
    'grant per cooperative',
    grants.map((grant) => grant.cooperative),
  );

  const byRegistration = new Map<unknown, Row>(fleet.map((vehicle) => [vehicle.registration, vehicle]));
  for (const vehicle of fleet) {
    const registration = String(vehicle.registration);
    const where = `vehicle ${registration}`;
    if (!/^[A-Z]{2}\d{5}$/.test(registration)) fail(`${where}: registration is not 2 letters and 5 digits`);
    const electric = vehicle.energyCarrier === 'electricity';
    if (electric !== EV_PREFIXES.includes(registration.slice(0, 2))) fail(`${where}: plate prefix does not match the carrier`);
    if (vehicle.vin !== undefined && !/^[A-HJ-NPR-Z0-9]{17}$/.test(String(vehicle.vin))) fail(`${where}: bad vin`);
    if (!['passenger_car', 'van', 'truck', 'other'].includes(vehicle.vehicleClass as string)) fail(`${where}: bad class`);
    if (!['electricity', 'petrol', 'diesel', 'hvo', 'biogas', 'cng', 'hydrogen', 'plugin_hybrid'].includes(vehicle.energyCarrier as string)) {
      fail(`${where}: bad carrier`);
    }
    if (kindOf.get(vehicle.department) !== 'municipal_department') fail(`${where}: department is not a municipal department`);
    date(where, vehicle.inServiceFrom);
    if (vehicle.inServiceTo !== undefined) {
      date(where, vehicle.inServiceTo);
      if (String(vehicle.inServiceTo) < String(vehicle.inServiceFrom)) fail(`${where}: out of service before in service`);
    }
    const consumption = vehicle.nominalConsumptionPerKm;
    if (consumption !== undefined && !(typeof consumption === 'number' && consumption > 0)) fail(`${where}: bad consumption`);
    if (vehicle.deviceId !== `veh-${registration.toLowerCase()}` || !DEVICE_ID.test(String(vehicle.deviceId))) fail(`${where}: bad deviceId`);
    if (String(vehicle.inServiceFrom) >= '2018-01-01' && vehicle.replaces === undefined) fail(`${where}: in service from 2018 on without replacing anything`);
    if (vehicle.replaces !== undefined) {
      const old = byRegistration.get(vehicle.replaces);
      if (!old) {
        fail(`${where}: replaces unknown ${String(vehicle.replaces)}`);
        continue;
      }
      if (old === vehicle) fail(`${where}: replaces itself`);
      if (old.inServiceTo === undefined || String(old.inServiceTo) >= String(vehicle.inServiceFrom)) fail(`${where}: replaced vehicle still in service`);
      else if (old.inServiceTo !== addDays(String(vehicle.inServiceFrom), -1)) fail(`${where}: replaced vehicle not retired the day before`);
      if (old.vehicleClass !== vehicle.vehicleClass) fail(`${where}: replaces a vehicle of another class`);
      const replaceable: Record<VehicleClass, string[]> = { passenger_car: ['petrol', 'diesel'], van: ['diesel'], truck: ['diesel'], other: [] };
      const expected = replaceable[vehicle.vehicleClass as VehicleClass] ?? [];
      if (!expected.includes(old.energyCarrier as string)) fail(`${where}: replaces a ${String(old.energyCarrier)} vehicle`);
    }
  }
  unique(
    'registration',
    fleet.map((vehicle) => vehicle.registration),
  );
  unique(
    'vin',
    fleet.filter((vehicle) => vehicle.vin !== undefined).map((vehicle) => vehicle.vin),
  );
  unique(
    'vehicle deviceId',
    fleet.map((vehicle) => vehicle.deviceId),
  );
  unique(
    'replaced vehicle',
    fleet.filter((vehicle) => vehicle.replaces !== undefined).map((vehicle) => vehicle.replaces),
  );
  for (const vehicle of fleet) {
    const retiredInTheDemo = fleet.some((other) => other.replaces === vehicle.registration);
    if ((vehicle.inServiceTo !== undefined) !== retiredInTheDemo) fail(`vehicle ${String(vehicle.registration)}: retired without a replacement, or the other way round`);
  }

  const bought2019 = fleet.filter((vehicle) => String(vehicle.inServiceFrom).startsWith('2019-'));
  const boughtCount = (vehicleClass: string, carrier: string) => bought2019.filter((vehicle) => vehicle.vehicleClass === vehicleClass && vehicle.energyCarrier === carrier).length;
  if (boughtCount('passenger_car', 'electricity') !== 21) fail('not 21 electric cars bought in 2019');
  if (boughtCount('van', 'electricity') !== 10) fail('not 10 electric vans bought in 2019');
  if (boughtCount('truck', 'biogas') !== 1) fail('not 1 biogas truck bought in 2019');
  if (bought2019.length !== 32) fail(`${bought2019.length} vehicles bought in 2019, not 32`);
  if (fleet.some((vehicle) => String(vehicle.inServiceFrom) >= '2018-01-01' && !String(vehicle.inServiceFrom).startsWith('2019-'))) {
    fail('vehicles entering service in 2018 or after 2019');
  }

  const perCooperative = new Map<unknown, number>();
  for (const point of points) {
    const where = `charge point ${String(point.deviceId)}`;
    if (!DEVICE_ID.test(String(point.deviceId))) fail(`${where}: bad deviceId`);
    if (typeof point.name !== 'string' || point.name.length < 1 || point.name.length > 200) fail(`${where}: bad name`);
    if (kindOf.get(point.cooperative) !== 'housing_cooperative') fail(`${where}: cooperative is not a housing cooperative`);
    const connectors = point.connectors as number;
    if (!Number.isInteger(connectors) || connectors < 1 || connectors > 32) fail(`${where}: bad connectors`);
    if (!(typeof point.maxKw === 'number' && point.maxKw > 0 && point.maxKw <= 1000)) fail(`${where}: bad maxKw`);
    date(where, point.commissionedOn);
    if (!/^201[89]-/.test(String(point.commissionedOn))) fail(`${where}: not commissioned in 2018-2019`);
    if (point.subsidyGrant !== undefined) {
      const grant = grantByReference.get(point.subsidyGrant);
      if (!grant) fail(`${where}: unknown grant ${String(point.subsidyGrant)}`);
      else if (grant.cooperative !== point.cooperative) fail(`${where}: grant of another cooperative`);
      else if (String(point.commissionedOn) < String(grant.grantedOn)) fail(`${where}: commissioned before the grant`);
    }
    if (point.protocol !== undefined && point.protocol !== 'mqtt' && point.protocol !== 'ocpp') fail(`${where}: bad protocol`);
    perCooperative.set(point.cooperative, (perCooperative.get(point.cooperative) ?? 0) + 1);
  }
  unique(
    'charge point deviceId',
    points.map((point) => point.deviceId),
  );
  for (const point of points) {
    if (point.profile === 'evcc' && (point.connectors !== 1 || point.protocol === 'ocpp')) fail(`charge point ${String(point.deviceId)}: evcc but not one connector over MQTT`);
  }

  // Profiles as the registry validates them, one device per identity, and the mix the demo promises.
  const devices = [...fleet.map((row) => ['vehicle', row] as const), ...points.map((row) => ['charge_point', row] as const)];
  for (const [kind, row] of devices) {
    const where = `${kind === 'vehicle' ? 'vehicle' : 'charge point'} ${String(row.registration ?? row.deviceId)}`;
    if (row.profile !== undefined && !DEVICE_PROFILES.includes(row.profile as DeviceProfile)) {
      fail(`${where}: bad profile ${String(row.profile)}`);
      continue;
    }
    const problem = profileProblem({ profile: row.profile as DeviceProfile, profileIdentity: row.profileIdentity as string, profileTopic: row.profileTopic as string }, kind);
    if (problem) fail(`${where}: ${problem.field}: ${problem.message}`);
    if (row.profile === 'teltonika-json' && !luhnValid(String(row.profileIdentity))) fail(`${where}: IMEI check digit`);
  }
  unique(
    'profile identity',
    devices.filter(([, row]) => row.profile !== undefined).map(([, row]) => `${String(row.profile)} ${String(row.profileIdentity)}`),
  );
  const electric = (vehicleClass: string) => fleet.filter((vehicle) => vehicle.vehicleClass === vehicleClass && vehicle.energyCarrier === 'electricity');
  if (electric('passenger_car').some((car) => car.profile !== 'teslamate')) fail('an electric car does not report through TeslaMate');
  if (electric('van').some((van) => van.profile !== 'ovms-v3')) fail('an electric van does not report through OVMS');
  for (const profile of ['teltonika-json', 'owntracks']) {
    const cars = fleet.filter((vehicle) => vehicle.profile === profile);
    if (cars.length === 0) fail(`no fossil car reports through ${profile}`);
    if (cars.some((car) => car.energyCarrier === 'electricity' || car.vehicleClass !== 'passenger_car' || car.inServiceTo !== undefined)) {
      fail(`a ${profile} vehicle is not a fossil car in service through 2019`);
    }
  }
  if (points.filter((point) => point.profile === 'evcc').length !== 1) fail('not exactly one evcc charge point');
  // The demo shows both paths: at least half of the points over OCPP, history included.
  if (points.filter((point) => point.protocol === 'ocpp').length * 2 < points.length) fail('fewer than half of the charge points speak OCPP');
  for (const grant of grants) {
    if (perCooperative.get(grant.cooperative) !== grant.chargePointCount) fail(`grant ${String(grant.reference)}: charge points do not match chargePointCount`);
  }
  return problems;
}

function luhnValid(digits: string): boolean {
  const sum = [...digits].reverse().reduce((total, char, index) => {
    const value = index % 2 === 1 ? Number(char) * 2 : Number(char);
    return total + (value > 9 ? value - 9 : value);
  }, 0);
  return sum % 10 === 0;
}

/** Days of `year` a vehicle is in service. */
function daysInService(vehicle: Row, year: number): number {
  const start = [String(vehicle.inServiceFrom), `${year}-01-01`].sort()[1];
  const end = [vehicle.inServiceTo === undefined ? '9999-12-31' : String(vehicle.inServiceTo), `${year}-12-31`].sort()[0];
  return end < start ? 0 : daysBetween(start, end) + 1;
}

/** Tank-to-wheel (fossil, no bio blend) plus grid electricity, kg CO2 per unit, for the tuning estimate. */
const ESTIMATE_FACTORS: Record<string, number> = { petrol: 2.32, diesel: 2.66, electricity: 0.017, biogas: 0.01 };

function summarize(file: Record<string, Row[]>): void {
  const fleet = file.vehicles ?? [];
  const table = (title: string, inService: (vehicle: Row) => boolean) => {
    const counts = new Map<string, number>();
    for (const vehicle of fleet.filter(inService)) {
      const key = `${String(vehicle.vehicleClass)} / ${String(vehicle.energyCarrier)}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const total = [...counts.values()].reduce((sum, count) => sum + count, 0);
    console.log(`\n${title}: ${total}`);
    for (const [key, count] of [...counts.entries()].sort()) console.log(`  ${key.padEnd(28)} ${String(count).padStart(4)}`);
  };
  table('In service at some time in 2018', (vehicle) => daysInService(vehicle, 2018) > 0);
  table('In service at some time in 2019', (vehicle) => daysInService(vehicle, 2019) > 0);
  table('In service on 2019-12-31', (vehicle) => daysInService(vehicle, 2019) > 0 && vehicle.inServiceTo === undefined);
  table('Bought in 2019', (vehicle) => String(vehicle.inServiceFrom).startsWith('2019-'));

  // Emissions per class when every vehicle drives the same distance per day in service.
  console.log('\nEmission estimate, 1 km per vehicle per day in service (kg CO2; petrol 2.32/L, diesel 2.66/L, electricity 0.017/kWh):');
  for (const vehicleClass of ['passenger_car', 'van', 'truck']) {
    const emissions = (year: number) =>
      fleet
        .filter((vehicle) => vehicle.vehicleClass === vehicleClass)
        .reduce((sum, vehicle) => sum + daysInService(vehicle, year) * Number(vehicle.nominalConsumptionPerKm) * ESTIMATE_FACTORS[String(vehicle.energyCarrier)], 0);
    const [e2018, e2019] = [emissions(2018), emissions(2019)];
    console.log(`  ${vehicleClass.padEnd(14)} 2018 ${e2018.toFixed(1).padStart(8)}  2019 ${e2019.toFixed(1).padStart(8)}  change ${((e2019 / e2018 - 1) * 100).toFixed(1)} %`);
  }
  const fossilCars = fleet.filter((vehicle) => vehicle.vehicleClass === 'passenger_car' && vehicle.energyCarrier !== 'electricity');
  const replaced = new Set<unknown>(fleet.map((vehicle) => vehicle.replaces).filter((registration) => registration !== undefined));
  const carEmission = (vehicle: Row) => Number(vehicle.nominalConsumptionPerKm) * ESTIMATE_FACTORS[String(vehicle.energyCarrier)];
  const share = fossilCars.filter((car) => replaced.has(car.registration)).reduce((sum, car) => sum + carEmission(car), 0) / fossilCars.reduce((sum, car) => sum + carEmission(car), 0);
  console.log(`  replaced cars: ${fossilCars.filter((car) => replaced.has(car.registration)).length} of ${fossilCars.length} fossil cars, ${(share * 100).toFixed(1)} % of their 2018 emissions`);
  const points = file.chargePoints ?? [];
  console.log(
    `\nOrganizations ${(file.organizations ?? []).length}, subsidy grants ${(file.subsidyGrants ?? []).length}, charge points ${points.length} (${points.filter((point) => point.protocol === 'ocpp').length} over OCPP)`,
  );
  const profiles = new Map<string, number>();
  for (const row of [...fleet, ...points]) profiles.set(String(row.profile ?? 'klimaklok-v1'), (profiles.get(String(row.profile ?? 'klimaklok-v1')) ?? 0) + 1);
  console.log(
    `Devices by profile: ${[...profiles.entries()]
      .sort()
      .map(([profile, count]) => `${profile} ${count}`)
      .join(', ')}`,
  );
}

function main(): void {
  const root = repositoryRoot();
  const output = path.join(root, OUTPUT);
  // js-yaml is loaded from the repository, so that the compiled script also runs from outside it (e.g. /tmp/gen).
  const yaml = createRequire(path.join(root, 'package.json'))('js-yaml') as typeof JsYaml;
  const document = fleetDocument(yaml);
  fs.mkdirSync(path.dirname(output), { recursive: true });
  fs.writeFileSync(output, document, 'utf8');
  console.log(`Wrote ${path.relative(root, output)} (${Buffer.byteLength(document)} bytes)`);

  // Parse back the way the import does (core schema: dates stay strings).
  const parsed = yaml.load(fs.readFileSync(output, 'utf8'), { schema: yaml.CORE_SCHEMA, json: true }) as Record<string, Row[]>;
  const problems = check(parsed);
  summarize(parsed);
  if (problems.length > 0) {
    console.error(`\n${problems.length} problem(s):\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    process.exitCode = 1;
  } else {
    console.log('\nAll checks passed.');
  }
}

main();
