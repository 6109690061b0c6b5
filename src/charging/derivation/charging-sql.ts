/**
 * SQL of the charge-point derivation (reports-v1, "Charge points"). Everything is a function of
 * the stored raw rows, never of their arrival order, so re-running a derivation is a no-op and
 * late or re-delivered samples give the figures they would have given in order.
 */

/** Statuses of a connector in use (a car plugged in): a status session runs through these. */
export const BUSY_STATUSES = `('Preparing', 'Charging', 'SuspendedEV', 'SuspendedEVSE', 'Finishing')`;
/** Statuses in which a connector cannot be used: they make the charge point unavailable. */
export const DOWN_STATUSES = `('Faulted', 'Unavailable')`;
/** A stop pairs with a start at most this long before it: bounds the work of one derivation. */
const MAX_TRANSACTION_DAYS = 31;
/** Connector ids probed for "the last status before": the registry allows at most 32 connectors, 0 is the whole point. */
const CONNECTOR_IDS = `generate_series(0, 32)`;

/** Statuses of charge point $1 in [lo, hi] and, per connector, the last one before lo (the state at lo). */
function statusesWithSeed(lo: string, hi: string): string {
  return `SELECT connector_id, ts, status FROM charge_point_status WHERE charge_point_id = $1 AND ts >= ${lo} AND ts <= ${hi}
  UNION ALL
  SELECT c, p.ts, p.status FROM ${CONNECTOR_IDS} AS c
   CROSS JOIN LATERAL (SELECT ts, status FROM charge_point_status
                        WHERE charge_point_id = $1 AND connector_id = c AND ts < ${lo} ORDER BY ts DESC LIMIT 1) AS p`;
}

/**
 * $1 charge point, $2 first local day, $3 last local day (inclusive), $4 time zone, $5 session
 * timeout (s). The sessions to re-derive are those starting in [sessionsFrom, sessionsTo): new
 * data at t can change a session that started up to a timeout before t, or any session whose
 * transaction id it carries (a stop pairs with its start up to MAX_TRANSACTION_DAYS before), up
 * to the last stop of those transactions.
 */
export const SPAN_SQL = `
WITH win AS (
  SELECT ($2::date::timestamp AT TIME ZONE $4) AS w0, (($3::date + 1)::timestamp AT TIME ZONE $4) AS w1, make_interval(secs => $5) AS timeout
),
seen AS (
  SELECT DISTINCT x.transaction_id FROM charge_point_transactions x, win
   WHERE x.charge_point_id = $1 AND x.ts >= win.w0 - win.timeout AND x.ts < win.w1 + win.timeout
),
linked AS (
  -- The first start and the last stop of those transactions: a stop derived before its start
  -- arrived made a session starting at the stop, which must go when the start comes.
  SELECT min(t.ts) FILTER (WHERE t.event = 'start') AS first_start, max(t.ts) FILTER (WHERE t.event = 'stop') AS last_stop
    FROM charge_point_transactions t, win
   WHERE t.charge_point_id = $1 AND t.ts >= win.w0 - interval '${MAX_TRANSACTION_DAYS} days' AND t.ts < win.w1 + interval '${MAX_TRANSACTION_DAYS} days'
     AND t.transaction_id IN (SELECT transaction_id FROM seen)
)
SELECT least(win.w0 - win.timeout, linked.first_start) AS "sessionsFrom",
       -- JavaScript dates carry milliseconds: the range must end a whole millisecond after the stop.
       greatest(win.w1, linked.last_stop + interval '1 millisecond') AS "sessionsTo",
       win.w0 AS "windowStart", win.w1 AS "windowEnd"
  FROM win, linked`;

/**
 * How far forward new data in the window reaches: a status holds until the next status of its
 * connector, a connection event until the next one (the last one until now). Connection events
 * are placed at their stated time (else their receipt), so a backfilled event reaches as far as
 * the next event of the history. $1 charge point, $2/$3 window start/end.
 */
