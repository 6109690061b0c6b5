import { AlertKind, positive } from './alert-kind';

/**
 * A vehicle offline (as the fleet's offline detection marks it) for longer than `minutes`. It
 * clears when the vehicle is online again or retired.
 */
export const vehicleOffline: AlertKind = {
  name: 'vehicle_offline',
  subjectKinds: ['vehicle'],
  parseParams: (input) => ({ minutes: positive(input, 'minutes', 525_600) }),
  conditionSql: `
    SELECT r.id AS rule_id, v.id::text AS subject_id, '' AS subject_part, v.registration AS subject_label,
           s.status_since <= $1::timestamptz - make_interval(secs => (r.params->>'minutes')::float8 * 60) AS raise,
           date_part('epoch', $1::timestamptz - s.status_since) / 60 AS value,
           'offline since ' || to_char(s.status_since AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS message
      FROM rules r
      JOIN vehicle_state s ON s.status = 'offline'
      JOIN vehicles v ON v.id = s.vehicle_id
     WHERE r.organization_id IS NULL OR v.department_id = r.organization_id`,
};
