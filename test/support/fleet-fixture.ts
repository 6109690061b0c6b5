import { anOrgNumber } from './builders';
import { Sql } from './sql';

/** Registers `count` vehicles with device ids `${prefix}-0..n-1` straight in the database; returns device id -> vehicle id. */
export async function registerVehicles(sql: Sql, count: number, prefix = 'veh-load'): Promise<Map<string, string>> {
  const [department] = await sql.rows<{ id: string }>(`INSERT INTO organizations (org_number, name, kind) VALUES ($1, 'Load test department', 'municipal_department') RETURNING id`, [anOrgNumber()]);
  const rows = await sql.rows<{ id: string; device_id: string }>(
    `INSERT INTO vehicles (registration, vehicle_class, energy_carrier, department_id, in_service_from, device_id)
     SELECT 'LT' || lpad(n::text, 6, '0'), 'passenger_car', 'electricity', $1, '2018-01-01', $2 || '-' || n
       FROM generate_series(0, $3 - 1) AS n
     RETURNING id, device_id`,
    [department.id, prefix, count],
  );
  return new Map(rows.map((row) => [row.device_id, row.id]));
}