export const FORWARD_REACH_SQL = `
SELECT greatest(
  (SELECT max(n.ts) FROM ${CONNECTOR_IDS} AS c
     CROSS JOIN LATERAL (SELECT ts FROM charge_point_status WHERE charge_point_id = $1 AND connector_id = c AND ts >= $3 ORDER BY ts LIMIT 1) AS n),
  (SELECT coalesce((SELECT min(ts) FROM device_connection_events WHERE device_ref = $1 AND ts >= $3), clock_timestamp())
    WHERE EXISTS (SELECT 1 FROM device_connection_events WHERE device_ref = $1 AND ts >= $2 AND ts < $3))
) AS reach`;

/**
 * Sessions of charge point $1 starting in [$2, $3), from raw rows in [$4, $5] ($4 = $2 - timeout,
 * $5 = $3 + timeout), $6 session timeout (s). Replaces the derived (non-imported) sessions of that
 * range (after REMOVE_SESSIONS_SQL) and returns the latest end of any session it wrote, so that the caller can
 * re-derive the days those sessions touch.
 *
 * - Transaction sessions (primary): one per transaction id; the earliest start and the earliest
 *   stop at or after it count, later copies are re-deliveries after a reconnect (counted as
 *   `duplicate_events`). A stop without a start starts at the first meter sample of its
 *   transaction, else at the start of the status run it ends, else at the stop itself (`no_start`).
 *   A start without a stop is closed at its last meter sample before the next start on its
 *   connector and within the timeout: `open` while the timeout has not passed, else `no_stop`.
 * - Status sessions: a run of busy statuses (Preparing, Charging, Suspended*, Finishing) until the
 *   next other status (Available, Faulted, ...) within the timeout (else closed at its last meter
 *   sample, `no_stop`), only where no transaction session overlaps the
 *   run (a status that arrived before its transaction is explained by it, whatever the order).
 * - Energy: the positive deltas of the register readings at start, in between (meter samples of
 *   the connector) and at stop; a decrease is a reset (`meter_reset`), its step counts 0, as
 *   for every cumulative counter of the telemetry contract. One reading only: energy unknown.
 */
