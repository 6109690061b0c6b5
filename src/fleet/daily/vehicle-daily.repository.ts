import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/**
 * Daily rollups per vehicle and calendar day in the reporting time zone, derived set-based from
 * the raw samples (reports-v1, "Vehicle activity"):
 * - every pair of consecutive readings of a cumulative counter is an interval whose delta is
 *   split over the days it overlaps in proportion to time;
 * - a decrease is a reset (new counter segment): the step counts 0 and is flagged;
 * - an odometer delta implying more than 250 km/h is excluded and flagged;
 * - an interval longer than MAX_COUNTER_GAP is counted and flagged.
 * A counter with no interval in a day is NULL that day (no data), not 0. The days derived are
 * the window's and every day an interval reaching into the window touches (a long gap spreads
 * over all its days), each from complete data.
 */
const DERIVE_DAYS_SQL = `
WITH win AS (
  SELECT ($2::date::timestamp AT TIME ZONE $4) AS w0, (($3::date + 1)::timestamp AT TIME ZONE $4) AS w1
),
reach AS (
  -- The nearest reading of each counter outside the window: intervals reaching into it start or end there.
  SELECT
    least(
      (SELECT max(ts) FROM vehicle_samples WHERE vehicle_id = $1 AND ts < win.w0 AND odometer_km IS NOT NULL),
      (SELECT max(ts) FROM vehicle_samples WHERE vehicle_id = $1 AND ts < win.w0 AND fuel_used_l IS NOT NULL),
      (SELECT max(ts) FROM vehicle_samples WHERE vehicle_id = $1 AND ts < win.w0 AND gas_used_kg IS NOT NULL),
      (SELECT max(ts) FROM vehicle_samples WHERE vehicle_id = $1 AND ts < win.w0 AND energy_charged_kwh IS NOT NULL),
      (SELECT max(ts) FROM vehicle_samples WHERE vehicle_id = $1 AND ts < win.w0 AND energy_consumed_kwh IS NOT NULL),
      (SELECT max(ts) FROM vehicle_samples WHERE vehicle_id = $1 AND ts < win.w0),
      win.w0) AS lo,
    greatest(
      (SELECT min(ts) FROM vehicle_samples WHERE vehicle_id = $1 AND ts >= win.w1 AND odometer_km IS NOT NULL),
      (SELECT min(ts) FROM vehicle_samples WHERE vehicle_id = $1 AND ts >= win.w1 AND fuel_used_l IS NOT NULL),
      (SELECT min(ts) FROM vehicle_samples WHERE vehicle_id = $1 AND ts >= win.w1 AND gas_used_kg IS NOT NULL),
      (SELECT min(ts) FROM vehicle_samples WHERE vehicle_id = $1 AND ts >= win.w1 AND energy_charged_kwh IS NOT NULL),
      (SELECT min(ts) FROM vehicle_samples WHERE vehicle_id = $1 AND ts >= win.w1 AND energy_consumed_kwh IS NOT NULL),
      (SELECT min(ts) FROM vehicle_samples WHERE vehicle_id = $1 AND ts >= win.w1),
      win.w1) AS hi
    FROM win
),
span AS (
  -- Whole days from the first to the last day those intervals touch: all of them are re-derived.
  SELECT ((reach.lo AT TIME ZONE $4)::date::timestamp AT TIME ZONE $4) AS w0,
         (((reach.hi AT TIME ZONE $4)::date + 1)::timestamp AT TIME ZONE $4) AS w1
    FROM reach
),
bounds AS (
  -- And the readings just outside those days, so that every interval overlapping them is complete.
  SELECT
    least(
      (SELECT max(ts) FROM vehicle_samples WHERE vehicle_id = $1 AND ts < span.w0 AND odometer_km IS NOT NULL),
      (SELECT max(ts) FROM vehicle_samples WHERE vehicle_id = $1 AND ts < span.w0 AND fuel_used_l IS NOT NULL),
      (SELECT max(ts) FROM vehicle_samples WHERE vehicle_id = $1 AND ts < span.w0 AND gas_used_kg IS NOT NULL),
      (SELECT max(ts) FROM vehicle_samples WHERE vehicle_id = $1 AND ts < span.w0 AND energy_charged_kwh IS NOT NULL),
      (SELECT max(ts) FROM vehicle_samples WHERE vehicle_id = $1 AND ts < span.w0 AND energy_consumed_kwh IS NOT NULL),
      (SELECT max(ts) FROM vehicle_samples WHERE vehicle_id = $1 AND ts < span.w0),
      span.w0) AS lo,
    greatest(
      (SELECT min(ts) FROM vehicle_samples WHERE vehicle_id = $1 AND ts >= span.w1 AND odometer_km IS NOT NULL),
      (SELECT min(ts) FROM vehicle_samples WHERE vehicle_id = $1 AND ts >= span.w1 AND fuel_used_l IS NOT NULL),
      (SELECT min(ts) FROM vehicle_samples WHERE vehicle_id = $1 AND ts >= span.w1 AND gas_used_kg IS NOT NULL),
      (SELECT min(ts) FROM vehicle_samples WHERE vehicle_id = $1 AND ts >= span.w1 AND energy_charged_kwh IS NOT NULL),
      (SELECT min(ts) FROM vehicle_samples WHERE vehicle_id = $1 AND ts >= span.w1 AND energy_consumed_kwh IS NOT NULL),
      (SELECT min(ts) FROM vehicle_samples WHERE vehicle_id = $1 AND ts >= span.w1),
      span.w1) AS hi
    FROM span
),
days AS (
  SELECT d::date AS day, (d::timestamp AT TIME ZONE $4) AS day_start, ((d + interval '1 day')::timestamp AT TIME ZONE $4) AS day_end
    FROM span, generate_series((span.w0 AT TIME ZONE $4)::date, (span.w1 AT TIME ZONE $4)::date - 1, interval '1 day') AS d
),
s AS (
  SELECT v.ts, v.odometer_km, v.fuel_used_l, v.gas_used_kg, v.energy_charged_kwh, v.energy_consumed_kwh, v.speed_kmh, v.ignition
    FROM vehicle_samples v, bounds
   WHERE v.vehicle_id = $1 AND v.ts >= bounds.lo AND v.ts <= bounds.hi
),
intervals AS (
  SELECT * FROM (
    SELECT 'odometer' AS counter, lag(ts) OVER o AS t0, ts AS t1, odometer_km - lag(odometer_km) OVER o AS delta FROM s WHERE odometer_km IS NOT NULL WINDOW o AS (ORDER BY ts)
    UNION ALL
    SELECT 'fuel', lag(ts) OVER o, ts, fuel_used_l - lag(fuel_used_l) OVER o FROM s WHERE fuel_used_l IS NOT NULL WINDOW o AS (ORDER BY ts)
    UNION ALL
    SELECT 'gas', lag(ts) OVER o, ts, gas_used_kg - lag(gas_used_kg) OVER o FROM s WHERE gas_used_kg IS NOT NULL WINDOW o AS (ORDER BY ts)
    UNION ALL
    SELECT 'charged', lag(ts) OVER o, ts, energy_charged_kwh - lag(energy_charged_kwh) OVER o FROM s WHERE energy_charged_kwh IS NOT NULL WINDOW o AS (ORDER BY ts)
    UNION ALL
    SELECT 'consumed', lag(ts) OVER o, ts, energy_consumed_kwh - lag(energy_consumed_kwh) OVER o FROM s WHERE energy_consumed_kwh IS NOT NULL WINDOW o AS (ORDER BY ts)
  ) AS all_intervals
  WHERE t0 IS NOT NULL
),
classified AS (
  SELECT counter, t0, t1, delta,
         CASE WHEN delta < 0 THEN 'reset'
              WHEN counter = 'odometer' AND delta > 250 * extract(epoch FROM t1 - t0) / 3600 THEN 'implausible'
              ELSE 'ok' END AS kind,
         extract(epoch FROM t1 - t0) > $5 AS long_gap
    FROM intervals
),
split AS (
  SELECT d.day, c.counter, c.kind, c.long_gap,
         CASE WHEN c.kind = 'ok'
              THEN c.delta * extract(epoch FROM least(c.t1, d.day_end) - greatest(c.t0, d.day_start)) / extract(epoch FROM c.t1 - c.t0)
              ELSE 0 END AS share
    FROM classified c JOIN days d ON c.t0 < d.day_end AND c.t1 > d.day_start
),
counters AS (
  SELECT day,
         sum(share) FILTER (WHERE counter = 'odometer') AS distance_km,
         sum(share) FILTER (WHERE counter = 'fuel') AS fuel_used_l,
         sum(share) FILTER (WHERE counter = 'gas') AS gas_used_kg,
         sum(share) FILTER (WHERE counter = 'charged') AS energy_charged_kwh,
         sum(share) FILTER (WHERE counter = 'consumed') AS energy_consumed_kwh,
         count(*) FILTER (WHERE kind = 'reset') AS reset_count,
         count(*) FILTER (WHERE kind = 'implausible') AS implausible_count,
         count(*) FILTER (WHERE long_gap) AS long_gap_count
    FROM split GROUP BY day
),
movement AS (
  -- Time after a sample showing ignition on or speed above 3 km/h, up to the next sample when
  -- that comes within TRIP_MIN_STOP (a longer silence is not counted as driving).
  SELECT d.day, sum(extract(epoch FROM least(m.t1, d.day_end) - greatest(m.t0, d.day_start))) AS seconds
    FROM (SELECT ts AS t0, lead(ts) OVER (ORDER BY ts) AS t1, (ignition IS TRUE OR speed_kmh > 3) AS moving FROM s) m
    JOIN days d ON m.t0 < d.day_end AND m.t1 > d.day_start
   WHERE m.moving AND m.t1 - m.t0 <= $6 * interval '1 second'
   GROUP BY d.day
),
sampled AS (
  SELECT d.day, count(*) AS sample_count FROM s JOIN days d ON s.ts >= d.day_start AND s.ts < d.day_end GROUP BY d.day
),
result AS (
  SELECT d.day, c.distance_km, coalesce(m.seconds, 0) AS driving_seconds, c.fuel_used_l, c.gas_used_kg, c.energy_charged_kwh,
         c.energy_consumed_kwh, coalesce(x.sample_count, 0) AS sample_count, coalesce(c.reset_count, 0) AS reset_count,
         coalesce(c.implausible_count, 0) AS implausible_count, coalesce(c.long_gap_count, 0) AS long_gap_count
    FROM days d
    LEFT JOIN counters c ON c.day = d.day
    LEFT JOIN movement m ON m.day = d.day
    LEFT JOIN sampled x ON x.day = d.day
   WHERE c.day IS NOT NULL OR x.day IS NOT NULL
),
removed AS (
  DELETE FROM vehicle_daily
   WHERE vehicle_id = $1 AND day IN (SELECT day FROM days) AND day NOT IN (SELECT day FROM result)
)
INSERT INTO vehicle_daily (vehicle_id, day, distance_km, driving_seconds, fuel_used_l, gas_used_kg, energy_charged_kwh, energy_consumed_kwh,
                           sample_count, reset_count, implausible_count, long_gap_count, derived_at)
SELECT $1, day, distance_km, driving_seconds, fuel_used_l, gas_used_kg, energy_charged_kwh, energy_consumed_kwh,
       sample_count, reset_count, implausible_count, long_gap_count, now()
  FROM result
ON CONFLICT (vehicle_id, day) DO UPDATE SET
  distance_km = EXCLUDED.distance_km, driving_seconds = EXCLUDED.driving_seconds, fuel_used_l = EXCLUDED.fuel_used_l,
  gas_used_kg = EXCLUDED.gas_used_kg, energy_charged_kwh = EXCLUDED.energy_charged_kwh, energy_consumed_kwh = EXCLUDED.energy_consumed_kwh,
  sample_count = EXCLUDED.sample_count, reset_count = EXCLUDED.reset_count, implausible_count = EXCLUDED.implausible_count,
  long_gap_count = EXCLUDED.long_gap_count, derived_at = EXCLUDED.derived_at`;

