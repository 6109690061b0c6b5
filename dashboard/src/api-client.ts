/**
 * Every call the dashboard makes to the service, in one place. Requests go to the page's own
 * origin with the signed-in key as a bearer token; nothing is fetched from any other host.
 *
 * The last section holds the charging and emissions report APIs (docs/reports-v1.md,
 * "Report endpoints"); their types follow the answers of src/charging and src/emissions.
 */
import { SseParser } from './sse';

export type Role = 'admin' | 'fleet_manager' | 'climate_office' | 'cooperative';
/** `retired`: past its last day in service (`inServiceTo`). */
export type VehicleStatus = 'online' | 'offline' | 'unknown' | 'retired';

export interface Me {
  role: Role;
  organizationId: string | null;
  /** The IANA time zone reports cut days in (REPORT_TIME_ZONE); the dashboard shows times in it. */
  reportTimeZone: string;
}

export interface Position {
  lat: number;
  lon: number;
}

export interface VehicleState {
  lastSampleAt: string;
  lastReceivedAt: string;
  speedKmh: number | null;
  socPct: number | null;
  odometerKm: number | null;
  fuelLevelPct: number | null;
  ignition: boolean | null;
  charging: boolean | null;
  statusSince: string;
  position?: Position & { at: string | null };
}

export interface FleetVehicle {
  id: string;
  registration: string;
  vehicleClass: string;
  energyCarrier: string;
  departmentId: string;
  deviceId: string | null;
  /** First and last day in service (`YYYY-MM-DD`); `inServiceTo` null while in service. */
  inServiceFrom: string;
  inServiceTo: string | null;
  status: VehicleStatus;
  state: VehicleState | null;
}

export interface VehicleDay {
  day: string;
  distanceKm: number | null;
  drivingSeconds: number;
  fuelUsedL: number | null;
  gasUsedKg: number | null;
  energyChargedKwh: number | null;
  energyConsumedKwh: number | null;
  sampleCount: number;
  /** Share of the day's in-service time covered by counter intervals (reports-v1 amendment 1.1); null outside service. */
  coverage: number | null;
}

/** `GET /api/v1/vehicles/:id/daily`: the stored days (days without data are absent) and the period's total. */
export interface VehicleDailyReport {
  from: string;
  to: string;
  days: VehicleDay[];
  total: { distanceKm: number; modelledDistanceKm: number; inServiceHours: number; coverage: number };
  /** Long counter gaps (over MAX_COUNTER_GAP) the period's figures were spread from, in words. */
  flags: string[];
}

export interface Trip {
  startedAt: string;
  endedAt: string;
  durationSeconds: number;
  start: Position | null;
  end: Position | null;
  distanceKm: number | null;
  fuelUsedL: number | null;
  gasUsedKg: number | null;
  energyConsumedKwh: number | null;
}

export interface Organization {
  id: string;
  name: string;
  kind: string;
}

export interface ChargePoint {
  id: string;
  organizationId: string;
  subsidyGrantId: string | null;
  name: string;
  connectors: number;
  maxKw: number;
  commissionedOn: string;
  deviceId: string;
  protocol: 'mqtt' | 'ocpp';
}

export interface SubsidyGrant {
  id: string;
  organizationId: string;
  reference: string;
  grantedOn: string;
  amountNok: number;
  chargePointCount: number;
  followUpEndsOn: string;
}

export interface StatusChange {
  vehicleId: string;
  status: 'online' | 'offline' | 'retired';
  since: string;
}

interface Page<T> {
  items: T[];
  total: number;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Query = Record<string, string | number | undefined>;

export class ApiClient {
  constructor(private readonly key: string) {}

  private url(path: string, query: Query = {}): string {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(name, String(value));
    const search = params.toString();
    return `/api/v1/${path}${search ? `?${search}` : ''}`;
  }

  private async get<T>(path: string, query?: Query): Promise<T> {
    const response = await fetch(this.url(path, query), { headers: { Authorization: `Bearer ${this.key}`, Accept: 'application/json' } });
    if (!response.ok) throw await apiError(response);
    return (await response.json()) as T;
  }

  /** Every item of a paged list (pages of 1,000, the API's largest). */
  private async all<T>(path: string, query: Query = {}): Promise<T[]> {
    const items: T[] = [];
    for (;;) {
      const page = await this.get<Page<T>>(path, { ...query, limit: 1000, offset: items.length });
      items.push(...page.items);
      if (page.items.length === 0 || items.length >= page.total) return items;
    }
  }

  me(): Promise<Me> {
    return this.get('me');
  }

