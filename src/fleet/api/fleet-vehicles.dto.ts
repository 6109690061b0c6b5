import { Type } from 'class-transformer';
import { IsISO8601, IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { DATE_PATTERN } from '../../platform/validation/validators';
import { ListVehiclesQuery } from '../../registry/vehicles/vehicle.dto';
import { ReportFormatQuery } from '../../reports/export/report-format.dto';

/** The largest page of the fleet list: a municipal fleet is thousands of vehicles at most, and the board reads all of them in one request. */
export const FLEET_PAGE_MAX = 5000;

export class ListFleetVehiclesQuery extends ListVehiclesQuery {
  /** Vehicles per page, at most 5,000 (other lists: 1,000). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(FLEET_PAGE_MAX)
  override limit = 100;

  @IsOptional()
  @IsIn(['online', 'offline', 'unknown', 'retired'])
  status?: 'online' | 'offline' | 'unknown' | 'retired';
}

/** `format=csv|xlsx` for a file of the days (and the total's coverage). */
export class DailyQuery extends ReportFormatQuery {
  /** First day, inclusive (YYYY-MM-DD, reporting time zone). */
  @Matches(DATE_PATTERN, { message: 'from must be a date YYYY-MM-DD' })
  from: string;

  /** Day after the last, exclusive. */
  @Matches(DATE_PATTERN, { message: 'to must be a date YYYY-MM-DD' })
  to: string;
}

export class TripsQuery {
  /** Trips starting at or after (RFC 3339). */
  @IsISO8601({ strict: true })
  from: string;

  /** Trips starting before (RFC 3339). */
  @IsISO8601({ strict: true })
  to: string;
}
