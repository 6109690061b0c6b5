import { IsIn, IsOptional, Matches } from 'class-validator';
import { REPORT_LOCALES, ReportLocale } from '../../reports/export/report-file';
import { DATE_PATTERN } from '../../platform/validation/validators';

export class PeriodDto {
  /** First day, inclusive (YYYY-MM-DD, reporting time zone). */
  @Matches(DATE_PATTERN, { message: 'from must be a date YYYY-MM-DD' })
  from: string;

  /** Day after the last, exclusive. */
  @Matches(DATE_PATTERN, { message: 'to must be a date YYYY-MM-DD' })
  to: string;
}

export class ReceiptQuery {
  /** The receipt's language; bokmål when omitted. */
  @IsOptional()
  @IsIn(REPORT_LOCALES, { message: `locale must be one of ${REPORT_LOCALES.join(', ')}` })
  locale?: ReportLocale;
}
