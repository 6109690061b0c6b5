import { IsIn, IsOptional } from 'class-validator';
import { REPORT_FORMATS, ReportFormat } from './report-file';

/** `format=json|csv|xlsx` on every report endpoint; report query DTOs extend this. */
export class ReportFormatQuery {
  @IsOptional()
  @IsIn(REPORT_FORMATS, { message: `format must be one of ${REPORT_FORMATS.join(', ')}` })
  format?: ReportFormat;
}
