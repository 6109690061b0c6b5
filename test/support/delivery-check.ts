import { Sql } from './sql';

export interface DeliveryCheck {
  stored: number;
  missing: number;
  unexpected: number;
  duplicates: number;
}

/** Key of a vehicle sample as the tests record it: vehicle id and ts in ISO form. */
export const sampleKey = (vehicleId: string, ts: number) => `${vehicleId}|${new Date(ts).toISOString()}`;

/**
 * Waits until the samples stored from `since` on are at least as many as were acknowledged (or
 * `timeoutMs` passed), then compares them with the acknowledged ones as sets.
 */
export async function compareWithAcknowledged(sql: Sql, since: number, acknowledged: Set<string>, timeoutMs: number): Promise<DeliveryCheck> {
  const from = new Date(since).toISOString();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await sql.count(`SELECT 1 FROM vehicle_samples WHERE ts >= $1`, [from])) >= acknowledged.size) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const rows = await sql.rows<{ key: string }>(`SELECT vehicle_id || '|' || to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS key FROM vehicle_samples WHERE ts >= $1`, [from]);
  const keys = rows.map((row) => row.key);
  const storedSet = new Set(keys);
  return {
    stored: keys.length,
    missing: [...acknowledged].filter((key) => !storedSet.has(key)).length,
    unexpected: keys.filter((key) => !acknowledged.has(key)).length,
    duplicates: keys.length - storedSet.size,
  };
}
