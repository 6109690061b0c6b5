import { AlertKind, positive } from './alert-kind';

/**
 * More than `perHour` dead letters (messages refused by the ingest) from one registered device
 * in the last hour. It clears when the last hour has at most half as many, so that a device
 * hovering at the threshold keeps one alert.
 */
export const deadLetterRate: AlertKind = {
  name: 'dead_letter_rate',
  subjectKinds: ['vehicle', 'charge_point'],
  parseParams: (input) => ({ perHour: positive(input, 'perHour', 1_000_000) }),
  conditionSql: `
    SELECT r.id AS rule_id, d.subject_id, '' AS subject_part, d.subject_label,
           d.n > (r.params->>'perHour')::float8 AS raise,
           d.n::float8 AS value,
           d.n || ' dead letters in the last hour' AS message
      FROM rules r
      JOIN (
        SELECT 'vehicle' AS subject_kind, v.id::text AS subject_id, v.registration AS subject_label, v.department_id AS organization_id, dl.n
          FROM (SELECT device_id, count(*) AS n FROM dead_letters WHERE received_at > $1::timestamptz - interval '1 hour' AND received_at <= $1::timestamptz AND device_id IS NOT NULL GROUP BY device_id) dl
          JOIN vehicles v ON v.device_id = dl.device_id
        UNION ALL
        SELECT 'charge_point', cp.id::text, cp.name, cp.organization_id, dl.n
          FROM (SELECT device_id, count(*) AS n FROM dead_letters WHERE received_at > $1::timestamptz - interval '1 hour' AND received_at <= $1::timestamptz AND device_id IS NOT NULL GROUP BY device_id) dl
          JOIN charge_points cp ON cp.device_id = dl.device_id
      ) d ON d.subject_kind = r.subject_kind AND (r.organization_id IS NULL OR d.organization_id = r.organization_id)
     WHERE d.n > (r.params->>'perHour')::float8 / 2`,
};
