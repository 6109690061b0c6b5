import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { VehicleClass } from '../domain/factor-set';

export interface Candidate {
  id: string;
  vehicleClass: VehicleClass;
  name: string;
  wltpRangeKm: number;
  kwhPerKm: number;
  priceNok: number | null;
  note: string | null;
}

export interface Depot {
  id: string;
  organizationId: string;
  name: string;
  lat: number;
  lon: number;
  radiusM: number;
  chargerKw: number;
}

export interface PlanItem {
  vehicleId: string;
  registration: string;
  /** YYYY-MM. */
  month: string;
  candidateId: string;
  candidateName: string;
  kwhPerKm: number;
}

export interface Plan {
  id: string;
  name: string;
  createdBy: string | null;
  createdAt: string;
  items: PlanItem[];
}

export interface VehicleRow {
  id: string;
  registration: string;
  vehicleClass: VehicleClass;
  energyCarrier: string;
  inServiceFrom: string;
  inServiceTo: string | null;
}

const CANDIDATE_COLUMNS = `id, vehicle_class AS "vehicleClass", name, wltp_range_km AS "wltpRangeKm", kwh_per_km AS "kwhPerKm", price_nok AS "priceNok", note`;
const DEPOT_COLUMNS = `id, organization_id AS "organizationId", name, lat, lon, radius_m AS "radiusM", charger_kw AS "chargerKw"`;

/** Depots, the candidate catalogue and replacement plans: the electrification plan's inputs. */
@Injectable()
export class PlanRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  candidates(): Promise<Candidate[]> {
    return this.dataSource.query(`SELECT ${CANDIDATE_COLUMNS} FROM ev_candidates ORDER BY vehicle_class, wltp_range_km, name`);
  }

  async insertCandidate(candidate: Omit<Candidate, 'id'>): Promise<Candidate> {
    const [row] = await this.dataSource.query(
      `INSERT INTO ev_candidates (vehicle_class, name, wltp_range_km, kwh_per_km, price_nok, note) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${CANDIDATE_COLUMNS}`,
      [candidate.vehicleClass, candidate.name, candidate.wltpRangeKm, candidate.kwhPerKm, candidate.priceNok, candidate.note],
    );
    return row;
  }

  depots(): Promise<Depot[]> {
    return this.dataSource.query(`SELECT ${DEPOT_COLUMNS} FROM depots ORDER BY name, id`);
  }

  async insertDepot(depot: Omit<Depot, 'id'>): Promise<Depot> {
    const [row] = await this.dataSource.query(
      `INSERT INTO depots (organization_id, name, lat, lon, radius_m, charger_kw) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${DEPOT_COLUMNS}`,
      [depot.organizationId, depot.name, depot.lat, depot.lon, depot.radiusM, depot.chargerKw],
    );
    return row;
  }

  async organizationExists(id: string): Promise<boolean> {
    const rows = await this.dataSource.query(`SELECT 1 FROM organizations WHERE id = $1`, [id]);
    return rows.length > 0;
  }

  vehicles(ids: string[]): Promise<VehicleRow[]> {
    return this.dataSource.query(
      `SELECT id, registration, vehicle_class AS "vehicleClass", energy_carrier AS "energyCarrier",
              to_char(in_service_from, 'YYYY-MM-DD') AS "inServiceFrom", to_char(in_service_to, 'YYYY-MM-DD') AS "inServiceTo"
         FROM vehicles WHERE id = ANY($1::uuid[])`,
      [ids],
    );
  }

  async insertPlan(manager: EntityManager, plan: { name: string; createdBy: string; items: Array<{ vehicleId: string; month: string; candidateId: string }> }): Promise<string> {
    const [{ id }] = await manager.query(`INSERT INTO electrification_plans (name, created_by) VALUES ($1, $2) RETURNING id`, [plan.name, plan.createdBy]);
    await manager.query(
      `INSERT INTO electrification_plan_items (plan_id, vehicle_id, replace_month, candidate_id)
       SELECT $1, * FROM unnest($2::uuid[], $3::date[], $4::uuid[])`,
      [id, plan.items.map((i) => i.vehicleId), plan.items.map((i) => `${i.month}-01`), plan.items.map((i) => i.candidateId)],
    );
    return id;
  }

  async plans(): Promise<Array<Omit<Plan, 'items'> & { vehicles: number }>> {
    return this.dataSource.query(
      `SELECT p.id, p.name, p.created_by AS "createdBy", p.created_at AS "createdAt", (SELECT count(*)::int FROM electrification_plan_items i WHERE i.plan_id = p.id) AS vehicles
         FROM electrification_plans p ORDER BY p.created_at, p.id`,
    );
  }

  async plan(id: string): Promise<Plan | null> {
    const [plan] = await this.dataSource.query(`SELECT id, name, created_by AS "createdBy", created_at AS "createdAt" FROM electrification_plans WHERE id = $1`, [id]);
    if (!plan) return null;
    const items: PlanItem[] = await this.dataSource.query(
      `SELECT i.vehicle_id AS "vehicleId", v.registration, to_char(i.replace_month, 'YYYY-MM') AS month, i.candidate_id AS "candidateId",
              c.name AS "candidateName", c.kwh_per_km AS "kwhPerKm"
         FROM electrification_plan_items i JOIN vehicles v ON v.id = i.vehicle_id JOIN ev_candidates c ON c.id = i.candidate_id
        WHERE i.plan_id = $1 ORDER BY i.replace_month, v.registration`,
      [id],
    );
    return { ...plan, createdAt: new Date(plan.createdAt).toISOString(), items };
  }
}

