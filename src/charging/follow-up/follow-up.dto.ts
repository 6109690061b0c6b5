import { Type } from 'class-transformer';
import { IsOptional, IsUUID } from 'class-validator';
import { ReportFormatQuery } from '../../reports/export/report-format.dto';
import { IsYear } from '../../platform/validation/validators';

export class FollowUpQuery {
  /** The cooperative; a cooperative key may name only its own (the default), others see all without it. */
  @IsOptional()
  @IsUUID()
  organizationId?: string;
}

export class SubsidyOverviewQuery extends ReportFormatQuery {
  /** The calendar year of the charging figures (reporting time zone). */
  @Type(() => Number)
  @IsYear()
  year: number;
}
