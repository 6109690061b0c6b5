import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export interface DeadLetterFilter {
  reason?: string;
  deviceId?: string;
  from?: string;
  to?: string;
  limit: number;
  offset: number;
}

export interface DeadLetterRecord {
  id: string;
  receivedAt: Date;
  topic: string;
  deviceId: string | null;
  reason: string;
  detail: string;
  sampleIndex: number | null;
  payload: Buffer;
  payloadBytes: number;
}

@Injectable()
export class DeadLetterRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(filter: DeadLetterFilter): Promise<{ items: DeadLetterRecord[]; total: number }> {
    const conditions: string[] = [];
    const params: unknown[] = [];
    const where = (sql: string, value: unknown) => {
      params.push(value);
      conditions.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.reason) where('reason = ?', filter.reason);
    if (filter.deviceId) where('device_id = ?', filter.deviceId);
    if (filter.from) where('received_at >= ?', filter.from);
    if (filter.to) where('received_at < ?', filter.to);
    const clause = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
    const [{ total }] = await this.dataSource.query(`SELECT count(*)::int AS total FROM dead_letters ${clause}`, params);
    const items = await this.dataSource.query(
      `SELECT id::text, received_at AS "receivedAt", topic, device_id AS "deviceId", reason, detail, sample_index AS "sampleIndex",
              payload, payload_bytes AS "payloadBytes"
         FROM dead_letters ${clause}
        ORDER BY received_at DESC, id DESC
        LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, filter.limit, filter.offset],
    );
    return { items, total };
  }
}
