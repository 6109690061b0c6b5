import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { whereClause } from '../../platform/database/where-clause';

export interface AuditEntry {
  apiKeyId: string;
  role: string;
  organizationId: string | null;
  method: string;
  path: string;
  status: number;
  targetId: string | null;
  detail: Record<string, unknown>;
}

/** A line of the audit log as the API lists it. */
export interface AuditRecord extends AuditEntry {
  id: string;
  at: Date;
  /** Null once the key is deleted. */
  apiKeyName: string | null;
}

export interface AuditFilter {
  apiKeyId?: string;
  from?: string;
  to?: string;
  limit: number;
  offset: number;
}

@Injectable()
export class AuditLogRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(entry: AuditEntry): Promise<void> {
    await this.dataSource.query(`INSERT INTO audit_log (api_key_id, role, organization_id, method, path, status, target_id, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [
      entry.apiKeyId,
      entry.role,
      entry.organizationId,
      entry.method,
      entry.path,
      entry.status,
      entry.targetId,
      JSON.stringify(entry.detail),
    ]);
  }

  async list(filter: AuditFilter): Promise<{ items: AuditRecord[]; total: number }> {
    const { clause, params } = whereClause({ 'a.api_key_id = $?': filter.apiKeyId, 'a.at >= $?': filter.from, 'a.at < $?': filter.to });
    const [{ total }] = await this.dataSource.query(`SELECT count(*)::int AS total FROM audit_log a ${clause}`, params);
    const items = await this.dataSource.query(
      `SELECT a.id::text, a.at, a.api_key_id AS "apiKeyId", k.name AS "apiKeyName", a.role, a.organization_id AS "organizationId",
              a.method, a.path, a.status, a.target_id AS "targetId", a.detail
         FROM audit_log a LEFT JOIN api_keys k ON k.id = a.api_key_id
         ${clause}
        ORDER BY a.id DESC
        LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, filter.limit, filter.offset],
    );
    return { items, total };
  }
}
