import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export interface BootInfo {
  vendor: string;
  model: string;
  serial: string | null;
  firmware: string | null;
}

/** The OCPP endpoint's own rows: issued transaction ids, unmatched stops, boot information and last message times. */
@Injectable()
export class OcppRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The id of this start: a new one, or the one a re-sent StartTransaction got the first time. */
  async issueTransactionId(chargePointId: string, connectorId: number, startedAt: number, meterStart: number): Promise<number> {
    const [row] = await this.dataSource.query(
      `INSERT INTO ocpp_transactions (charge_point_id, connector_id, started_at, meter_start) VALUES ($1, $2, to_timestamp($3::float8 / 1000), $4)
       ON CONFLICT ON CONSTRAINT ocpp_transactions_start_key DO UPDATE SET issued_at = ocpp_transactions.issued_at
       RETURNING id`,
      [chargePointId, connectorId, startedAt, meterStart],
    );
    return row.id;
  }

  /** The connector of a transaction this service issued to this charge point; undefined for any other id. */
  async issuedConnector(chargePointId: string, transactionId: number): Promise<number | undefined> {
    const [row] = await this.dataSource.query(`SELECT connector_id AS "connectorId" FROM ocpp_transactions WHERE id = $1 AND charge_point_id = $2`, [transactionId, chargePointId]);
    return row?.connectorId;
  }

  /**
   * The transaction a stop with an unknown id most likely ends: the latest start at or before it
   * that has no stop yet, on any connector, within the 31 days a stop pairs with its start.
   */
  async openTransactionBefore(chargePointId: string, ts: number): Promise<{ connectorId: number; transactionId: string } | undefined> {
    const [row] = await this.dataSource.query(
      `SELECT s.connector_id AS "connectorId", s.transaction_id AS "transactionId"
         FROM charge_point_transactions s
        WHERE s.charge_point_id = $1 AND s.event = 'start' AND s.ts <= to_timestamp($2::float8 / 1000) AND s.ts > to_timestamp($2::float8 / 1000) - interval '31 days'
          AND NOT EXISTS (SELECT 1 FROM charge_point_transactions e WHERE e.charge_point_id = $1 AND e.event = 'stop' AND e.transaction_id = s.transaction_id)
        ORDER BY s.ts DESC LIMIT 1`,
      [chargePointId, ts],
    );
    return row;
  }

  async recordUnmatchedStop(chargePointId: string, transactionId: number, ts: number, connectorId: number, matched: string | null): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO ocpp_unmatched_stops (charge_point_id, transaction_id, ts, connector_id, matched_transaction_id)
       VALUES ($1, $2, to_timestamp($3::float8 / 1000), $4, $5) ON CONFLICT DO NOTHING`,
      [chargePointId, transactionId, ts, connectorId, matched],
    );
  }

  async saveBoot(chargePointId: string, boot: BootInfo, at: number): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO charge_point_ocpp (charge_point_id, vendor, model, serial, firmware, booted_at, last_message_at)
       VALUES ($1, $2, $3, $4, $5, to_timestamp($6::float8 / 1000), to_timestamp($6::float8 / 1000))
       ON CONFLICT (charge_point_id) DO UPDATE SET vendor = EXCLUDED.vendor, model = EXCLUDED.model, serial = EXCLUDED.serial, firmware = EXCLUDED.firmware,
         booted_at = EXCLUDED.booted_at, last_message_at = greatest(charge_point_ocpp.last_message_at, EXCLUDED.last_message_at)`,
      [chargePointId, boot.vendor, boot.model, boot.serial, boot.firmware, at],
    );
  }

  /** Last message times, many charge points in one statement; a charge point deleted meanwhile is skipped. */
  async touch(lastMessages: Map<string, number>): Promise<void> {
    if (lastMessages.size === 0) return;
    await this.dataSource.query(
      `INSERT INTO charge_point_ocpp (charge_point_id, last_message_at)
       SELECT u.id, to_timestamp(u.at / 1000) FROM unnest($1::uuid[], $2::float8[]) AS u(id, at) JOIN charge_points c ON c.id = u.id
       ON CONFLICT (charge_point_id) DO UPDATE SET last_message_at = greatest(charge_point_ocpp.last_message_at, EXCLUDED.last_message_at)`,
      [[...lastMessages.keys()], [...lastMessages.values()]],
    );
  }
}