export interface DailyStats {
  vehicleId: string;
  drivingDays: number;
  p95Km: number | null;
  maxKm: number | null;
}

export interface OvernightDwell {
  vehicleId: string;
  depotId: string;
  nights: number;
  medianHours: number;
}

/** Daily distances and overnight stops of the vehicles to assess (explicit SQL: a year of days of every vehicle). */
@Injectable()
export class PlanActivityRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Per vehicle over the days [from, to) with distance: count, p95 (continuous percentile) and maximum. */
  async dailyStats(vehicleIds: string[], from: string, to: string): Promise<DailyStats[]> {
    const rows = await this.dataSource.query(
      `SELECT vehicle_id AS "vehicleId", count(*)::int AS "drivingDays",
              percentile_cont(0.95) WITHIN GROUP (ORDER BY distance_km) AS "p95Km", max(distance_km) AS "maxKm"
         FROM vehicle_daily
        WHERE vehicle_id = ANY($1::uuid[]) AND day >= $2::date AND day < $3::date AND distance_km > 0
        GROUP BY vehicle_id`,
      [vehicleIds, from, to],
    );
    return rows.map((r: DailyStats) => ({ ...r, p95Km: r.p95Km === null ? null : Number(r.p95Km), maxKm: r.maxKm === null ? null : Number(r.maxKm) }));
  }

  /** Per vehicle: the days of [from, to) whose distance is above its own limit. */
  async daysAbove(limits: Array<{ vehicleId: string; km: number }>, from: string, to: string): Promise<Map<string, number>> {
    if (limits.length === 0) return new Map();
    const rows: Array<{ vehicleId: string; days: number }> = await this.dataSource.query(
      `SELECT d.vehicle_id AS "vehicleId", count(*)::int AS days
         FROM unnest($1::uuid[], $2::float8[]) AS l(vehicle_id, km)
         JOIN vehicle_daily d ON d.vehicle_id = l.vehicle_id AND d.day >= $3::date AND d.day < $4::date AND d.distance_km > l.km
        GROUP BY d.vehicle_id`,
      [limits.map((l) => l.vehicleId), limits.map((l) => l.km), from, to],
    );
    return new Map(rows.map((row) => [row.vehicleId, row.days]));
  }

  /**
   * Overnight stops at the depots of each vehicle's department: a trip that ends within a depot's
   * radius and whose next trip starts on a later local day; the stop lasts until that next trip.
   */
  overnightDwells(vehicleIds: string[], from: string, to: string, timeZone: string): Promise<OvernightDwell[]> {
    return this.dataSource.query(
      `WITH t AS (
         SELECT vehicle_id, ended_at, end_lat, end_lon, lead(started_at) OVER (PARTITION BY vehicle_id ORDER BY started_at) AS next_start
           FROM trips
          WHERE vehicle_id = ANY($1::uuid[]) AND started_at >= ($2::date::timestamp AT TIME ZONE $4) AND started_at < ($3::date::timestamp AT TIME ZONE $4)
       ), nights AS (
         SELECT t.vehicle_id, d.id AS depot_id, extract(epoch FROM t.next_start - t.ended_at) / 3600 AS hours
           FROM t JOIN vehicles v ON v.id = t.vehicle_id JOIN depots d ON d.organization_id = v.department_id
          WHERE t.next_start IS NOT NULL AND t.end_lat IS NOT NULL
            AND (t.ended_at AT TIME ZONE $4)::date < (t.next_start AT TIME ZONE $4)::date
            AND 2 * 6371000 * asin(sqrt(power(sin(radians(t.end_lat - d.lat) / 2), 2)
                + cos(radians(d.lat)) * cos(radians(t.end_lat)) * power(sin(radians(t.end_lon - d.lon) / 2), 2))) <= d.radius_m
       )
       SELECT vehicle_id AS "vehicleId", depot_id AS "depotId", count(*)::int AS nights,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY hours)::float8 AS "medianHours"
         FROM nights GROUP BY vehicle_id, depot_id`,
      [vehicleIds, from, to, timeZone],
    );
  }
}