  vehicles(): Promise<FleetVehicle[]> {
    return this.all('vehicles');
  }

  vehicle(id: string): Promise<FleetVehicle> {
    return this.get(`vehicles/${encodeURIComponent(id)}`);
  }

  /** Days in [from, to) ("YYYY-MM-DD", reporting time zone). */
  daily(id: string, from: string, to: string): Promise<VehicleDailyReport> {
    return this.get<VehicleDailyReport>(`vehicles/${encodeURIComponent(id)}/daily`, { from, to });
  }

  /** Trips starting in [from, to) (instants). */
  async trips(id: string, from: Date, to: Date): Promise<Trip[]> {
    return (await this.get<{ items: Trip[] }>(`vehicles/${encodeURIComponent(id)}/trips`, { from: from.toISOString(), to: to.toISOString() })).items;
  }

  organizations(): Promise<Organization[]> {
    return this.all('organizations');
  }

  subsidyGrants(organizationId?: string): Promise<SubsidyGrant[]> {
    return this.all('subsidy-grants', { organizationId });
  }

  /**
   * The live status stream (server-sent events). EventSource cannot send an Authorization
   * header, and a key in the URL would end up in logs and history, so the stream is read with
   * fetch and parsed here: the key travels as on every other call and the API's guard is
   * unchanged. Resolves when the stream ends; rejects on an error status or a network error.
   */
  async streamStatus(onChange: (change: StatusChange) => void, onOpen: () => void, signal: AbortSignal): Promise<void> {
    const response = await fetch(this.url('fleet/stream'), { headers: { Authorization: `Bearer ${this.key}`, Accept: 'text/event-stream' }, signal, cache: 'no-store' });
    if (!response.ok || !response.body) throw await apiError(response);
    onOpen();
    const parser = new SseParser((event) => {
      if (event.type === 'status') onChange(JSON.parse(event.data) as StatusChange);
    });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      parser.push(value);
    }
  }

