import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

export interface ConnectorState {
  connectorId: number;
  status: string | null;
  errorCode: string | null;
  statusAt: Date | null;
  energyWh: number | null;
  powerW: number | null;
  meterAt: Date | null;
  /** The session in progress on the connector, if any. */
  openSession: { startedAt: Date; source: string; transactionId: string | null; energyKwh: number | null } | null;
}

export interface ChargePointLiveState {
  lastMessageAt: Date | null;
  connection: 'online' | 'offline' | null;
  connectionAt: Date | null;
  connectors: ConnectorState[];
}

/** What an OCPP charge point's BootNotification said, and when it was last heard over OCPP (the `ocpp` role writes it). */
export interface OcppInfo {
  vendor: string | null;
  model: string | null;
  serial: string | null;
  firmware: string | null;
  bootedAt: Date | null;
  lastMessageAt: Date | null;
}

export interface SessionRow {
  connectorId: number;
  startedAt: Date;
  endedAt: Date;
  durationHours: number;
  source: 'transaction' | 'status' | 'import';
  transactionId: string | null;
  energyKwh: number | null;
  open: boolean;
  flags: { noStart: boolean; noStop: boolean; meterReset: boolean; duplicateEvents: number };
}

@Injectable()
export class ChargePointStateRepository {
  async find(manager: EntityManager, chargePointIds: string[]): Promise<Map<string, ChargePointLiveState>> {
    const states = new Map<string, ChargePointLiveState>();
    if (chargePointIds.length === 0) return states;
    const points: Array<{ id: string; lastMessageAt: Date | null; connection: 'online' | 'offline' | null; connectionAt: Date | null }> = await manager.query(
      `SELECT charge_point_id AS id, last_message_at AS "lastMessageAt", connection, connection_at AS "connectionAt"
         FROM charge_point_state WHERE charge_point_id = ANY($1)`,
      [chargePointIds],
    );
    for (const point of points) states.set(point.id, { lastMessageAt: point.lastMessageAt, connection: point.connection, connectionAt: point.connectionAt, connectors: [] });
    const connectors: Array<ConnectorState & { chargePointId: string; openStartedAt: Date | null; openSource: string | null; openTransactionId: string | null; openEnergyKwh: number | null }> =
      await manager.query(
        `SELECT c.charge_point_id AS "chargePointId", c.connector_id AS "connectorId", c.status, c.error_code AS "errorCode", c.status_at AS "statusAt",
                c.energy_wh AS "energyWh", c.power_w AS "powerW", c.meter_at AS "meterAt",
                o.started_at AS "openStartedAt", o.source AS "openSource", o.transaction_id AS "openTransactionId", o.energy_kwh AS "openEnergyKwh"
           FROM charge_point_connector_state c
           LEFT JOIN LATERAL (SELECT * FROM charging_sessions s WHERE s.charge_point_id = c.charge_point_id AND s.connector_id = c.connector_id AND s.open
                               ORDER BY s.started_at DESC LIMIT 1) AS o ON true
          WHERE c.charge_point_id = ANY($1) ORDER BY c.charge_point_id, c.connector_id`,
        [chargePointIds],
      );
    for (const { chargePointId, openStartedAt, openSource, openTransactionId, openEnergyKwh, ...connector } of connectors) {
      const openSession = openStartedAt ? { startedAt: openStartedAt, source: openSource!, transactionId: openTransactionId, energyKwh: openEnergyKwh } : null;
      states.get(chargePointId)?.connectors.push({ ...connector, openSession });
    }
    return states;
  }

  async ocppInfo(manager: EntityManager, chargePointIds: string[]): Promise<Map<string, OcppInfo>> {
    const rows: Array<OcppInfo & { id: string }> = await manager.query(
      `SELECT charge_point_id AS id, vendor, model, serial, firmware, booted_at AS "bootedAt", last_message_at AS "lastMessageAt"
         FROM charge_point_ocpp WHERE charge_point_id = ANY($1)`,
      [chargePointIds],
    );
    return new Map(rows.map(({ id, ...info }) => [id, info]));
  }

  /** Sessions starting in [from, to), oldest first; idTag hashes stay in the database. */
  sessions(manager: EntityManager, chargePointId: string, from: Date, to: Date): Promise<SessionRow[]> {
    return manager.query(
      `SELECT connector_id AS "connectorId", started_at AS "startedAt", ended_at AS "endedAt",
              extract(epoch FROM ended_at - started_at)::float8 / 3600 AS "durationHours",
              source, transaction_id AS "transactionId", energy_kwh AS "energyKwh", open,
              json_build_object('noStart', no_start, 'noStop', no_stop, 'meterReset', meter_reset, 'duplicateEvents', duplicate_events) AS flags
         FROM charging_sessions WHERE charge_point_id = $1 AND started_at >= $2 AND started_at < $3
        ORDER BY started_at, connector_id, source`,
      [chargePointId, from, to],
    );
  }
}