export const DERIVE_SESSIONS_SQL = `
WITH params AS (SELECT make_interval(secs => $6) AS timeout),
tx AS (
  SELECT connector_id, ts, event, transaction_id, meter_wh, id_tag_hash
    FROM charge_point_transactions WHERE charge_point_id = $1 AND ts >= $4 AND ts <= $5
  UNION
  SELECT l.connector_id, l.ts, l.event, l.transaction_id, l.meter_wh, l.id_tag_hash
    FROM charge_point_transactions l
   WHERE l.charge_point_id = $1 AND l.ts > $5 AND l.event = 'stop'
     AND l.transaction_id IN (SELECT transaction_id FROM charge_point_transactions WHERE charge_point_id = $1 AND event = 'start' AND ts >= $2 AND ts < $3)
),
meter AS (
  SELECT connector_id, ts, energy_wh, transaction_id FROM charge_point_meter
   WHERE charge_point_id = $1 AND ts >= $4 - (SELECT timeout FROM params) AND ts <= $5 AND energy_wh IS NOT NULL
),
st AS (${statusesWithSeed('$4', '$5')}),
marked AS (
  SELECT connector_id, ts, status IN ${BUSY_STATUSES} AS busy,
         lag(status IN ${BUSY_STATUSES}) OVER (PARTITION BY connector_id ORDER BY ts) AS was_busy,
         min(ts) FILTER (WHERE status NOT IN ${BUSY_STATUSES})
           OVER (PARTITION BY connector_id ORDER BY ts ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS free_at
    FROM st
),
runs AS (
  -- An end later than the timeout is not an end: the run is cut like a start without a stop. Every
  -- job reads at least a timeout past the runs it derives, so all see the same cut.
  SELECT connector_id, ts AS run_start, CASE WHEN free_at <= ts + (SELECT timeout FROM params) THEN free_at END AS run_end
    FROM marked WHERE busy AND was_busy IS NOT TRUE
),
ids AS (SELECT DISTINCT transaction_id FROM tx),
ev AS (
  SELECT i.transaction_id, s.ts AS start_ts, s.connector_id AS start_connector, s.meter_wh AS start_wh, s.id_tag_hash AS start_tag,
         e.ts AS stop_ts, e.connector_id AS stop_connector, e.meter_wh AS stop_wh, e.id_tag_hash AS stop_tag,
         (SELECT count(*) FROM tx WHERE tx.transaction_id = i.transaction_id)
           - (s.ts IS NOT NULL)::int - (e.ts IS NOT NULL)::int AS duplicate_events
    FROM ids i
    LEFT JOIN LATERAL (SELECT * FROM tx WHERE tx.transaction_id = i.transaction_id AND tx.event = 'start' ORDER BY ts LIMIT 1) AS s ON true
    LEFT JOIN LATERAL (SELECT * FROM tx WHERE tx.transaction_id = i.transaction_id AND tx.event = 'stop' AND (s.ts IS NULL OR tx.ts >= s.ts)
                        ORDER BY ts LIMIT 1) AS e ON true
),
txs AS (
  SELECT ev.*, coalesce(start_connector, stop_connector) AS connector_id,
         lead(start_ts) OVER (PARTITION BY coalesce(start_connector, stop_connector) ORDER BY start_ts) AS next_start
    FROM ev
),
tx_sessions AS (
  SELECT 'transaction'::text AS source, x.connector_id, x.transaction_id, coalesce(x.start_tag, x.stop_tag) AS id_tag_hash,
         greatest(x.duplicate_events, 0) AS duplicate_events, x.start_ts IS NULL AS no_start,
         coalesce(x.start_ts,
                  (SELECT min(m.ts) FROM meter m WHERE m.connector_id = x.connector_id AND m.transaction_id = x.transaction_id AND m.ts <= x.stop_ts),
                  (SELECT max(r.run_start) FROM runs r WHERE r.connector_id = x.connector_id AND r.run_start <= x.stop_ts
                      AND (r.run_end IS NULL OR r.run_end >= x.stop_ts) AND r.run_start >= x.stop_ts - (SELECT timeout FROM params)),
                  x.stop_ts) AS started_at,
         x.stop_ts, x.start_wh, x.stop_wh, x.next_start
    FROM txs x
   WHERE x.start_ts IS NOT NULL OR x.stop_ts IS NOT NULL
),
tx_spans AS (
  SELECT connector_id, started_at, coalesce(stop_ts, least(coalesce(next_start, 'infinity'), started_at + (SELECT timeout FROM params))) AS until
    FROM tx_sessions
),
status_sessions AS (
  SELECT 'status'::text AS source, r.connector_id, NULL::text AS transaction_id, NULL::bytea AS id_tag_hash, 0 AS duplicate_events,
         false AS no_start, r.run_start AS started_at, r.run_end AS stop_ts, NULL::double precision AS start_wh, NULL::double precision AS stop_wh,
         NULL::timestamptz AS next_start
    FROM runs r
   WHERE NOT EXISTS (
     SELECT 1 FROM tx_spans t
      WHERE t.connector_id = r.connector_id
        AND tstzrange(t.started_at, t.until, '[]') && tstzrange(r.run_start, coalesce(r.run_end, r.run_start + (SELECT timeout FROM params)), '[]'))
),
cand AS (
  SELECT row_number() OVER () AS sid, c.*,
         CASE WHEN c.stop_ts IS NOT NULL THEN c.stop_ts
              ELSE least(coalesce(c.next_start, 'infinity'), c.started_at + (SELECT timeout FROM params)) END AS bound
    FROM (SELECT * FROM tx_sessions UNION ALL SELECT * FROM status_sessions) AS c
   WHERE c.started_at >= $2 AND c.started_at < $3
),
pts AS (
  SELECT c.sid, c.started_at AS ts, c.start_wh AS wh FROM cand c WHERE c.start_wh IS NOT NULL
  UNION ALL
  -- Without a start reading, the register just before the start (nothing was charging then).
  SELECT c.sid, b.ts, b.energy_wh FROM cand c
   CROSS JOIN LATERAL (SELECT ts, energy_wh FROM meter m WHERE m.connector_id = c.connector_id AND m.ts <= c.started_at
                         AND m.ts > c.started_at - (SELECT timeout FROM params) ORDER BY ts DESC LIMIT 1) AS b
   WHERE c.start_wh IS NULL
  UNION ALL
  SELECT c.sid, m.ts, m.energy_wh FROM cand c
    JOIN meter m ON m.connector_id = c.connector_id AND m.ts > c.started_at
                AND (m.ts < c.bound OR (m.ts = c.bound AND c.stop_wh IS NULL))
  UNION ALL
  SELECT c.sid, c.stop_ts, c.stop_wh FROM cand c WHERE c.stop_wh IS NOT NULL
),
deltas AS (
  SELECT p.sid, p.ts, p.wh - lag(p.wh) OVER (PARTITION BY p.sid ORDER BY p.ts) AS d FROM pts p
),
energy AS (
  SELECT d.sid, count(*) AS readings, sum(greatest(d.d, 0)) AS wh, coalesce(bool_or(d.d < 0), false) AS reset,
         max(d.ts) FILTER (WHERE d.ts > c.started_at) AS last_reading_at
    FROM deltas d JOIN cand c USING (sid) GROUP BY d.sid
),
result AS (
  SELECT c.connector_id, c.started_at,
         coalesce(c.stop_ts, e.last_reading_at, c.started_at) AS ended_at,
         c.source, c.transaction_id,
         CASE WHEN e.readings >= 2 THEN e.wh / 1000 END AS energy_kwh,
         c.id_tag_hash,
         c.stop_ts IS NULL AND c.next_start IS NULL AND clock_timestamp() < c.started_at + (SELECT timeout FROM params) AS open,
         c.no_start,
         c.stop_ts IS NULL AND NOT (c.next_start IS NULL AND clock_timestamp() < c.started_at + (SELECT timeout FROM params)) AS no_stop,
         coalesce(e.reset, false) AS meter_reset,
         c.duplicate_events
    FROM cand c LEFT JOIN energy e USING (sid)
),
written AS (
  INSERT INTO charging_sessions (charge_point_id, connector_id, started_at, ended_at, source, transaction_id, energy_kwh, id_tag_hash,
                                 open, no_start, no_stop, meter_reset, duplicate_events, derived_at)
  SELECT $1, connector_id, started_at, ended_at, source, transaction_id, energy_kwh, id_tag_hash,
         open, no_start, no_stop, meter_reset, duplicate_events, now()
    FROM result
  ON CONFLICT DO NOTHING
  RETURNING ended_at
)
SELECT (SELECT max(ended_at) FROM written) AS "latestEnd"`;

