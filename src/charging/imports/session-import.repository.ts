import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

export interface ImportedSessionRow {
  key: string;
  chargePointId: string;
  connectorId: number;
  startedAt: string;
  endedAt: string;
  energyKwh: number;
  /** HMAC of the user token, hex; never the token. */
  idTagHash: string | null;
}

export interface ImportTarget {
  id: string;
  deviceId: string;
  organizationId: string;
  connectors: number;
  maxKw: number;
}

@Injectable()
export class SessionImportRepository {
  /** Charge points by id or device id, limited to one organization when given. */
  targets(manager: EntityManager, references: string[], organizationId: string | null): Promise<ImportTarget[]> {
    return manager.query(
      `SELECT id, device_id AS "deviceId", organization_id AS "organizationId", connectors, max_kw::float8 AS "maxKw"
         FROM charge_points
        WHERE (device_id = ANY($1::text[]) OR id::text = ANY($1::text[])) AND ($2::uuid IS NULL OR organization_id = $2::uuid)`,
      [references, organizationId],
    );
  }

  /**
   * Upserts imported sessions on (charge point, connector, start): importing a file again changes
   * nothing. Returns the key and whether it was created or updated; unchanged rows are absent.
   */
  upsert(manager: EntityManager, rows: ImportedSessionRow[]): Promise<Array<{ key: string; created: boolean }>> {
    return manager.query(
      `WITH input AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb)
           AS r(key text, "chargePointId" uuid, "connectorId" int, "startedAt" timestamptz, "endedAt" timestamptz, "energyKwh" float8, "idTagHash" text)
       ),
       written AS (
         INSERT INTO charging_sessions (charge_point_id, connector_id, started_at, ended_at, source, energy_kwh, id_tag_hash, derived_at)
         SELECT "chargePointId", "connectorId", "startedAt", "endedAt", 'import', "energyKwh", decode("idTagHash", 'hex'), now() FROM input
         ON CONFLICT (charge_point_id, connector_id, started_at, source) DO UPDATE SET
           ended_at = EXCLUDED.ended_at, energy_kwh = EXCLUDED.energy_kwh, id_tag_hash = EXCLUDED.id_tag_hash, derived_at = EXCLUDED.derived_at
         WHERE (charging_sessions.ended_at, charging_sessions.energy_kwh, charging_sessions.id_tag_hash)
               IS DISTINCT FROM (EXCLUDED.ended_at, EXCLUDED.energy_kwh, EXCLUDED.id_tag_hash)
         RETURNING charge_point_id, connector_id, started_at, xmax = 0 AS created
       )
       SELECT i.key, w.created FROM written w
         JOIN input i ON i."chargePointId" = w.charge_point_id AND i."connectorId" = w.connector_id AND i."startedAt" = w.started_at`,
      [JSON.stringify(rows)],
    );
  }
}
