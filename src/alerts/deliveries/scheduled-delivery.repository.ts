import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Principal } from '../../platform/access/role';

export const DELIVERY_KINDS = ['cooperative_charging_usage', 'climate_fleet_kpis'] as const;
export type DeliveryKind = (typeof DELIVERY_KINDS)[number];

export interface DueDelivery {
  kind: DeliveryKind;
  subject: string;
  period: string;
  organizationId: string | null;
  recipient: string;
  dueAt: Date;
}

/** A scheduled delivery as the history lists it. */
export interface DeliveryRecord extends DueDelivery {
  id: string;
  status: 'pending' | 'failed' | 'delivered';
  attempts: number;
  attachment: string | null;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
}

export interface ClaimedDelivery extends DueDelivery {
  id: string;
  attempts: number;
}

@Injectable()
export class ScheduledDeliveryRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Records deliveries that are due; one row per kind, subject and period, however many workers add it. */
  async addDue(deliveries: DueDelivery[]): Promise<void> {
    if (deliveries.length === 0) return;
    await this.dataSource.query(
      `INSERT INTO scheduled_deliveries (kind, subject, period, organization_id, recipient, due_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::uuid[], $5::text[], $6::timestamptz[])
       ON CONFLICT (kind, subject, period) DO NOTHING`,
      [
        deliveries.map((d) => d.kind),
        deliveries.map((d) => d.subject),
        deliveries.map((d) => d.period),
        deliveries.map((d) => d.organizationId),
        deliveries.map((d) => d.recipient),
        deliveries.map((d) => d.dueAt),
      ],
    );
  }

  /**
   * Claims the next undelivered delivery after `afterId` that is due and not too old to catch up,
   * locked for the caller's transaction (another worker skips it): the row lock is held while the
   * mail is sent, so a period is sent once; a worker dying mid-send rolls the claim back and the
   * delivery is sent by the next one.
   */
  async claimNext(manager: EntityManager, now: Date, catchUpFrom: Date, maxAttempts: number, afterId: string): Promise<ClaimedDelivery | undefined> {
    const [row] = await manager.query(
      `SELECT id, kind, subject, period, organization_id AS "organizationId", recipient, due_at AS "dueAt", attempts
         FROM scheduled_deliveries
        WHERE status <> 'delivered' AND attempts < $3 AND due_at <= $1 AND due_at > $2 AND id > $4
        ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED`,
      [now, catchUpFrom, maxAttempts, afterId],
    );
    return row ? { ...row, id: String(row.id) } : undefined;
  }

  async delivered(manager: EntityManager, id: string, attachment: string, messageId: string, by: string, at: Date): Promise<void> {
    await manager.query(
      `UPDATE scheduled_deliveries SET status = 'delivered', attempts = attempts + 1, attachment = $2, message_id = $3, delivered_by = $4, delivered_at = $5, last_error = NULL WHERE id = $1`,
      [id, attachment, messageId, by, at],
    );
  }

  async failed(manager: EntityManager, id: string, reason: string): Promise<void> {
    await manager.query(`UPDATE scheduled_deliveries SET status = 'failed', attempts = attempts + 1, last_error = $2 WHERE id = $1`, [id, reason]);
  }

  /** The delivery history a principal may see, newest first: admin all, a cooperative its own, the climate office its summaries. */
  async history(principal: Principal, limit: number, offset: number): Promise<DeliveryRecord[]> {
    const scope =
      principal.role === 'admin'
        ? { sql: 'true', params: [] as unknown[] }
        : principal.role === 'cooperative'
          ? { sql: 'organization_id = $3', params: [principal.organizationId] }
          : { sql: `kind = 'climate_fleet_kpis'`, params: [] };
    return this.dataSource.query(
      `SELECT id::text, kind, subject, period, organization_id AS "organizationId", recipient, due_at AS "dueAt", status, attempts,
              attachment, last_error AS "lastError", created_at AS "createdAt", delivered_at AS "deliveredAt"
         FROM scheduled_deliveries WHERE ${scope.sql} ORDER BY due_at DESC, id DESC LIMIT $1 OFFSET $2`,
      [limit, offset, ...scope.params],
    );
  }
}