/** Removes the derived sessions of charge point $1 starting in [$2, $3) before DERIVE_SESSIONS_SQL writes them again. */
export const REMOVE_SESSIONS_SQL = `
WITH removed AS (
  DELETE FROM charging_sessions WHERE charge_point_id = $1 AND source <> 'import' AND started_at >= $2 AND started_at < $3
  RETURNING ended_at
)
SELECT max(ended_at) AS "latestEnd" FROM removed`;

/** CTEs `days` ($2..$3 local days in time zone $4) and `rng` (their span). */
const DAYS_CTE = `days AS (
  SELECT d::date AS day, (d::timestamp AT TIME ZONE $4) AS day_start, ((d + interval '1 day')::timestamp AT TIME ZONE $4) AS day_end
    FROM generate_series($2::date, $3::date, interval '1 day') AS d
),
rng AS (SELECT min(day_start) AS r0, max(day_end) AS r1, make_interval(secs => $5) AS hb, make_interval(secs => $6) AS timeout FROM days)`;

/** CTE `st_spans`: every status of the connectors holding from its time until the next status of its connector. */
const STATUS_SPANS_CTE = `st AS (${statusesWithSeed('(SELECT r0 FROM rng)', '(SELECT r1 FROM rng)')}),
st_spans AS (
  SELECT connector_id, status, ts, lead(ts) OVER (PARTITION BY connector_id ORDER BY ts) AS next_ts FROM st
)`;

