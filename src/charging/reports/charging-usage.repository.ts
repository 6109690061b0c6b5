import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/** Which charge point a report row is about, and whose it is. */
export interface ChargePointOfRow {
  chargePointId: string;
  name: string;
  deviceId: string;
  organizationId: string;
  organizationName: string;
  connectors: number;
}

export interface UsageFigures extends ChargePointOfRow {
  subsidyGrantReference: string | null;
  subsidyAmountNok: number | null;
  followUpEndsOn: string | null;
  sessions: number;
  importedSessions: number;
  flaggedSessions: number;
  openSessions: number;
  energyKwh: number;
  uniqueUsers: number;
  occupiedSeconds: number;
  chargingSeconds: number;
  availableSeconds: number;
  longestSilenceSeconds: number;
}

const PERIOD_CTE = `p AS (SELECT ($2::date::timestamp AT TIME ZONE $4) AS p0, ($3::date::timestamp AT TIME ZONE $4) AS p1)`;
const CHARGE_POINTS_CTE = `cps AS (
  SELECT cp.id, cp.name, cp.device_id, cp.organization_id, o.name AS organization_name, cp.connectors, cp.commissioned_on,
         g.reference, g.amount_nok, g.follow_up_ends_on
    FROM charge_points cp
    JOIN organizations o ON o.id = cp.organization_id
    LEFT JOIN subsidy_grants g ON g.id = cp.subsidy_grant_id
   WHERE $1::uuid IS NULL OR cp.organization_id = $1::uuid
)`;

/**
 * Figures of the charging-usage report (reports-v1, "Charge points") for the local days
 * [$2, $3) in time zone $4, of the charge points of organization $1 (all when null). Session
 * figures count sessions by their start; time figures come from the daily rollups (clipped to
 * each day, so to the period) and the availability intervals (clipped to the period and to now).
 */
@Injectable()
export class ChargingUsageRepository {
  figures(manager: EntityManager, organizationId: string | null, from: string, to: string, timeZone: string): Promise<UsageFigures[]> {
    return manager.query(
      `WITH ${PERIOD_CTE}, ${CHARGE_POINTS_CTE},
       sess AS (
         SELECT s.charge_point_id, count(*)::int AS sessions,
                count(*) FILTER (WHERE s.source = 'import')::int AS imported_sessions,
                count(*) FILTER (WHERE s.no_start OR s.no_stop OR s.meter_reset)::int AS flagged_sessions,
                count(*) FILTER (WHERE s.open)::int AS open_sessions,
                coalesce(sum(s.energy_kwh), 0)::float8 AS energy_kwh,
                count(DISTINCT s.id_tag_hash)::int AS unique_users
           FROM charging_sessions s, p
          WHERE s.charge_point_id IN (SELECT id FROM cps) AND s.started_at >= p.p0 AND s.started_at < p.p1
          GROUP BY 1
       ),
       conn AS (
         SELECT charge_point_id, sum(occupied_seconds)::float8 AS occupied, sum(charging_seconds)::float8 AS charging
           FROM charge_point_connector_daily WHERE charge_point_id IN (SELECT id FROM cps) AND day >= $2::date AND day < $3::date GROUP BY 1
       ),
       avail AS (
         -- From the intervals, not the daily sums: an interval of today may reach a heartbeat past
         -- now, and only the elapsed part of a period counts (its denominator is the elapsed time).
         SELECT a.charge_point_id, sum(extract(epoch FROM least(a.ended_at, p.p1, clock_timestamp()) - greatest(a.started_at, p.p0)))::float8 AS available
           FROM charge_point_availability a, p
          WHERE a.charge_point_id IN (SELECT id FROM cps) AND a.day >= $2::date AND a.day < $3::date AND a.started_at < least(p.p1, clock_timestamp())
          GROUP BY 1
       ),
       -- Silence: the longest stretch of the period (from commissioning, until now) without any message.
       edges AS (
         SELECT c.id AS charge_point_id, greatest(p.p0, c.commissioned_on::timestamp AT TIME ZONE $4) AS e0, least(p.p1, clock_timestamp()) AS e1
           FROM cps c, p
       ),
       marks AS (
         SELECT d.charge_point_id, d.first_message_at AS first_at, d.last_message_at AS last_at
           FROM charge_point_daily d WHERE d.charge_point_id IN (SELECT id FROM cps) AND d.day >= $2::date AND d.day < $3::date AND d.message_count > 0
         UNION ALL
         SELECT c.id, b.at, b.at FROM cps c
          CROSS JOIN LATERAL (SELECT max(d.last_message_at) AS at FROM charge_point_daily d
                               WHERE d.charge_point_id = c.id AND d.day < $2::date AND d.message_count > 0) AS b
          WHERE b.at IS NOT NULL
       ),
       gaps AS (
         SELECT charge_point_id, lag(last_at) OVER (PARTITION BY charge_point_id ORDER BY first_at) AS g0, first_at AS g1 FROM marks
         UNION ALL
         SELECT e.charge_point_id, (SELECT max(m.last_at) FROM marks m WHERE m.charge_point_id = e.charge_point_id), e.e1 FROM edges e
       ),
       silence AS (
         SELECT g.charge_point_id,
                max(greatest(extract(epoch FROM least(g.g1, e.e1) - greatest(coalesce(g.g0, e.e0), e.e0)), 0))::float8 AS seconds
           FROM gaps g JOIN edges e USING (charge_point_id) GROUP BY 1
       )
       SELECT c.id AS "chargePointId", c.name, c.device_id AS "deviceId", c.organization_id AS "organizationId",
              c.organization_name AS "organizationName", c.connectors,
              c.reference AS "subsidyGrantReference", c.amount_nok::float8 AS "subsidyAmountNok",
              to_char(c.follow_up_ends_on, 'YYYY-MM-DD') AS "followUpEndsOn",
              coalesce(s.sessions, 0) AS sessions, coalesce(s.imported_sessions, 0) AS "importedSessions",
              coalesce(s.flagged_sessions, 0) AS "flaggedSessions", coalesce(s.open_sessions, 0) AS "openSessions",
              coalesce(s.energy_kwh, 0) AS "energyKwh", coalesce(s.unique_users, 0) AS "uniqueUsers",
              coalesce(n.occupied, 0) AS "occupiedSeconds", coalesce(n.charging, 0) AS "chargingSeconds",
              coalesce(a.available, 0) AS "availableSeconds", coalesce(x.seconds, 0) AS "longestSilenceSeconds"
         FROM cps c CROSS JOIN p
         LEFT JOIN sess s ON s.charge_point_id = c.id
         LEFT JOIN conn n ON n.charge_point_id = c.id
         LEFT JOIN avail a ON a.charge_point_id = c.id
         LEFT JOIN silence x ON x.charge_point_id = c.id
        ORDER BY c.organization_name, c.name, c.id`,
      [organizationId, from, to, timeZone],
    );
  }

