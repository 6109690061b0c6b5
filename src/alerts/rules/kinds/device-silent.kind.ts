import { AlertKind, positive } from './alert-kind';

/**
 * No message from a device (vehicle or charge point, by the rule's subject kind) for `days`;
 * a device never heard from counts from its registration. Retired vehicles are left out. It
 * clears with the device's next message.
 */
export const deviceSilent: AlertKind = {
  name: 'device_silent',
  subjectKinds: ['vehicle', 'charge_point'],
  parseParams: (input) => ({ days: positive(input, 'days', 3650) }),
  conditionSql: `
    SELECT r.id AS rule_id, v.id::text AS subject_id, '' AS subject_part, v.registration AS subject_label,
           true AS raise,
           date_part('epoch', $1::timestamptz - coalesce(s.last_received_at, v.created_at)) / 86400 AS value,
           'no data since ' || to_char(coalesce(s.last_received_at, v.created_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS message
      FROM rules r
      JOIN vehicles v ON r.subject_kind = 'vehicle' AND (r.organization_id IS NULL OR v.department_id = r.organization_id)
      LEFT JOIN vehicle_state s ON s.vehicle_id = v.id
     WHERE v.device_id IS NOT NULL
       AND (s.status IS DISTINCT FROM 'retired')
       AND coalesce(s.last_received_at, v.created_at) <= $1::timestamptz - make_interval(secs => (r.params->>'days')::float8 * 86400)
    UNION ALL
    SELECT r.id, cp.id::text, '', cp.name,
           true,
           date_part('epoch', $1::timestamptz - coalesce(s.last_message_at, cp.created_at)) / 86400,
           'no data since ' || to_char(coalesce(s.last_message_at, cp.created_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
      FROM rules r
      JOIN charge_points cp ON r.subject_kind = 'charge_point' AND (r.organization_id IS NULL OR cp.organization_id = r.organization_id)
      LEFT JOIN charge_point_state s ON s.charge_point_id = cp.id
     WHERE coalesce(s.last_message_at, cp.created_at) <= $1::timestamptz - make_interval(secs => (r.params->>'days')::float8 * 86400)`,
};
