import { Body, Get, Param, ParseIntPipe, Post } from '@nestjs/common';
import { Principal } from '../../platform/access/role';
import { CurrentPrincipal, Roles } from '../../platform/access/roles.decorator';
import { PublishBudgetSetDto } from './budget-set.dto';
import { BudgetSetsService } from './budget-sets.service';
import { ApiController } from '../../platform/http/api-controller';

@ApiController('emissions', 'emissions/budget-sets')
export class BudgetSetsController {
  constructor(private readonly sets: BudgetSetsService) {}

  /** Every published budget set, oldest first. */
  @Get()
  @Roles('admin', 'climate_office', 'fleet_manager')
  list() {
    return this.sets.list();
  }

  /** One set with its budgets and targets. */
  @Get(':version')
  @Roles('admin', 'climate_office', 'fleet_manager')
  get(@Param('version', ParseIntPipe) version: number) {
    return this.sets.get(version);
  }

  /** Publishes a complete new set of budgets and targets under the next version; existing sets are never changed. */
  @Post()
  @Roles('admin', 'climate_office')
  publish(@Body() body: PublishBudgetSetDto, @CurrentPrincipal() principal: Principal) {
    return this.sets.publish(body, `api key ${principal.keyId}`);
  }
}
