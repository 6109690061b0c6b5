import { AlertKind, nonNegative, positive } from './alert-kind';

/**
 * A charge point available (online, no connector down: the charging derivation's availability
 * intervals) less than `pct` % of the last `days` days, counted from commissioning when that is
 * later. It opens below `pct` and clears only at `pct` + `marginPct` (default 2 points), so that a
 * charge point hovering at the threshold does not open and close an alert every cycle.
 *
 * The intervals are summed per charge point and distinct window length in one grouped scan of the
 * window's days (an index on day, OFFSET 0 keeping the scan whole) rather than probed per charge
 * point: a charge point's rows are spread over as many pages as days (bench:alerts, 2,000 charge
 * points and 31 days on a loaded machine: 450 ms probed per charge point, 74 ms grouped). No interval precedes commissioning, so the
 * sum needs no clipping to it; the denominator does.
 */
export const availabilityBelow: AlertKind = {
  name: 'availability_below',
  subjectKinds: ['charge_point'],
  parseParams: (input) => ({ pct: positive(input, 'pct', 100), days: positive(input, 'days', 366), marginPct: nonNegative(input, 'marginPct', 100, 2) }),
  conditionSql: `
    SELECT w.rule_id, w.subject_id, '' AS subject_part, w.subject_label, w.pct < w.threshold AS raise, w.pct AS value,
           'available ' || round(w.pct::numeric, 1) || ' % of the last ' || w.days || ' days' AS message
      FROM (
        SELECT r.id AS rule_id, cp.id::text AS subject_id, cp.name AS subject_label, r.params->>'days' AS days,
               (r.params->>'pct')::float8 AS threshold, (r.params->>'marginPct')::float8 AS margin,
               100 * coalesce(av.seconds, 0) / date_part('epoch', $1::timestamptz - f.from_at) AS pct
          FROM rules r
          JOIN charge_points cp ON r.organization_id IS NULL OR cp.organization_id = r.organization_id
          CROSS JOIN LATERAL (SELECT greatest($1::timestamptz - make_interval(secs => (r.params->>'days')::float8 * 86400), cp.commissioned_on::timestamptz) AS from_at) f
          LEFT JOIN (
            SELECT d.days, a.charge_point_id, sum(date_part('epoch', least(a.ended_at, $1::timestamptz) - greatest(a.started_at, d.from_at))) AS seconds
              FROM (SELECT DISTINCT (params->>'days')::float8 AS days, $1::timestamptz - make_interval(secs => (params->>'days')::float8 * 86400) AS from_at FROM rules) d
              JOIN (SELECT charge_point_id, started_at, ended_at FROM charge_point_availability
                     WHERE day >= ($1::timestamptz - make_interval(secs => (SELECT max((params->>'days')::float8) FROM rules) * 86400))::date - 1
                       AND started_at < $1::timestamptz
                    OFFSET 0) a ON a.ended_at > d.from_at
             GROUP BY d.days, a.charge_point_id
          ) av ON av.days = (r.params->>'days')::float8 AND av.charge_point_id = cp.id
         WHERE f.from_at < $1::timestamptz
      ) w
     WHERE w.pct < w.threshold + w.margin`,
};
