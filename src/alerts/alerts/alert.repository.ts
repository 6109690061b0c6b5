import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Principal } from '../../platform/access/role';
import { visibleRules } from '../access';

export type AlertState = 'open' | 'resolved' | 'all';

const COLUMNS = `a.id, a.rule_id AS "ruleId", r.name AS "ruleName", r.kind, r.subject_kind AS "subjectKind", r.organization_id AS "organizationId",
  a.subject_id AS "subjectId", a.subject_part AS "subjectPart", a.subject_label AS "subjectLabel",
  a.opened_at AS "openedAt", a.value, a.message, a.clear_since AS "clearSince", a.resolved_at AS "resolvedAt",
  a.acknowledged_at AS "acknowledgedAt", a.acknowledged_by AS "acknowledgedByKeyId", a.acknowledged_by_name AS "acknowledgedBy",
  a.acknowledge_comment AS "acknowledgeComment"`;

/** An alert as the API answers it (bigint ids come as text; times as RFC 3339). */
export interface Alert {
  id: string;
  ruleId: string;
  ruleName: string;
  kind: string;
  subjectKind: 'vehicle' | 'charge_point' | 'budget';
  organizationId: string | null;
  subjectId: string;
  subjectPart: string;
  subjectLabel: string;
  openedAt: Date;
  value: number | null;
  message: string;
  clearSince: Date | null;
  resolvedAt: Date | null;
  acknowledgedAt: Date | null;
  acknowledgedByKeyId: string | null;
  acknowledgedBy: string | null;
  acknowledgeComment: string | null;
}

/** A notification of an alert; a webhook's target is its origin only (the URL may hold a secret). */
export interface AlertNotification {
  id: string;
  event: 'opened' | 'resolved';
  channel: 'webhook' | 'email';
  target: string;
  status: 'pending' | 'retrying' | 'delivered' | 'given_up';
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  lastAttemptAt: Date | null;
  deliveredAt: Date | null;
  givenUpAt: Date | null;
}

const STATE_FILTER: Record<AlertState, string> = { open: 'a.resolved_at IS NULL', resolved: 'a.resolved_at IS NOT NULL', all: 'true' };

@Injectable()
export class AlertRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Newest first; open alerts, resolved ones (the history) or both. */
  async list(principal: Principal, state: AlertState, ruleId: string | undefined, limit: number, offset: number): Promise<Alert[]> {
    const visible = visibleRules(principal, 4);
    return this.dataSource.query(
      `SELECT ${COLUMNS} FROM alerts a JOIN alert_rules r ON r.id = a.rule_id
        WHERE ${STATE_FILTER[state]} AND ($3::uuid IS NULL OR a.rule_id = $3) AND ${visible.sql}
        ORDER BY a.opened_at DESC, a.id DESC LIMIT $1 OFFSET $2`,
      [limit, offset, ruleId ?? null, ...visible.params],
    );
  }

  /** The dashboard's badge: open alerts, and those of them nobody has acknowledged yet. */
  async summary(principal: Principal): Promise<{ open: number; unacknowledged: number }> {
    const visible = visibleRules(principal, 1);
    const [row] = await this.dataSource.query(
      `SELECT count(*)::int AS open, count(*) FILTER (WHERE a.acknowledged_at IS NULL)::int AS unacknowledged
         FROM alerts a JOIN alert_rules r ON r.id = a.rule_id WHERE a.resolved_at IS NULL AND ${visible.sql}`,
      visible.params,
    );
    return row;
  }

  async find(id: string, principal: Principal): Promise<Alert | undefined> {
    const visible = visibleRules(principal, 2);
    const [row] = await this.dataSource.query(`SELECT ${COLUMNS} FROM alerts a JOIN alert_rules r ON r.id = a.rule_id WHERE a.id = $1 AND ${visible.sql}`, [id, ...visible.params]);
    return row;
  }

  /** Notifications of an alert, without their targets' secrets: a webhook by its origin. */
  async notifications(alertId: string): Promise<AlertNotification[]> {
    const rows: AlertNotification[] = await this.dataSource.query(
      `SELECT id, event, channel, target, status, attempts, last_error AS "lastError", created_at AS "createdAt",
              last_attempt_at AS "lastAttemptAt", delivered_at AS "deliveredAt", given_up_at AS "givenUpAt"
         FROM alert_notifications WHERE alert_id = $1 ORDER BY id`,
      [alertId],
    );
    return rows.map((row) => ({ ...row, target: row.channel === 'webhook' ? new URL(row.target).origin : row.target }));
  }

  /** Acknowledges once: a second acknowledgement keeps the first (who, when, comment). */
  async acknowledge(id: string, keyId: string, comment: string | null, at: Date): Promise<void> {
    await this.dataSource.query(
      `UPDATE alerts SET acknowledged_at = $3, acknowledged_by = $2, acknowledge_comment = $4,
              acknowledged_by_name = (SELECT name FROM api_keys WHERE id = $2)
        WHERE id = $1 AND acknowledged_at IS NULL`,
      [id, keyId, at, comment],
    );
  }
}
