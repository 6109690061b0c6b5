import { IsOptional, IsUUID, Matches } from 'class-validator';
import { ReportFormatQuery } from '../../reports/export/report-format.dto';
import { DATE_PATTERN } from '../../platform/validation/validators';

export class ChargingUsageQuery extends ReportFormatQuery {
  /** The cooperative; a cooperative key may name only its own (the default), others see all without it. */
  @IsOptional()
  @IsUUID()
  organizationId?: string;

  /** First day, inclusive (YYYY-MM-DD, reporting time zone). */
  @Matches(DATE_PATTERN, { message: 'from must be a date YYYY-MM-DD' })
  from: string;

  /** Day after the last, exclusive. */
  @Matches(DATE_PATTERN, { message: 'to must be a date YYYY-MM-DD' })
  to: string;
}