  /** Energy of the sessions starting in the period by charge point and local year of start (the factors are per year). */
  energyByYear(manager: EntityManager, organizationId: string | null, from: string, to: string, timeZone: string): Promise<Array<{ chargePointId: string; year: number; energyKwh: number }>> {
    return manager.query(
      `WITH ${PERIOD_CTE}, ${CHARGE_POINTS_CTE}
       SELECT s.charge_point_id AS "chargePointId", extract(year FROM s.started_at AT TIME ZONE $4)::int AS year, sum(s.energy_kwh)::float8 AS "energyKwh"
         FROM charging_sessions s, p
        WHERE s.charge_point_id IN (SELECT id FROM cps) AND s.started_at >= p.p0 AND s.started_at < p.p1 AND s.energy_kwh IS NOT NULL
        GROUP BY 1, 2`,
      [organizationId, from, to, timeZone],
    );
  }

  /** Distinct users over all the charge points (a user charging at two of them counts once). */
  async uniqueUsers(manager: EntityManager, organizationId: string | null, from: string, to: string, timeZone: string): Promise<number> {
    const [row] = await manager.query(
      `WITH ${PERIOD_CTE}, ${CHARGE_POINTS_CTE}
       SELECT count(DISTINCT s.id_tag_hash)::int AS users FROM charging_sessions s, p
        WHERE s.charge_point_id IN (SELECT id FROM cps) AND s.started_at >= p.p0 AND s.started_at < p.p1`,
      [organizationId, from, to, timeZone],
    );
    return row.users;
  }

  /**
   * The local days [from, to): their length in seconds (a day of a DST change has 23 or 25 hours),
   * the part of it that has elapsed (up to now; 0 for a period still to come) and its end.
   */
  async period(manager: EntityManager, from: string, to: string, timeZone: string): Promise<{ periodSeconds: number; elapsedSeconds: number; periodEndsAt: Date }> {
    const [row] = await manager.query(
      `WITH p AS (SELECT ($1::date::timestamp AT TIME ZONE $3) AS p0, ($2::date::timestamp AT TIME ZONE $3) AS p1)
       SELECT extract(epoch FROM p.p1 - p.p0)::float8 AS "periodSeconds",
              extract(epoch FROM least(greatest(clock_timestamp(), p.p0), p.p1) - p.p0)::float8 AS "elapsedSeconds",
              p.p1 AS "periodEndsAt"
         FROM p`,
      [from, to, timeZone],
    );
    return row;
  }
}
