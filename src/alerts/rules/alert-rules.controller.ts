import { Body, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { Principal } from '../../platform/access/role';
import { CurrentPrincipal, Roles } from '../../platform/access/roles.decorator';
import { CreateAlertRuleDto, UpdateAlertRuleDto } from './alert-rule.dto';
import { AlertRulesService } from './alert-rules.service';
import { ApiController } from '../../platform/http/api-controller';

/** Alert rules, each role in its own scope (see access.ts): the service refuses subjects a role may not watch. */
@ApiController('alerts', 'alert-rules')
@Roles('admin', 'fleet_manager', 'cooperative', 'climate_office')
export class AlertRulesController {
  constructor(private readonly rules: AlertRulesService) {}

  @Get()
  list(@CurrentPrincipal() principal: Principal) {
    return this.rules.list(principal);
  }

  @Post()
  create(@Body() body: CreateAlertRuleDto, @CurrentPrincipal() principal: Principal) {
    return this.rules.create(body, principal);
  }

  @Get(':id')
  get(@Param('id', ParseUUIDPipe) id: string, @CurrentPrincipal() principal: Principal) {
    return this.rules.get(id, principal);
  }

  @Patch(':id')
  update(@Param('id', ParseUUIDPipe) id: string, @Body() body: UpdateAlertRuleDto, @CurrentPrincipal() principal: Principal) {
    return this.rules.update(id, body, principal);
  }

  @Delete(':id')
  @HttpCode(204)
  remove(@Param('id', ParseUUIDPipe) id: string, @CurrentPrincipal() principal: Principal) {
    return this.rules.remove(id, principal);
  }
}
