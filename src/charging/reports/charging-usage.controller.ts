import { Get, Query } from '@nestjs/common';
import { Principal } from '../../platform/access/role';
import { CurrentPrincipal, Roles } from '../../platform/access/roles.decorator';
import { reportFile } from '../../reports/export/report-file';
import { ChargingUsageQuery } from './charging-usage.dto';
import { ChargingUsageService, usageTable } from './charging-usage.service';
import { ApiController } from '../../platform/http/api-controller';

@ApiController('reports', 'reports/charging-usage')
export class ChargingUsageController {
  constructor(private readonly usage: ChargingUsageService) {}

  /** Per charge point and total, for the local days [from, to); JSON, or a file with format=csv|xlsx. */
  @Get()
  @Roles('admin', 'climate_office', 'cooperative')
  async report(@Query() query: ChargingUsageQuery, @CurrentPrincipal() principal: Principal) {
    const organizationId = await this.usage.scope(query.organizationId, principal);
    const report = await this.usage.report(organizationId, query.from, query.to);
    return query.format && query.format !== 'json' ? reportFile(usageTable(report), query.format, query.locale) : report;
  }
}
