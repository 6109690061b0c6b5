import { BadRequestException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { OrganizationsService } from '../registry/organizations/organizations.service';
import { ApiKey } from './api-key.entity';
import { ApiKeyRepository } from './api-key.repository';
import { CreateApiKeyDto } from './dto/create-api-key.dto';
import { Principal } from '../platform/access/role';

const KEY_PREFIX = 'kk_';

export interface CreatedApiKey {
  key: ApiKey;
  /** The secret itself: returned once at creation, never stored. */
  secret: string;
}

/**
 * API keys are 256 random bits; only their SHA-256 is stored. A slow password hash is not
 * needed for secrets of that entropy, and a plain hash lets a key be found by an index lookup.
 */
@Injectable()
export class ApiKeyService {
  private readonly logger = new Logger(ApiKeyService.name);

  constructor(
    private readonly keys: ApiKeyRepository,
    private readonly organizations: OrganizationsService,
  ) {}

  static hash(secret: string): Buffer {
    return createHash('sha256').update(secret, 'utf8').digest();
  }

  async create(input: CreateApiKeyDto): Promise<CreatedApiKey> {
    const organizationId = input.organizationId ?? null;
    if (input.role === 'cooperative') {
      if (!organizationId) throw invalid('organizationId', 'a cooperative key must name its organization');
      const organization = await this.organizations.findOne(organizationId).catch(() => null);
      if (!organization) throw invalid('organizationId', 'no such organization');
      if (organization.kind !== 'housing_cooperative') throw invalid('organizationId', 'must be a housing cooperative');
    } else if (organizationId) {
      throw invalid('organizationId', `only cooperative keys are bound to an organization`);
    }
    const secret = KEY_PREFIX + randomBytes(32).toString('base64url');
    const key = await this.keys.insert({
      name: input.name,
      role: input.role,
      organizationId,
      keyHash: ApiKeyService.hash(secret),
      keyPrefix: secret.slice(0, KEY_PREFIX.length + 6),
      expiresAt: input.expiresAt ? new Date(input.expiresAt) : null,
    });
    this.logger.log({ keyId: key.id, role: key.role }, 'API key created');
    return { key, secret };
  }

  list(): Promise<ApiKey[]> {
    return this.keys.list();
  }

  async revoke(id: string): Promise<ApiKey> {
    const key = await this.keys.findById(id);
    if (!key) throw new NotFoundException(`No API key ${id}`);
    await this.keys.revoke(id);
    this.logger.log({ keyId: id }, 'API key revoked');
    return (await this.keys.findById(id))!;
  }

  async authenticate(secret: string): Promise<Principal | null> {
    const key = await this.keys.findActiveByHash(ApiKeyService.hash(secret));
    if (!key) return null;
    await this.keys.touch(key.id);
    return { keyId: key.id, role: key.role, organizationId: key.organizationId };
  }

  /** Makes sure an admin key with this secret exists (ADMIN_API_KEY), for first start and automation. */
  async ensureBootstrapAdmin(secret: string): Promise<void> {
    const keyHash = ApiKeyService.hash(secret);
    if (await this.keys.existsByHash(keyHash)) return;
    try {
      await this.keys.insert({
        name: 'bootstrap admin (ADMIN_API_KEY)',
        role: 'admin',
        organizationId: null,
        keyHash,
        keyPrefix: secret.slice(0, 6),
        expiresAt: null,
      });
    } catch (error) {
      // Processes starting together with the same ADMIN_API_KEY: another one installed it first.
      if (await this.keys.existsByHash(keyHash)) return;
      throw error;
    }
    this.logger.log('Bootstrap admin key from ADMIN_API_KEY installed');
  }
}

function invalid(field: string, message: string) {
  return new BadRequestException({ statusCode: 400, message: 'Invalid input', errors: [{ field, message }] });
}
