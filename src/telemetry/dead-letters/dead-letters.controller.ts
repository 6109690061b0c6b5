import { Get, HttpCode, Post, Query } from '@nestjs/common';
import { IsISO8601, IsIn, IsOptional, Matches } from 'class-validator';
import { Roles } from '../../platform/access/roles.decorator';
import { PagedTimeRangeQuery } from '../../platform/http/page';
import { REJECTION_REASONS } from '../contract/rejection';
import { DeadLetterReplayService } from './dead-letter-replay.service';
import { DeadLetterRepository } from './dead-letter.repository';
import { ApiController } from '../../platform/http/api-controller';

/** Filters by reason and device; `from` / `to` apply to the time received. */
export class ListDeadLettersQuery extends PagedTimeRangeQuery {
  @IsOptional()
  @IsIn(REJECTION_REASONS)
  reason?: string;

  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/)
  deviceId?: string;
}

/** The list's filters, without paging: which dead letters to replay. */
export class ReplayDeadLettersQuery {
  @IsOptional()
  @IsIn(REJECTION_REASONS)
  reason?: string;

  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/)
  deviceId?: string;

  /** Received at or after (RFC 3339). */
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  /** Received before (RFC 3339). */
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

@ApiController('telemetry', 'dead-letters')
export class DeadLettersController {
  constructor(
    private readonly deadLetters: DeadLetterRepository,
    private readonly replayer: DeadLetterReplayService,
  ) {}

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

  /**
   * Decodes the selected dead letters again with today's registry and settings, at their original
   * receive time; stores what is now accepted and marks each with its outcome. The filters are
   * query parameters, as for the list, so that the audit trail keeps them.
   */
  @Post('replay')
  @HttpCode(200)
  @Roles('admin')
  replay(@Query() query: ReplayDeadLettersQuery) {
    return this.replayer.replay({ reason: query.reason, deviceId: query.deviceId, from: query.from, to: query.to });
  }
}
