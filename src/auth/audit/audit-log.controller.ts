import { Get, Query } from '@nestjs/common';
import { IsOptional, IsUUID } from 'class-validator';
import { Roles } from '../../platform/access/roles.decorator';
import { PagedTimeRangeQuery } from '../../platform/http/page';
import { AuditLogRepository } from './audit-log.repository';
import { ApiController } from '../../platform/http/api-controller';

export class ListAuditLogQuery extends PagedTimeRangeQuery {
  @IsOptional()
  @IsUUID()
  apiKeyId?: string;
}

@ApiController('auth', 'audit-log')
export class AuditLogController {
  constructor(private readonly audit: AuditLogRepository) {}

  /** Changing requests (who: key and role, what: method, path, status, target, when), newest first. */
  @Get()
  @Roles('admin')
  async list(@Query() query: ListAuditLogQuery) {
    const { items, total } = await this.audit.list(query);
    return { items, total, limit: query.limit, offset: query.offset };
  }
}
