import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Principal } from '../../platform/access/role';
import { visibleRules } from '../access';
import { SubjectKind } from './kinds/alert-kind';

export interface AlertRuleRow {
  id: string;
  kind: string;
  subjectKind: SubjectKind;
  name: string;
  organizationId: string | null;
  params: Record<string, number | string>;
  resolveAfterSeconds: number;
  enabled: boolean;
  webhookUrl: string | null;
  emailTo: string[];
  createdAt: Date;
  updatedAt: Date;
}

export interface NewAlertRule extends Omit<AlertRuleRow, 'id' | 'createdAt' | 'updatedAt'> {
  webhookSecret: string | null;
  createdBy: string;
}

const COLUMNS = `r.id, r.kind, r.subject_kind AS "subjectKind", r.name, r.organization_id AS "organizationId", r.params,
  r.resolve_after_seconds AS "resolveAfterSeconds", r.enabled, r.webhook_url AS "webhookUrl", r.email_to AS "emailTo",
  r.created_at AS "createdAt", r.updated_at AS "updatedAt"`;

@Injectable()
export class AlertRuleRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(principal: Principal): Promise<AlertRuleRow[]> {
    const visible = visibleRules(principal, 1);
    return this.dataSource.query(`SELECT ${COLUMNS} FROM alert_rules r WHERE ${visible.sql} ORDER BY r.created_at, r.id`, visible.params);
  }

  async find(id: string, principal: Principal): Promise<AlertRuleRow | undefined> {
    const visible = visibleRules(principal, 2);
    const [row] = await this.dataSource.query(`SELECT ${COLUMNS} FROM alert_rules r WHERE r.id = $1 AND ${visible.sql}`, [id, ...visible.params]);
    return row;
  }

  async insert(rule: NewAlertRule): Promise<string> {
    const [row] = await this.dataSource.query(
      `INSERT INTO alert_rules (kind, subject_kind, name, organization_id, params, resolve_after_seconds, enabled, webhook_url, webhook_secret, email_to, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
      [rule.kind, rule.subjectKind, rule.name, rule.organizationId, rule.params, rule.resolveAfterSeconds, rule.enabled, rule.webhookUrl, rule.webhookSecret, rule.emailTo, rule.createdBy],
    );
    return row.id;
  }

  async update(id: string, changes: Partial<Pick<NewAlertRule, 'name' | 'params' | 'resolveAfterSeconds' | 'enabled' | 'webhookUrl' | 'webhookSecret' | 'emailTo'>>): Promise<void> {
    const columns: Record<string, string> = {
      name: 'name',
      params: 'params',
      resolveAfterSeconds: 'resolve_after_seconds',
      enabled: 'enabled',
      webhookUrl: 'webhook_url',
      webhookSecret: 'webhook_secret',
      emailTo: 'email_to',
    };
    const entries = Object.entries(changes).filter(([, value]) => value !== undefined);
    if (entries.length === 0) return;
    await this.dataSource.query(`UPDATE alert_rules SET ${entries.map(([key], i) => `${columns[key]} = $${i + 2}`).join(', ')}, updated_at = now() WHERE id = $1`, [
      id,
      ...entries.map(([, value]) => value),
    ]);
  }

  async remove(id: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM alert_rules WHERE id = $1`, [id]);
  }

  async hasSecret(id: string): Promise<boolean> {
    const [row] = await this.dataSource.query(`SELECT webhook_secret IS NOT NULL AS has FROM alert_rules WHERE id = $1`, [id]);
    return Boolean(row?.has);
  }

  /** Subject kind and organization of rules: what decides who is told about their alerts. */
  async scopes(ids: string[]): Promise<Array<{ id: string; subjectKind: SubjectKind; organizationId: string | null }>> {
    if (ids.length === 0) return [];
    return this.dataSource.query(`SELECT id, subject_kind AS "subjectKind", organization_id AS "organizationId" FROM alert_rules WHERE id = ANY($1::uuid[])`, [ids]);
  }
}
