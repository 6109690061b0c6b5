/**
 * Every call the dashboard makes to the service, in one place. Requests go to the page's own
 * origin with the signed-in key as a bearer token; nothing is fetched from any other host.
 *
 * The last section holds the charging and emissions report APIs (docs/reports-v1.md,
 * "Report endpoints"). The types are the server's, generated from its OpenAPI document (api-types.ts).
 */
import { Answer, QueryOf, Schemas } from './api-types';
import { SseParser } from './sse';

export type Me = Answer<'/api/v1/me'>;
export type Role = Me['role'];
export type FleetVehicle = Answer<'/api/v1/vehicles'>['items'][number];
/** `retired`: past its last day in service (`inServiceTo`). */
export type VehicleStatus = FleetVehicle['status'];
export type VehicleState = NonNullable<FleetVehicle['state']>;
/** `GET /api/v1/vehicles/:id/daily`: the stored days (days without data are absent) and the period's total. */
export type VehicleDailyReport = Answer<'/api/v1/vehicles/{id}/daily'>;
export type VehicleDay = VehicleDailyReport['days'][number];
export type Trip = Answer<'/api/v1/vehicles/{id}/trips'>['items'][number];
export type Organization = Schemas['Organization'];
export type ChargePoint = Schemas['ChargePoint'];
export type SubsidyGrant = Schemas['SubsidyGrant'];

/** The data of a `status` event of GET /api/v1/fleet/stream (server-sent events are outside the OpenAPI document). */
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

/** Where the signed-in key is kept: this tab only. */
export const KEY_STORAGE = 'klimaklok.apiKey';

declare global {
  interface Window {
    /** The answers of the GETs early.ts asked for before the bundle ran, by URL, and the key they were asked with. */
    klimaklokEarly?: { key: string; answers: Map<string, Promise<unknown>> };
  }
}

export class ApiClient {
  /** `early`: the client of early.ts, whose GETs are left for the app's client to take over. */
  constructor(
    private readonly key: string,
    private readonly early = false,
  ) {}

  /**
   * Asks for the GETs `calls` makes now, before the app's bundle has run (early.ts): the app's
   * first identical GET with the same key takes the answer over instead of asking again.
   */
  static askEarly(key: string, calls: (client: ApiClient) => void) {
    calls(new ApiClient(key, true));
  }

  /** Drops the early answers no view took over: once the first view has asked for its data, they would only grow stale. */
  static forgetEarly() {
    delete window.klimaklokEarly;
  }

  private url(path: string, query: Query = {}): string {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(name, String(value));
    const search = params.toString();
    return `/api/v1/${path}${search ? `?${search}` : ''}`;
  }

  private get<T>(path: string, query?: Query): Promise<T> {
    const url = this.url(path, query);
    const asked = window.klimaklokEarly;
    const answer = !this.early && asked?.key === this.key ? asked.answers.get(url) : undefined;
    if (answer) {
      asked!.answers.delete(url);
      return answer as Promise<T>;
    }
    const fetched = this.fetchJsonAt<T>(url);
    if (this.early) {
      fetched.catch(() => undefined); // the view that takes it over sees a failure
      (window.klimaklokEarly ??= { key: this.key, answers: new Map() }).answers.set(url, fetched);
    }
    return fetched;
  }

  private async fetchJsonAt<T>(url: string): Promise<T> {
    const response = await fetch(url, { headers: { Authorization: `Bearer ${this.key}`, Accept: 'application/json' } });
    if (!response.ok) throw await apiError(response);
    return (await response.json()) as T;
  }

  /** Every item of a paged list, in pages of `pageSize` (1,000: the largest most lists allow). */
  private async all<T>(path: string, query: Query = {}, pageSize = 1000): Promise<T[]> {
    const items: T[] = [];
    for (;;) {
      const page = await this.get<Page<T>>(path, { ...query, limit: pageSize, offset: items.length });
      items.push(...page.items);
      if (page.items.length === 0 || items.length >= page.total) return items;
    }
  }

