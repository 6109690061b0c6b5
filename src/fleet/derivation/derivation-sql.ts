/**
 * SQL shared by the vehicle derivations (daily rollups, trips). Each derivation reads the raw
 * samples of one vehicle between two instants `lo` and `hi` that DerivationSpanRepository chose
 * so that every counter interval touching the derived days is complete.
 */

const COUNTERS = ['odometer_km', 'fuel_used_l', 'gas_used_kg', 'energy_charged_kwh', 'energy_consumed_kwh'];

/** The nearest reading of every counter (and of any sample) before `t0` and from `t1` on, as `lo` and `hi`. */
function nearestReadings(t0: string, t1: string): string {
  const before = COUNTERS.map((c) => `(SELECT max(ts) FROM vehicle_samples WHERE vehicle_id = $1 AND ts < ${t0} AND ${c} IS NOT NULL)`);
  const after = COUNTERS.map((c) => `(SELECT min(ts) FROM vehicle_samples WHERE vehicle_id = $1 AND ts >= ${t1} AND ${c} IS NOT NULL)`);
  return `SELECT least(${before.join(',\n ')},
    (SELECT max(ts) FROM vehicle_samples WHERE vehicle_id = $1 AND ts < ${t0}), ${t0}) AS lo,
  greatest(${after.join(',\n ')},
    (SELECT min(ts) FROM vehicle_samples WHERE vehicle_id = $1 AND ts >= ${t1}), ${t1}) AS hi`;
}

/**
 * $1 vehicle, $2 first day, $3 last day (YYYY-MM-DD, inclusive), $4 time zone. The readings just
 * outside the days' window: every counter interval reaching into the window ends at them.
 *
 * The span takes two statements (this, then SPAN_SQL), each instant in them a parameter or an
 * immutable expression of parameters, so that PostgreSQL leaves out the monthly partitions a probe
 * cannot reach when it plans the statement. In one statement (the instants from a CTE) it planned
 * the 24 probes over every partition, which took several times as long as running them.
 */
export const REACH_SQL = nearestReadings('($2::date::timestamp AT TIME ZONE $4)', '(($3::date + 1)::timestamp AT TIME ZONE $4)');

/**
 * $1 vehicle, $2 `lo` and $3 `hi` of REACH_SQL, $4 time zone. Returns the whole local days to
 * re-derive (every day a counter interval reaching into the window touches: a long gap spreads
 * over all its days) and the readings just outside them.
 */
const SPAN_START = '(($2::timestamptz AT TIME ZONE $4)::date::timestamp AT TIME ZONE $4)';
const SPAN_END = '((($3::timestamptz AT TIME ZONE $4)::date + 1)::timestamp AT TIME ZONE $4)';
export const SPAN_SQL = `
SELECT ${SPAN_START} AS "spanStart", ${SPAN_END} AS "spanEnd", bounds.lo, bounds.hi,
       to_char(($2::timestamptz AT TIME ZONE $4)::date, 'YYYY-MM-DD') AS "firstDay",
       to_char(($3::timestamptz AT TIME ZONE $4)::date, 'YYYY-MM-DD') AS "lastDay"
  FROM (${nearestReadings(SPAN_START, SPAN_END)}) AS bounds`;

/**
 * CTE `s`: the vehicle's samples in [$2, $3]. With a time-zone parameter each sample also carries
 * its local time `local_ts`: converting once per sample is much cheaper than per interval and day.
 */
export function samplesCte(timeZoneParam?: string): string {
  const local = timeZoneParam ? `, (ts AT TIME ZONE ${timeZoneParam}) AS local_ts` : '';
  return `s AS (
  SELECT ts, odometer_km, fuel_used_l, gas_used_kg, energy_charged_kwh, energy_consumed_kwh, speed_kmh, ignition, lat, lon${local}
    FROM vehicle_samples WHERE vehicle_id = $1 AND ts >= $2 AND ts <= $3
)`;
}

/**
 * The kind of one counter delta between readings at t0 and t1 (reports-v1): a decrease is a
 * `reset` (new counter segment, counts 0), an odometer delta implying more than 250 km/h is
 * `implausible` (excluded), anything else `ok`.
 */
export function counterKindSql(isOdometer: string, delta: string, t0: string, t1: string): string {
  return `CASE WHEN ${delta} < 0 THEN 'reset'
              WHEN ${isOdometer} AND ${delta} > 250 * extract(epoch FROM ${t1} - ${t0}) / 3600 THEN 'implausible'
              ELSE 'ok' END`;
}

/**
 * CTE `classified`: one row per pair of consecutive readings of a counter, with its delta and
 * kind (counterKindSql); `long_gap` when the pair is further
 * apart than the given number of seconds (counted, flagged). With `localTime` (samples from
 * `samplesCte(tz)`) each pair also carries the local times `l0`, `l1` of its readings.
 */
export function counterIntervalsCte(maxGapParam: string, localTime = false): string {
  const local = localTime ? ', lag(local_ts) OVER o AS l0, local_ts AS l1' : '';
  const per = (name: string, column: string) =>
    `SELECT '${name}' AS counter, lag(ts) OVER o AS t0, ts AS t1${local}, ${column} - lag(${column}) OVER o AS delta FROM s WHERE ${column} IS NOT NULL WINDOW o AS (ORDER BY ts)`;
  return `intervals AS (
  SELECT * FROM (
    ${per('odometer', 'odometer_km')}
    UNION ALL ${per('fuel', 'fuel_used_l')}
    UNION ALL ${per('gas', 'gas_used_kg')}
    UNION ALL ${per('charged', 'energy_charged_kwh')}
    UNION ALL ${per('consumed', 'energy_consumed_kwh')}
  ) AS all_intervals
  WHERE t0 IS NOT NULL
),
classified AS (
  SELECT counter, t0, t1${localTime ? ', l0, l1' : ''}, delta,
         ${counterKindSql("counter = 'odometer'", 'delta', 't0', 't1')} AS kind,
         extract(epoch FROM t1 - t0) > ${maxGapParam} AS long_gap
    FROM intervals
)`;
}
