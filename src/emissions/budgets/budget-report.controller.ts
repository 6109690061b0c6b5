import { Get, Query } from '@nestjs/common';
import { Roles } from '../../platform/access/roles.decorator';
import { reportFile } from '../../reports/export/report-file';
import { ClimateBudgetQuery } from './budget-report.dto';
import { BudgetReportService } from './budget-report.service';
import { ApiController } from '../../platform/http/api-controller';

@ApiController('reports', 'reports')
export class BudgetReportController {
  constructor(private readonly reports: BudgetReportService) {}

  /** A scope's budget per month with actuals, forecast, status, coverage, targets, and a plan's forecast beside today's. */
  @Get('climate-budget')
  @Roles('climate_office', 'fleet_manager', 'admin')
  async climateBudget(@Query() query: ClimateBudgetQuery) {
    const report = await this.reports.report(query);
    return query.format && query.format !== 'json' ? reportFile(this.reports.table(report), query.format) : report;
  }
}
