import { Body, Get, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { Principal } from '../../platform/access/role';
import { CurrentPrincipal, Roles } from '../../platform/access/roles.decorator';
import { reportFile } from '../../reports/export/report-file';
import { CreateCandidateDto, CreateDepotDto, CreatePlanDto, ElectrificationPlanQuery } from './plan.dto';
import { PlanInputsService } from './plan-inputs.service';
import { ElectrificationPlanService } from './electrification-plan.service';
import { ApiController } from '../../platform/http/api-controller';

/** The electrification plan's inputs: depots (point, radius, charger power), candidate EVs, replacement plans. */
@ApiController('emissions', 'electrification')
export class ElectrificationController {
  constructor(private readonly inputs: PlanInputsService) {}

  @Get('depots')
  @Roles('admin', 'climate_office', 'fleet_manager')
  depots() {
    return this.inputs.depots();
  }

  @Post('depots')
  @Roles('admin', 'fleet_manager')
  createDepot(@Body() body: CreateDepotDto) {
    return this.inputs.createDepot(body);
  }

  /** Candidate EVs per vehicle class; the seeded entries are generic examples, not market data. */
  @Get('candidates')
  @Roles('admin', 'climate_office', 'fleet_manager')
  candidates() {
    return this.inputs.candidates();
  }

  @Post('candidates')
  @Roles('admin', 'climate_office')
  createCandidate(@Body() body: CreateCandidateDto) {
    return this.inputs.createCandidate(body);
  }

  @Get('plans')
  @Roles('admin', 'climate_office', 'fleet_manager')
  plans() {
    return this.inputs.plans();
  }

  @Get('plans/:id')
  @Roles('admin', 'climate_office', 'fleet_manager')
  plan(@Param('id', ParseUUIDPipe) id: string) {
    return this.inputs.plan(id);
  }

  /** A plan (replace these vehicles in these months); the climate budget report gives its forecast with `plan=<id>`. */
  @Post('plans')
  @Roles('admin', 'climate_office')
  createPlan(@Body() body: CreatePlanDto, @CurrentPrincipal() principal: Principal) {
    return this.inputs.createPlan(body, `api key ${principal.keyId}`);
  }
}

@ApiController('reports', 'reports')
export class ElectrificationPlanController {
  constructor(private readonly plans: ElectrificationPlanService) {}

  /** Every fossil vehicle in service: its driving, depot stop, candidate, avoided kg, costs and verdict, ranked. The ranking uses `boundary`; both boundaries are reported. */
  @Get('electrification-plan')
  @Roles('climate_office', 'fleet_manager', 'admin')
  async plan(@Query() query: ElectrificationPlanQuery) {
    const report = await this.plans.report(query);
    return query.format && query.format !== 'json' ? reportFile(this.plans.table(report), query.format) : report;
  }
}
