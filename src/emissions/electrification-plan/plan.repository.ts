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
    const [row] = await this.dataSource.query(`INSERT INTO depots (organization_id, name, lat, lon, radius_m, charger_kw) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${DEPOT_COLUMNS}`, [
      depot.organizationId,
      depot.name,
      depot.lat,
      depot.lon,
      depot.radiusM,
      depot.chargerKw,
    ]);
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
  /** The distances of the days above the limit asked for, longest first. */
  longDaysKm: number[];
}

export interface OvernightDwell {
  vehicleId: string;
  depotId: string;
  nights: number;
  medianHours: number;
}

/**
 * Daily distances and overnight stops of the vehicles to assess. Both read the year's rows of all
 * of them in one scan and gather each vehicle's into arrays (hash aggregate, no sort), then sort
 * one vehicle's year at a time in memory. Rollups and trips are stored day by day, so reading one
 * vehicle at a time (an index range scan each) visited a heap page per row: about 80,000 pages for
 * 225 vehicles, against the 3,000-odd pages the year's rows fill.
 */
@Injectable()
export class PlanActivityRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Per vehicle over the days [from, to) with distance: count, p95 (continuous percentile),
   * maximum, and the days longer than the vehicle's `longerThanKm` (to count the days above a
   * candidate's winter range without a second scan).
   */
  async dailyStats(vehicles: Array<{ vehicleId: string; longerThanKm: number }>, from: string, to: string): Promise<DailyStats[]> {
    if (vehicles.length === 0) return [];
    const rows = await this.dataSource.query(
      `WITH days AS (
         SELECT vehicle_id, array_agg(distance_km) AS km
           FROM vehicle_daily
          WHERE vehicle_id = ANY($1::uuid[]) AND day >= $3::date AND day < $4::date AND distance_km > 0
          GROUP BY vehicle_id
       )
       SELECT u.vehicle_id AS "vehicleId", s.days AS "drivingDays", s.p95 AS "p95Km", s.max AS "maxKm", coalesce(s.long_days, '{}') AS "longDaysKm"
         FROM unnest($1::uuid[], $2::float8[]) AS u(vehicle_id, longer_than)
         LEFT JOIN days ON days.vehicle_id = u.vehicle_id
        CROSS JOIN LATERAL (
          SELECT count(*)::int AS days, percentile_cont(0.95) WITHIN GROUP (ORDER BY km) AS p95, max(km) AS max,
                 array_agg(km ORDER BY km DESC) FILTER (WHERE km > u.longer_than) AS long_days
            FROM unnest(days.km) AS km
        ) AS s`,
      [vehicles.map((v) => v.vehicleId), vehicles.map((v) => v.longerThanKm), from, to],
    );
    return rows.map((r: DailyStats) => ({ ...r, p95Km: r.p95Km === null ? null : Number(r.p95Km), maxKm: r.maxKm === null ? null : Number(r.maxKm), longDaysKm: r.longDaysKm.map(Number) }));
  }

  /**
   * Overnight stops at the depots of each vehicle's department: a trip that ends within a depot's
   * radius and whose next trip starts on a later local day; the stop lasts until that next trip.
   */
  overnightDwells(vehicleIds: string[], from: string, to: string, timeZone: string): Promise<OvernightDwell[]> {
    return this.dataSource.query(
      `WITH trip_ends AS (
         -- Joined to the ids rather than filtered by = ANY, with which the planner walks the primary key vehicle by vehicle.
         SELECT t.vehicle_id, array_agg(t.started_at) AS started, array_agg(t.ended_at) AS ended, array_agg(t.end_lat) AS lat, array_agg(t.end_lon) AS lon
           FROM trips t JOIN unnest($1::uuid[]) AS w(vehicle_id) ON w.vehicle_id = t.vehicle_id
          WHERE t.started_at >= ($2::date::timestamp AT TIME ZONE $4) AND t.started_at < ($3::date::timestamp AT TIME ZONE $4)
          GROUP BY t.vehicle_id
       )
       SELECT v.id AS "vehicleId", d.id AS "depotId", s.nights, s.median_hours AS "medianHours"
         FROM trip_ends e JOIN vehicles v ON v.id = e.vehicle_id JOIN depots d ON d.organization_id = v.department_id
        CROSS JOIN LATERAL (
          SELECT count(*)::int AS nights, percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM t.next_start - t.ended_at) / 3600)::float8 AS median_hours
            FROM (SELECT ended_at, end_lat, end_lon, lead(started_at) OVER (ORDER BY started_at) AS next_start
                    FROM unnest(e.started, e.ended, e.lat, e.lon) AS trip(started_at, ended_at, end_lat, end_lon)) AS t
           WHERE t.next_start IS NOT NULL AND t.end_lat IS NOT NULL
             AND (t.ended_at AT TIME ZONE $4)::date < (t.next_start AT TIME ZONE $4)::date
             AND 2 * 6371000 * asin(sqrt(power(sin(radians(t.end_lat - d.lat) / 2), 2)
                 + cos(radians(d.lat)) * cos(radians(t.end_lat)) * power(sin(radians(t.end_lon - d.lon) / 2), 2))) <= d.radius_m
        ) AS s
        WHERE s.nights > 0`,
      [vehicleIds, from, to, timeZone],
    );
  }
}
