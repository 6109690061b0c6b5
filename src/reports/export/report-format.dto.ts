import { IsIn, IsOptional } from 'class-validator';
import { REPORT_FORMATS, REPORT_LOCALES, ReportFormat, ReportLocale } from './report-file';

/** `format=json|csv|xlsx` on every report endpoint; report query DTOs extend this. */
export class ReportFormatQuery {
  @IsOptional()
  @IsIn(REPORT_FORMATS, { message: `format must be one of ${REPORT_FORMATS.join(', ')}` })
  format?: ReportFormat;

  /** For files: `nb` writes Norwegian headers, `;`-separated CSV with decimal comma and BOM, values rounded as displayed. */
  @IsOptional()
  @IsIn(REPORT_LOCALES, { message: `locale must be one of ${REPORT_LOCALES.join(', ')}` })
  locale?: ReportLocale;
}
