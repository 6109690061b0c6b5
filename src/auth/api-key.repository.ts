import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull, Repository } from 'typeorm';
import { ApiKey } from './api-key.entity';

@Injectable()
export class ApiKeyRepository {
  private readonly keys: Repository<ApiKey>;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.keys = dataSource.getRepository(ApiKey);
  }

  async insert(key: Omit<ApiKey, 'id' | 'createdAt' | 'revokedAt' | 'lastUsedAt'>): Promise<ApiKey> {
    const saved = await this.keys.save(this.keys.create(key));
    return (await this.findById(saved.id))!;
  }

  findById(id: string): Promise<ApiKey | null> {
    return this.keys.findOneBy({ id });
  }

  list(): Promise<ApiKey[]> {
    return this.keys.find({ order: { createdAt: 'ASC' } });
  }

  /** The usable key with this hash: not revoked and not expired. */
  async findActiveByHash(keyHash: Buffer): Promise<ApiKey | null> {
    const rows: ApiKey[] = await this.dataSource.query(
      `SELECT id, role, organization_id AS "organizationId" FROM api_keys
        WHERE key_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
      [keyHash],
    );
    return rows[0] ?? null;
  }

  existsByHash(keyHash: Buffer): Promise<boolean> {
    return this.keys.exists({ where: { keyHash } });
  }

  /** Records use at most once a minute per key, so that authentication does not write on every request. */
  async touch(id: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE api_keys SET last_used_at = now()
        WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
      [id],
    );
  }

  async revoke(id: string): Promise<void> {
    await this.keys.update({ id, revokedAt: IsNull() }, { revokedAt: () => 'now()' });
  }
}