/** CTE `msgs`: the time of every message of charge point $1 (any stream) near the days. */
const MESSAGES_CTE = `msgs AS (
  SELECT ts FROM charge_point_status, rng WHERE charge_point_id = $1 AND ts >= rng.r0 - rng.hb AND ts < rng.r1 + rng.hb
  UNION ALL
  SELECT ts FROM charge_point_meter, rng WHERE charge_point_id = $1 AND ts >= rng.r0 - rng.hb AND ts < rng.r1 + rng.hb
  UNION ALL
  SELECT ts FROM charge_point_transactions, rng WHERE charge_point_id = $1 AND ts >= rng.r0 - rng.hb AND ts < rng.r1 + rng.hb
)`;

/**
 * Availability (reports-v1): online (a `connection` of `online`, or any message within the
 * heartbeat either side of the instant) and no connector `Faulted` or `Unavailable` (a status
 * holds until the next status of its connector). Interval arithmetic on multiranges; the
 * intervals are stored cut at local midnight so that each day is re-derived on its own.
 * $1 charge point, $2/$3 first/last local day, $4 time zone, $5 heartbeat (s), $6 session timeout (s).
 * Run after REMOVE_AVAILABILITY_SQL; returns the available and online seconds of each day.
 */
export const REMOVE_AVAILABILITY_SQL = `DELETE FROM charge_point_availability WHERE charge_point_id = $1 AND day BETWEEN $2::date AND $3::date`;

export const DERIVE_AVAILABILITY_SQL = `
WITH ${DAYS_CTE},
${MESSAGES_CTE},
${STATUS_SPANS_CTE},
by_message AS (
  SELECT coalesce(range_agg(tstzrange(ts - rng.hb, ts + rng.hb)), '{}'::tstzmultirange) AS m FROM msgs, rng
),
conn AS (
  SELECT ts, state FROM device_connection_events, rng WHERE device_ref = $1 AND ts >= rng.r0 AND ts < rng.r1
  UNION ALL
  (SELECT ts, state FROM device_connection_events, rng WHERE device_ref = $1 AND ts < rng.r0 ORDER BY ts DESC LIMIT 1)
),
by_connection AS (
  -- Online from the event's time (stated, else received) until the next connection event; the last
  -- one holds until now (the last will says when it ends).
  SELECT coalesce(range_agg(tstzrange(ts, coalesce(next_at, greatest(clock_timestamp(), ts)))), '{}'::tstzmultirange) AS m
    FROM (SELECT ts, state, lead(ts) OVER (ORDER BY ts) AS next_at FROM conn) AS c
   WHERE state = 'online'
),
down AS (
  SELECT coalesce(range_agg(tstzrange(ts, coalesce(next_ts, 'infinity'))), '{}'::tstzmultirange) AS m
    FROM st_spans WHERE status IN ${DOWN_STATUSES}
),
per_day AS (
  SELECT d.day,
         (by_message.m + by_connection.m) * tstzmultirange(tstzrange(d.day_start, d.day_end)) AS online,
         ((by_message.m + by_connection.m) - down.m) * tstzmultirange(tstzrange(d.day_start, d.day_end)) AS available
    FROM days d, by_message, by_connection, down
),
written AS (
  INSERT INTO charge_point_availability (charge_point_id, day, started_at, ended_at)
  SELECT $1, p.day, lower(r), upper(r) FROM per_day p CROSS JOIN LATERAL unnest(p.available) AS r
)
SELECT to_char(p.day, 'YYYY-MM-DD') AS day,
       (SELECT coalesce(sum(extract(epoch FROM upper(r) - lower(r))), 0) FROM unnest(p.available) AS r)::float8 AS "availableSeconds",
       (SELECT coalesce(sum(extract(epoch FROM upper(r) - lower(r))), 0) FROM unnest(p.online) AS r)::float8 AS "onlineSeconds"
  FROM per_day p`;

/**
 * Daily rollups per charge point (availability, messages) and per connector (sessions started,
 * imported sessions and their energy by day of start; occupied and charging time clipped to the
 * day). Occupied time is the union of the connector's sessions, so an imported session that
 * overlaps a measured one is not counted twice. Charging time: status `Charging` until the next
 * status of the connector; the last status of all holds until the last message of the charge
 * point, at most a session timeout. Sessions must be derived first.
 * $1 charge point, $2/$3 first/last local day, $4 time zone, $5 heartbeat (s), $6 timeout (s), $7 availability json [{day, availableSeconds, onlineSeconds}].
 */
