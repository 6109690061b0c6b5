import { Get, Query } from '@nestjs/common';
import { Principal } from '../../platform/access/role';
import { CurrentPrincipal, Roles } from '../../platform/access/roles.decorator';
import { reportFile } from '../../reports/export/report-file';
import { ChargingUsageService } from '../reports/charging-usage.service';
import { FollowUpQuery, SubsidyOverviewQuery } from './follow-up.dto';
import { FollowUpService } from './follow-up.service';
import { overviewTable } from './overview-table';
import { subsidyOverview } from './subsidy-overview';
import { ApiController } from '../../platform/http/api-controller';

@ApiController('reports', 'subsidy-follow-up')
export class FollowUpController {
  constructor(
    private readonly followUp: FollowUpService,
    private readonly usage: ChargingUsageService,
  ) {}

  /** Each subsidy grant with its follow-up periods, deadlines and submission status; a cooperative sees its own. */
  @Get()
  @Roles('admin', 'climate_office', 'cooperative')
  async list(@Query() query: FollowUpQuery, @CurrentPrincipal() principal: Principal) {
    return this.followUp.followUp(await this.usage.scope(query.organizationId, principal));
  }

  /** Every cooperative with grants: the year's charging figures, flags and follow-up status; JSON, or a file with format=csv|xlsx. */
  @Get('overview')
  @Roles('admin', 'climate_office')
  async overview(@Query() query: SubsidyOverviewQuery) {
    const [followUp, usage] = await Promise.all([this.followUp.followUp(null), this.usage.report(null, `${query.year}-01-01`, `${query.year + 1}-01-01`)]);
    const overview = subsidyOverview(query.year, followUp, usage);
    return query.format && query.format !== 'json' ? reportFile(overviewTable(overview), query.format, query.locale) : overview;
  }
}