export interface DailyWindow {
  vehicleId: string;
  /** First and last calendar day (YYYY-MM-DD) in `timeZone`, inclusive. */
  firstDay: string;
  lastDay: string;
  timeZone: string;
  maxCounterGapSeconds: number;
  tripMinStopSeconds: number;
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
  resetCount: number;
  implausibleCount: number;
  longGapCount: number;
}

@Injectable()
export class VehicleDailyRepository {
  /** Re-derives the rollups of the window's days inside the caller's transaction. */
  async derive(manager: EntityManager, window: DailyWindow): Promise<void> {
    await manager.query(DERIVE_DAYS_SQL, [
      window.vehicleId, window.firstDay, window.lastDay, window.timeZone, window.maxCounterGapSeconds, window.tripMinStopSeconds,
    ]);
  }

  list(manager: EntityManager, vehicleId: string, from: string, to: string): Promise<VehicleDay[]> {
    return manager.query(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, distance_km AS "distanceKm", driving_seconds AS "drivingSeconds", fuel_used_l AS "fuelUsedL",
              gas_used_kg AS "gasUsedKg", energy_charged_kwh AS "energyChargedKwh", energy_consumed_kwh AS "energyConsumedKwh",
              sample_count AS "sampleCount", reset_count AS "resetCount", implausible_count AS "implausibleCount", long_gap_count AS "longGapCount"
         FROM vehicle_daily WHERE vehicle_id = $1 AND day >= $2::date AND day < $3::date ORDER BY day`,
      [vehicleId, from, to],
    );
  }
}
