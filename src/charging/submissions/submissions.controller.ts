import { Body, Get, Inject, Param, ParseUUIDPipe, Post, Query, StreamableFile } from '@nestjs/common';
import { AppConfig } from '../../platform/config/app-config';
import { APP_CONFIG } from '../../platform/config/config.module';
import { ApiOkResponse } from '@nestjs/swagger';
import { Principal } from '../../platform/access/role';
import { CurrentPrincipal, Roles } from '../../platform/access/roles.decorator';
import { ReportFormatQuery } from '../../reports/export/report-format.dto';
import { reportFile } from '../../reports/export/report-file';
import { usageTable } from '../reports/charging-usage.service';
import { receiptPdf } from './receipt-pdf';
import { PeriodDto, ReceiptQuery } from './submission.dto';
import { SubmissionsService } from './submissions.service';
import { ApiController } from '../../platform/http/api-controller';

@ApiController('reports', 'reports/charging-usage/submissions')
export class SubmissionsController {
  constructor(
    private readonly submissions: SubmissionsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** A cooperative submits its report for [from, to): frozen with who and when; 409 if already submitted. */
  @Post()
  @Roles('cooperative')
  submit(@Body() period: PeriodDto, @CurrentPrincipal() principal: Principal) {
    return this.submissions.submit(period.from, period.to, principal);
  }

  /** Every housing cooperative with whether (who, when) it submitted for exactly [from, to); a cooperative sees its own line. */
  @Get()
  @Roles('admin', 'climate_office', 'cooperative')
  list(@Query() period: PeriodDto, @CurrentPrincipal() principal: Principal) {
    return this.submissions.list(period.from, period.to, principal);
  }

  /** The receipt of a submission as a PDF: its figures, period, grant reference, factor set, id and time. */
  @Get(':id/receipt')
  @ApiOkResponse({ description: 'The receipt', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } })
  @Roles('admin', 'climate_office', 'cooperative')
  async receipt(@Param('id', ParseUUIDPipe) id: string, @Query() query: ReceiptQuery, @CurrentPrincipal() principal: Principal) {
    const submission = await this.submissions.find(id, principal);
    const body = await receiptPdf(submission, this.config.reportTimeZone, query.locale);
    return new StreamableFile(body, { type: 'application/pdf', disposition: `attachment; filename="kvittering-${submission.from}-${submission.to}.pdf"`, length: body.length });
  }

  /** The frozen report of a submission; a file with format=csv|xlsx. */
  @Get(':id')
  @Roles('admin', 'climate_office', 'cooperative')
  async get(@Param('id', ParseUUIDPipe) id: string, @Query() query: ReportFormatQuery, @CurrentPrincipal() principal: Principal) {
    const submission = await this.submissions.find(id, principal);
    return query.format && query.format !== 'json' ? reportFile(usageTable(submission.report, 'charging-usage-submitted'), query.format, query.locale) : submission;
  }
}