export const DERIVE_DAILY_SQL = `
WITH ${DAYS_CTE},
${MESSAGES_CTE},
${STATUS_SPANS_CTE},
avail AS (
  SELECT (a->>'day')::date AS day, (a->>'availableSeconds')::float8 AS available_seconds, (a->>'onlineSeconds')::float8 AS online_seconds
    FROM jsonb_array_elements($7::jsonb) AS a
),
msg_days AS (
  SELECT (ts AT TIME ZONE $4)::date AS day, count(*) AS message_count, min(ts) AS first_at, max(ts) AS last_at
    FROM msgs, rng WHERE ts >= rng.r0 AND ts < rng.r1 GROUP BY 1
),
cp_result AS (
  SELECT d.day, coalesce(a.available_seconds, 0) AS available_seconds, coalesce(a.online_seconds, 0) AS online_seconds,
         coalesce(m.message_count, 0) AS message_count, m.first_at, m.last_at
    FROM days d LEFT JOIN avail a USING (day) LEFT JOIN msg_days m USING (day)
   WHERE coalesce(a.online_seconds, 0) > 0 OR m.message_count > 0
),
cp_removed AS (
  DELETE FROM charge_point_daily WHERE charge_point_id = $1 AND day BETWEEN $2::date AND $3::date AND day NOT IN (SELECT day FROM cp_result)
),
cp_written AS (
  INSERT INTO charge_point_daily (charge_point_id, day, available_seconds, online_seconds, message_count, first_message_at, last_message_at, derived_at)
  SELECT $1, day, available_seconds, online_seconds, message_count, first_at, last_at, now() FROM cp_result
  ON CONFLICT (charge_point_id, day) DO UPDATE SET
    available_seconds = EXCLUDED.available_seconds, online_seconds = EXCLUDED.online_seconds, message_count = EXCLUDED.message_count,
    first_message_at = EXCLUDED.first_message_at, last_message_at = EXCLUDED.last_message_at, derived_at = EXCLUDED.derived_at
),
sess AS (
  SELECT s.connector_id, s.started_at, s.ended_at, s.source, s.energy_kwh
    FROM charging_sessions s, rng WHERE s.charge_point_id = $1 AND s.started_at < rng.r1 AND s.ended_at >= rng.r0
),
last_msg AS (SELECT max(ts) AS at FROM msgs),
charging AS (
  SELECT connector_id, range_agg(tstzrange(ts, coalesce(next_ts, greatest(ts, least((SELECT at FROM last_msg), ts + rng.timeout))))) AS m
    FROM st_spans, rng WHERE status = 'Charging' GROUP BY connector_id
),
occupied AS (
  SELECT connector_id, range_agg(tstzrange(started_at, ended_at)) AS m FROM sess GROUP BY connector_id
),
started AS (
  SELECT connector_id, (started_at AT TIME ZONE $4)::date AS day, count(*) AS sessions,
         count(*) FILTER (WHERE source = 'import') AS imported, coalesce(sum(energy_kwh), 0) AS energy_kwh
    FROM sess GROUP BY 1, 2
),
connectors AS (SELECT connector_id FROM sess UNION SELECT connector_id FROM charging),
conn_result AS (
  SELECT c.connector_id, d.day, coalesce(s.sessions, 0) AS sessions, coalesce(s.imported, 0) AS imported, coalesce(s.energy_kwh, 0) AS energy_kwh,
         coalesce((SELECT sum(extract(epoch FROM upper(r) - lower(r))) FROM unnest(o.m * tstzmultirange(tstzrange(d.day_start, d.day_end))) AS r), 0) AS occupied_seconds,
         coalesce((SELECT sum(extract(epoch FROM upper(r) - lower(r))) FROM unnest(g.m * tstzmultirange(tstzrange(d.day_start, d.day_end))) AS r), 0) AS charging_seconds
    FROM connectors c CROSS JOIN days d
    LEFT JOIN started s ON s.connector_id = c.connector_id AND s.day = d.day
    LEFT JOIN occupied o ON o.connector_id = c.connector_id
    LEFT JOIN charging g ON g.connector_id = c.connector_id
),
conn_kept AS (SELECT * FROM conn_result WHERE sessions > 0 OR occupied_seconds > 0 OR charging_seconds > 0),
conn_removed AS (
  DELETE FROM charge_point_connector_daily
   WHERE charge_point_id = $1 AND day BETWEEN $2::date AND $3::date
     AND (connector_id, day) NOT IN (SELECT connector_id, day FROM conn_kept)
)
INSERT INTO charge_point_connector_daily (charge_point_id, connector_id, day, sessions, imported_sessions, energy_kwh, occupied_seconds, charging_seconds, derived_at)
SELECT $1, connector_id, day, sessions, imported, energy_kwh, occupied_seconds, charging_seconds, now() FROM conn_kept
ON CONFLICT (charge_point_id, connector_id, day) DO UPDATE SET
  sessions = EXCLUDED.sessions, imported_sessions = EXCLUDED.imported_sessions, energy_kwh = EXCLUDED.energy_kwh,
  occupied_seconds = EXCLUDED.occupied_seconds, charging_seconds = EXCLUDED.charging_seconds, derived_at = EXCLUDED.derived_at`;

