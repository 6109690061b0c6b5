import { AlertKind, nonNegative, positive } from './alert-kind';

/**
 * A charge point available (online, no connector down: the charging derivation's availability
 * intervals) less than `pct` % of the last `days` days, counted from commissioning when that is
 * later. It opens below `pct` and clears only at `pct` + `marginPct` (default 2 points), so that a
 * charge point hovering at the threshold does not open and close an alert every cycle.
 */
export const availabilityBelow: AlertKind = {
  name: 'availability_below',
  subjectKinds: ['charge_point'],
  parseParams: (input) => ({ pct: positive(input, 'pct', 100), days: positive(input, 'days', 366), marginPct: nonNegative(input, 'marginPct', 100, 2) }),
  conditionSql: `
    SELECT r.id AS rule_id, cp.id::text AS subject_id, '' AS subject_part, cp.name AS subject_label,
           a.pct < (r.params->>'pct')::float8 AS raise,
           a.pct AS value,
           'available ' || round(a.pct::numeric, 1) || ' % of the last ' || (r.params->>'days') || ' days' AS message
      FROM rules r
      JOIN charge_points cp ON r.organization_id IS NULL OR cp.organization_id = r.organization_id
      CROSS JOIN LATERAL (SELECT greatest($1::timestamptz - make_interval(secs => (r.params->>'days')::float8 * 86400), cp.commissioned_on::timestamptz) AS from_at) w
      CROSS JOIN LATERAL (
        SELECT 100 * coalesce(sum(extract(epoch FROM least(av.ended_at, $1::timestamptz) - greatest(av.started_at, w.from_at))), 0)
                   / extract(epoch FROM $1::timestamptz - w.from_at) AS pct
          FROM charge_point_availability av
         WHERE av.charge_point_id = cp.id
           AND av.day >= (w.from_at AT TIME ZONE 'UTC')::date - 1
           AND av.ended_at > w.from_at AND av.started_at < $1::timestamptz) a
     WHERE w.from_at < $1::timestamptz
       AND a.pct < (r.params->>'pct')::float8 + (r.params->>'marginPct')::float8`,
};
