import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export interface PendingNotification {
  id: string;
  event: 'opened' | 'resolved';
  channel: 'webhook' | 'email';
  target: string;
  status: string;
  webhookSecret: string | null;
  alert: {
    id: string;
    ruleId: string;
    ruleName: string;
    kind: string;
    subjectKind: string;
    subjectId: string;
    subjectPart: string;
    subjectLabel: string;
    openedAt: Date;
    resolvedAt: Date | null;
    value: number | null;
    message: string;
  };
}

@Injectable()
export class NotificationRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async find(id: string): Promise<PendingNotification | undefined> {
    const [row] = await this.dataSource.query(
      `SELECT n.id, n.event, n.channel, n.target, n.status, r.webhook_secret AS "webhookSecret",
              json_build_object('id', a.id::text, 'ruleId', r.id, 'ruleName', r.name, 'kind', r.kind, 'subjectKind', r.subject_kind,
                'subjectId', a.subject_id, 'subjectPart', a.subject_part, 'subjectLabel', a.subject_label, 'openedAt', a.opened_at,
                'resolvedAt', a.resolved_at, 'value', a.value, 'message', a.message) AS alert
         FROM alert_notifications n JOIN alerts a ON a.id = n.alert_id JOIN alert_rules r ON r.id = a.rule_id
        WHERE n.id = $1`,
      [id],
    );
    return row;
  }

  async delivered(id: string): Promise<void> {
    await this.dataSource.query(`UPDATE alert_notifications SET status = 'delivered', attempts = attempts + 1, last_attempt_at = now(), delivered_at = now(), last_error = NULL WHERE id = $1`, [id]);
  }

  /** A failed attempt: `retrying`, or `given_up` with the reason kept when it was the last one. */
  async failed(id: string, reason: string, givenUp: boolean): Promise<void> {
    await this.dataSource.query(
      `UPDATE alert_notifications SET status = $3, attempts = attempts + 1, last_attempt_at = now(), last_error = $2,
              given_up_at = CASE WHEN $3 = 'given_up' THEN now() END
        WHERE id = $1`,
      [id, reason, givenUp ? 'given_up' : 'retrying'],
    );
  }
}
