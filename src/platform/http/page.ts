import { Type } from 'class-transformer';
import { IsISO8601, IsInt, IsOptional, Max, Min } from 'class-validator';

export class PageQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit = 100;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset = 0;
}

/** A page of a log read newest first, optionally within [from, to). */
export class PagedTimeRangeQuery extends PageQuery {
  /** At or after (RFC 3339). */
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  /** Before (RFC 3339). */
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}
