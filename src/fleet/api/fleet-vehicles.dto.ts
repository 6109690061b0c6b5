import { IsISO8601, IsIn, IsOptional, Matches } from 'class-validator';
import { DATE_PATTERN } from '../../platform/validation/validators';
import { ListVehiclesQuery } from '../../registry/vehicles/vehicle.dto';
import { ReportFormatQuery } from '../../reports/export/report-format.dto';

export class ListFleetVehiclesQuery extends ListVehiclesQuery {
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
