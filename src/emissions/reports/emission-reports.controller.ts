import { Get, Query } from '@nestjs/common';
import { Roles } from '../../platform/access/roles.decorator';
import { reportFile } from '../../reports/export/report-file';
import { ChangeReportQuery, EmissionsReportQuery, FleetKpisQuery } from './emission-report.dto';
import { EmissionReportsService } from './emission-reports.service';
import { ApiController } from '../../platform/http/api-controller';

/** Climate reports (reports-v1). No positions: figures come from daily rollups and the registry only. */
@ApiController('reports', 'reports')
export class EmissionReportsController {
  constructor(private readonly reports: EmissionReportsService) {}

  /** Emissions per group for [from, to): distance, energy per carrier, actual, baseline, avoided, biogenic memo, data quality. */
  @Get('emissions')
  @Roles('climate_office', 'fleet_manager', 'admin')
  async emissions(@Query() query: EmissionsReportQuery) {
    const report = await this.reports.emissions(query);
    return query.format && query.format !== 'json' ? reportFile(this.reports.emissionsTable(report), query.format) : report;
  }

  /** Change of a group's emissions from baseYear to year, with its activity / technology / factor effects. */
  @Get('emissions/change')
  @Roles('climate_office', 'fleet_manager', 'admin')
  async change(@Query() query: ChangeReportQuery) {
    const report = await this.reports.change(query);
    return query.format && query.format !== 'json' ? reportFile(this.reports.changeTable(report), query.format) : report;
  }

  /** Vehicles by class and carrier at year end, zero-emission shares by count and distance, totals. */
  @Get('fleet-kpis')
  @Roles('climate_office', 'fleet_manager', 'admin')
  async fleetKpis(@Query() query: FleetKpisQuery) {
    const report = await this.reports.fleetKpis(query);
    return query.format && query.format !== 'json' ? reportFile(this.reports.kpisTable(report), query.format) : report;
  }
}
