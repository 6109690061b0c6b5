import { AlertKind, positive } from './alert-kind';

/**
 * A charge point connector `Faulted` or `Unavailable` (its last OCPP status) for longer than
 * `minutes`; one alert per connector. It clears with any other status.
 */
export const connectorFault: AlertKind = {
  name: 'connector_fault',
  subjectKinds: ['charge_point'],
  parseParams: (input) => ({ minutes: positive(input, 'minutes', 525_600) }),
  conditionSql: `
    SELECT r.id AS rule_id, cp.id::text AS subject_id, c.connector_id::text AS subject_part,
           cp.name || ' connector ' || c.connector_id AS subject_label,
           c.status_at <= $1::timestamptz - make_interval(secs => (r.params->>'minutes')::float8 * 60) AS raise,
           date_part('epoch', $1::timestamptz - c.status_at) / 60 AS value,
           c.status || coalesce(' (' || nullif(c.error_code, 'NoError') || ')', '') || ' since ' || to_char(c.status_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS message
      FROM rules r
      JOIN charge_points cp ON r.organization_id IS NULL OR cp.organization_id = r.organization_id
      JOIN charge_point_connector_state c ON c.charge_point_id = cp.id
     WHERE c.status IN ('Faulted', 'Unavailable')`,
};