  /** A call with a JSON body (alert rules, acknowledgements); the answer's JSON, or undefined for 204. */
  async send<T>(method: 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const response = await fetch(this.url(path), {
      method,
      headers: { Authorization: `Bearer ${this.key}`, Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw await apiError(response);
    return (response.status === 204 ? undefined : await response.json()) as T;
  }

  /** A GET the typed methods above do not cover (views/alerts-api.ts). */
  fetchJson<T>(path: string, query?: Query): Promise<T> {
    return this.get<T>(path, query);
  }

  /** Any server-sent-event stream of the API, read like streamStatus: `onEvent` gets each event's type and parsed data. */
  async streamEvents(path: string, onEvent: (type: string, data: unknown) => void, onOpen: () => void, signal: AbortSignal): Promise<void> {
    const response = await fetch(this.url(path), { headers: { Authorization: `Bearer ${this.key}`, Accept: 'text/event-stream' }, signal, cache: 'no-store' });
    if (!response.ok || !response.body) throw await apiError(response);
    onOpen();
    const parser = new SseParser((event) => onEvent(event.type, JSON.parse(event.data)));
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      parser.push(value);
    }
  }

  /** A report file (CSV or XLSX) fetched with the key and handed to the browser as a download. */
  async download(path: string, query: Query, fileName: string): Promise<void> {
    const response = await fetch(this.url(path, query), { headers: { Authorization: `Bearer ${this.key}` } });
    if (!response.ok) throw await apiError(response);
    const link = document.createElement('a');
    link.href = URL.createObjectURL(await response.blob());
    link.download = fileName;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  }

  // ---- Charging and emissions reports (reports-v1.md; types checked against src/charging and src/emissions) ----

  organization(id: string): Promise<Organization> {
    return this.get(`organizations/${encodeURIComponent(id)}`);
  }

  /** GET /api/v1/chargepoints with live connector states (a cooperative: its own; another's organizationId is 404). */
  chargePointsLive(organizationId?: string): Promise<LiveChargePoint[]> {
    return this.all('chargepoints', { organizationId });
  }

  /** GET /api/v1/reports/charging-usage: per charge point and total for the local days [from, to). */
  chargingUsage(query: { organizationId?: string; from: string; to: string }): Promise<ChargingUsageReport> {
    return this.get('reports/charging-usage', query);
  }

  /** GET /api/v1/reports/emissions: one row per group and the total. */
  emissions(query: { from: string; to: string; groupBy: EmissionsGroupBy; boundary?: Boundary; gridMethod?: GridMethod }): Promise<EmissionsReport> {
    return this.get('reports/emissions', query);
  }

  /** GET /api/v1/reports/emissions/change: change between two years with its decomposition. */
  emissionsChange(query: { baseYear: number; year: number; vehicleClass?: string; boundary?: Boundary; gridMethod?: GridMethod }): Promise<EmissionsChange> {
    return this.get('reports/emissions/change', query);
  }

  /** GET /api/v1/reports/fleet-kpis: the fleet at year end and its zero-emission shares. */
  fleetKpis(query: { year: number; boundary?: Boundary; gridMethod?: GridMethod }): Promise<FleetKpis> {
    return this.get('reports/fleet-kpis', query);
  }

  /** GET /reports/climate-budget (issue 19); 404 when no budget of the newest set covers the scope and year. */
  climateBudget(query: { year: number; scope?: string; month?: number; plan?: string }): Promise<ClimateBudget> {
    return this.get('reports/climate-budget', query);
  }

  /** The newest budget set with its budgets, or null when none was published. */
  async latestBudgetSet(): Promise<{ version: number; budgets: Array<{ scope: string; fromYear: number; toYear: number; boundary: Boundary; annualKg: number }> } | null> {
    const sets = await this.get<Array<{ version: number }>>('emissions/budget-sets');
    return sets.length === 0 ? null : this.get(`emissions/budget-sets/${sets[sets.length - 1].version}`);
  }

  electrificationPlan(query: { asOf?: string } = {}): Promise<ElectrificationPlan> {
    return this.get('reports/electrification-plan', query);
  }

  plans(): Promise<Array<{ id: string; name: string; vehicles: number }>> {
    return this.get('electrification/plans');
  }
}

/** OCPP 1.6 connector status, as stored from the status stream (null before the first one). */
export interface ConnectorState {
  connectorId: number;
  status: string | null;
  errorCode: string | null;
  statusAt: string | null;
  energyWh: number | null;
  powerW: number | null;
  meterAt: string | null;
  openSession: { startedAt: string; source: string; transactionId: string | null; energyKwh: number | null } | null;
}

/** A charge point of GET /api/v1/chargepoints: the registry's fields, `status` and the live state (null before its first message). */
export interface LiveChargePoint extends ChargePoint {
  status: 'online' | 'offline' | 'unknown';
  state: { lastMessageAt: string | null; connection: 'online' | 'offline' | null; connectionAt: string | null; connectors: ConnectorState[] } | null;
  /** What an OCPP charge point's BootNotification said, and its last OCPP message (any action, heartbeats too); null for one never heard over OCPP. */
  ocpp: { vendor: string | null; model: string | null; serial: string | null; firmware: string | null; bootedAt: string | null; lastMessageAt: string | null } | null;
}

/** The shared figures of a charge point row and the total (src/charging/reports/charging-usage.service.ts). */
interface UsageFigures {
  connectors: number;
  sessions: number;
  importedSessions: number;
  flaggedSessions: number;
  openSessions: number;
  energyKwh: number;
  occupiedHours: number;
  chargingHours: number;
  /** Over the elapsed part of the period; null before it began. */
  utilizationPct: number | null;
  availabilityPct: number | null;
  uniqueUsers: number;
  enabledAvoidedKg: number;
}
export interface ChargePointUsage extends UsageFigures {
  chargePointId: string;
  name: string;
  deviceId: string;
  organizationId: string;
  organizationName: string;
  subsidyGrantReference: string | null;
  subsidyAmountNok: number | null;
  followUpEndsOn: string | null;
  longestSilenceDays: number;
  silentOver7Days: boolean;
  availabilityBelow90Pct: boolean;
}
export interface ChargingUsageReport {
  organizationId: string | null;
  from: string;
  to: string;
  timeZone: string;
  periodHours: number;
  /** The end of the period; the shares are over `elapsedHours`, the part up to now. */
  periodEndsAt: string;
  elapsedHours: number;
  factors: Array<{ year: number; kgPerKwh: number; source: string; substituted: boolean }>;
  chargePoints: ChargePointUsage[];
  /** Flags here count charge points; the subsidy amount counts each grant once. */
  total: UsageFigures & { chargePoints: number; subsidyAmountNok: number; silentOver7Days: number; availabilityBelow90Pct: number };
}

export type EmissionsGroupBy = 'vehicleClass' | 'vehicle' | 'carrier' | 'department' | 'month';
export type Boundary = 'ttw' | 'wtw';
export type GridMethod = 'location' | 'market';
export type DataQuality = Record<'primary' | 'modelled' | 'default', number>;

/** A group's figures (src/emissions/reports/emission-reports.service.ts, reportRow); kg CO2e, shares 0..1. */
export interface EmissionFigures {
  distanceKm: number;
  /** Per carrier: petrolL, dieselL, hvoL, biogasKg, cngKg, electricityKwh, hydrogenKg. */
  energy: Record<string, number>;
  actualKg: number;
  baselineKg: number;
  avoidedKg: number;
  biogenicMemoKg: number;
  dataQuality: DataQuality;
  /** Share of the in-service time within counter intervals no longer than MAX_COUNTER_GAP (reports-v1 amendment 1.1). */
  coverage: number;
  /** The in-service time coverage is measured over (only the elapsed part of a period not yet ended). */
  inServiceHours: number;
  flags: string[];
}

/** How much of a report's period has happened: a period not yet ended is measured over its elapsed part. */
interface Elapsed {
  periodEndsAt: string;
  periodEnded: boolean;
  elapsedHours: number;
}

interface Stated {
  factorSetVersion: number;
  factorSetName: string;
  boundary: Boundary;
  gridMethod: GridMethod;
  timeZone: string;
  lockedYears: Array<{ year: number; revision: number; factorSetVersion: number }>;
}

export interface EmissionsReport extends Stated, Elapsed {
  from: string;
  to: string;
  groupBy: EmissionsGroupBy;
  /** `group`: the key (YYYY-MM for months, the class, the vehicle id...), `label`: its name. */
  rows: Array<EmissionFigures & { group: string; label: string }>;
  total: EmissionFigures;
  flags: string[];
}

export interface ChangeSide {
  year: number;
  vehicles: number;
  distanceKm: number;
  energy: Record<string, number>;
  kgByCarrier: Record<string, number>;
  dataQuality: DataQuality;
  coverage: number;
  inServiceHours: number;
}

export interface EmissionsChange extends Stated {
  vehicleClass: string | null;
  baseYear: number;
  year: number;
  baseKg: number;
  currentKg: number;
  /** Null when the base year has no emissions. */
  changePct: number | null;
  /** LMDI-I: the three effects sum to currentKg - baseKg. */
  decomposition: { activityKg: number; technologyKg: number; factorKg: number };
  base: ChangeSide;
  current: ChangeSide;
  flags: string[];
}

export interface FleetKpis extends Stated, Elapsed {
  year: number;
  yearEnd: string;
  vehiclesByClassAndCarrier: Array<{ vehicleClass: string; energyCarrier: string; vehicles: number }>;
  /** Fractions 0..1; null without vehicles (count) or distance. */
  zeroEmissionShare: { byCount: number | null; byDistance: number | null };
  totals: {
    vehiclesAtYearEnd: number;
    zeroEmissionVehiclesAtYearEnd: number;
    vehiclesInServiceDuringYear: number;
    distanceKm: number;
    zeroEmissionDistanceKm: number;
    energy: Record<string, number>;
    actualKg: number;
    baselineKg: number;
    avoidedKg: number;
    biogenicMemoKg: number;
    dataQuality: DataQuality;
    coverage: number;
  };
  flags: string[];
}

export type BudgetStatus = 'on_track' | 'at_risk' | 'off_track';

export interface ClimateBudget {
  year: number;
  scope: string;
  budgetSetVersion: number;
  budgetSetName: string;
  boundary: Boundary;
  atEndOfMonth: number;
  months: Array<{ month: string; budgetKg: number; actualKg: number | null; forecastKg: number | null; cumulativeBudgetKg: number; cumulativeForecastKg: number | null; coverage: number }>;
  totals: { annualBudgetKg: number; actualToDateKg: number; budgetToDateKg: number; forecastKg: number | null; status: BudgetStatus | null; coverage: number };
  targets: Array<{ name: string; year: number; status: string; value: number | null }>;
  whatIf: { planName: string; forecastKg: number | null; status: BudgetStatus | null; deltaKg: number | null } | null;
  flags: string[];
}

export interface ElectrificationPlan {
  asOf: string;
  rows: Array<{ rank: number; registration: string; vehicleClass: string; verdict: string; reason: string; p95DailyKm: number | null; candidateName: string | null; avoidedTtwKgPerYear: number | null }>;
}

async function apiError(response: Response): Promise<ApiError> {
  let message = `${response.status} ${response.statusText}`;
  try {
    const body = (await response.json()) as { message?: string | string[] };
    if (body.message) message = Array.isArray(body.message) ? body.message.join('; ') : body.message;
  } catch {
    // not JSON: keep the status line
  }
  return new ApiError(response.status, message);
}
