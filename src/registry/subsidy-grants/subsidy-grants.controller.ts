import { Body, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { Principal } from '../../platform/access/role';
import { CurrentPrincipal, Roles } from '../../platform/access/roles.decorator';
import { CreateSubsidyGrantDto, ListSubsidyGrantsQuery, UpdateSubsidyGrantDto } from './subsidy-grant.dto';
import { SubsidyGrantsService } from './subsidy-grants.service';
import { ApiController } from '../../platform/http/api-controller';

@ApiController('registry', 'subsidy-grants')
export class SubsidyGrantsController {
  constructor(private readonly grants: SubsidyGrantsService) {}

  @Get()
  @Roles('admin', 'climate_office', 'cooperative')
  list(@Query() query: ListSubsidyGrantsQuery, @CurrentPrincipal() principal: Principal) {
    return this.grants.list(query, principal);
  }

  @Get(':id')
  @Roles('admin', 'climate_office', 'cooperative')
  get(@Param('id', ParseUUIDPipe) id: string, @CurrentPrincipal() principal: Principal) {
    return this.grants.findOne(id, principal);
  }

  @Post()
  @Roles('admin')
  create(@Body() input: CreateSubsidyGrantDto) {
    return this.grants.create(input);
  }

  @Patch(':id')
  @Roles('admin')
  update(@Param('id', ParseUUIDPipe) id: string, @Body() input: UpdateSubsidyGrantDto) {
    return this.grants.update(id, input);
  }

  @Delete(':id')
  @HttpCode(204)
  @Roles('admin')
  remove(@Param('id', ParseUUIDPipe) id: string) {
    return this.grants.remove(id);
  }
}