  me(): Promise<Me> {
    return this.get('me');
  }

  /** The fleet with its live state: in one request (the list allows pages of 5,000), or in pages of `pageSize`, each parsed in a task of its own. */
  vehicles(pageSize = 5000): Promise<FleetVehicle[]> {
    return this.all('vehicles', {}, pageSize);
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
    return (await this.get<Answer<'/api/v1/vehicles/{id}/trips'>>(`vehicles/${encodeURIComponent(id)}/trips`, { from: from.toISOString(), to: to.toISOString() })).items;
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
  chargingUsage(query: QueryOf<'/api/v1/reports/charging-usage'>): Promise<ChargingUsageReport> {
    return this.get('reports/charging-usage', query);
  }

  /** GET /api/v1/reports/emissions: one row per group and the total. */
  emissions(query: QueryOf<'/api/v1/reports/emissions'>): Promise<EmissionsReport> {
    return this.get('reports/emissions', query);
  }

  /** GET /api/v1/reports/emissions/change: change between two years with its decomposition. */
  emissionsChange(query: QueryOf<'/api/v1/reports/emissions/change'>): Promise<EmissionsChange> {
    return this.get('reports/emissions/change', query);
  }

  /** GET /api/v1/reports/fleet-kpis: the fleet at year end and its zero-emission shares. */
  fleetKpis(query: QueryOf<'/api/v1/reports/fleet-kpis'>): Promise<FleetKpis> {
    return this.get('reports/fleet-kpis', query);
  }

  /** GET /reports/climate-budget (issue 19); 404 when no budget of the newest set covers the scope and year. */
  climateBudget(query: QueryOf<'/api/v1/reports/climate-budget'>): Promise<ClimateBudget> {
    return this.get('reports/climate-budget', query);
  }

  /** The newest budget set with its budgets, or null when none was published. */
  async latestBudgetSet(): Promise<Answer<'/api/v1/emissions/budget-sets/{version}'> | null> {
    const sets = await this.get<Answer<'/api/v1/emissions/budget-sets'>>('emissions/budget-sets');
    return sets.length === 0 ? null : this.get(`emissions/budget-sets/${sets[sets.length - 1].version}`);
  }

  electrificationPlan(query: { asOf?: string } = {}): Promise<ElectrificationPlan> {
    return this.get('reports/electrification-plan', query);
  }

  plans(): Promise<Answer<'/api/v1/electrification/plans'>> {
    return this.get('electrification/plans');
  }
}

export type ConnectorState = Schemas['ConnectorState'];
/** A charge point of GET /api/v1/chargepoints: the registry's fields, `status` and the live state (null before its first message). */
export type LiveChargePoint = Answer<'/api/v1/chargepoints'>['items'][number];
export type ChargePointUsage = Schemas['ChargePointUsage'];
export type ChargingUsageReport = Schemas['ChargingUsageReport'];

export type EmissionsReport = Answer<'/api/v1/reports/emissions'>;
export type EmissionsGroupBy = EmissionsReport['groupBy'];
export type Boundary = EmissionsReport['boundary'];
export type GridMethod = EmissionsReport['gridMethod'];
/** A group's figures; kg CO2e, shares 0..1. */
export type EmissionFigures = EmissionsReport['total'];
export type DataQuality = EmissionFigures['dataQuality'];
export type EmissionsChange = Answer<'/api/v1/reports/emissions/change'>;
export type ChangeSide = EmissionsChange['base'];
export type FleetKpis = Answer<'/api/v1/reports/fleet-kpis'>;
export type ClimateBudget = Answer<'/api/v1/reports/climate-budget'>;
export type BudgetStatus = NonNullable<ClimateBudget['totals']['status']>;
export type ElectrificationPlan = Answer<'/api/v1/reports/electrification-plan'>;

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