/**
 * Live state of charge point $1: the latest status and meter reading of every connector (by
 * sample time, so a late sample never overwrites a newer one), the latest message and the
 * latest connection event by the time it happened (a backfilled one never overwrites a newer one).
 */
export const DERIVE_LIVE_STATE_SQL = `
WITH latest AS (
  SELECT c AS connector_id, s.status, s.error_code, s.ts AS status_at, m.energy_wh, m.power_w, m.ts AS meter_at
    FROM ${CONNECTOR_IDS} AS c
    LEFT JOIN LATERAL (SELECT status, error_code, ts FROM charge_point_status WHERE charge_point_id = $1 AND connector_id = c ORDER BY ts DESC LIMIT 1) AS s ON true
    LEFT JOIN LATERAL (SELECT energy_wh, power_w, ts FROM charge_point_meter WHERE charge_point_id = $1 AND connector_id = c ORDER BY ts DESC LIMIT 1) AS m ON true
   WHERE s.ts IS NOT NULL OR m.ts IS NOT NULL
),
connectors AS (
  INSERT INTO charge_point_connector_state (charge_point_id, connector_id, status, error_code, status_at, energy_wh, power_w, meter_at, updated_at)
  SELECT $1, connector_id, status, error_code, status_at, energy_wh, power_w, meter_at, now() FROM latest
  ON CONFLICT (charge_point_id, connector_id) DO UPDATE SET
    status = EXCLUDED.status, error_code = EXCLUDED.error_code, status_at = EXCLUDED.status_at, energy_wh = EXCLUDED.energy_wh,
    power_w = EXCLUDED.power_w, meter_at = EXCLUDED.meter_at, updated_at = EXCLUDED.updated_at
),
last_tx AS (
  SELECT max(n.ts) AS at FROM ${CONNECTOR_IDS} AS c
   CROSS JOIN LATERAL (SELECT ts FROM charge_point_transactions WHERE charge_point_id = $1 AND connector_id = c ORDER BY ts DESC LIMIT 1) AS n
),
conn AS (
  SELECT state, ts FROM device_connection_events WHERE device_ref = $1 ORDER BY ts DESC LIMIT 1
)
INSERT INTO charge_point_state (charge_point_id, last_message_at, connection, connection_at, updated_at)
SELECT $1, greatest((SELECT max(greatest(status_at, meter_at)) FROM latest), (SELECT at FROM last_tx)),
       (SELECT state FROM conn), (SELECT ts FROM conn), now()
ON CONFLICT (charge_point_id) DO UPDATE SET
  last_message_at = EXCLUDED.last_message_at, connection = EXCLUDED.connection, connection_at = EXCLUDED.connection_at, updated_at = EXCLUDED.updated_at`;
