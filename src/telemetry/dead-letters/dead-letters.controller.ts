import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { Roles } from '../../platform/access/roles.decorator';
import { PagedTimeRangeQuery } from '../../registry/shared/page';
import { REJECTION_REASONS } from '../contract/rejection';
import { DeadLetterRepository } from './dead-letter.repository';

/** Filters by reason and device; `from` / `to` apply to the time received. */
export class ListDeadLettersQuery extends PagedTimeRangeQuery {
  @IsOptional()
  @IsIn(REJECTION_REASONS)
  reason?: string;

  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/)
  deviceId?: string;
}

@ApiTags('telemetry')
@ApiBearerAuth()
@Controller('api/v1/dead-letters')
export class DeadLettersController {
  constructor(private readonly deadLetters: DeadLetterRepository) {}

  /** Messages and samples the ingest could not accept, newest first, with reason and (truncated) payload. */
  @Get()
  @Roles('admin')
  async list(@Query() query: ListDeadLettersQuery) {
    const { items, total } = await this.deadLetters.list(query);
    return {
      items: items.map(({ payload, ...record }) => ({
        ...record,
        payload: payload.toString('utf8'),
        payloadTruncated: payload.length < record.payloadBytes,
      })),
      total,
      limit: query.limit,
      offset: query.offset,
    };
  }
}
