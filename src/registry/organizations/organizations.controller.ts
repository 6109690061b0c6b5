import { Body, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { Principal } from '../../platform/access/role';
import { CurrentPrincipal, Roles } from '../../platform/access/roles.decorator';
import { CreateOrganizationDto, ListOrganizationsQuery, UpdateOrganizationDto } from './organization.dto';
import { OrganizationsService } from './organizations.service';
import { ApiController } from '../../platform/http/api-controller';

@ApiController('registry', 'organizations')
export class OrganizationsController {
  constructor(private readonly organizations: OrganizationsService) {}

  @Get()
  @Roles('admin', 'fleet_manager', 'climate_office', 'cooperative')
  list(@Query() query: ListOrganizationsQuery, @CurrentPrincipal() principal: Principal) {
    return this.organizations.list(query, principal);
  }

  @Get(':id')
  @Roles('admin', 'fleet_manager', 'climate_office', 'cooperative')
  get(@Param('id', ParseUUIDPipe) id: string, @CurrentPrincipal() principal: Principal) {
    return this.organizations.findOne(id, principal);
  }

  @Post()
  @Roles('admin')
  create(@Body() input: CreateOrganizationDto) {
    return this.organizations.create(input);
  }

  @Patch(':id')
  @Roles('admin')
  update(@Param('id', ParseUUIDPipe) id: string, @Body() input: UpdateOrganizationDto) {
    return this.organizations.update(id, input);
  }

  @Delete(':id')
  @HttpCode(204)
  @Roles('admin')
  remove(@Param('id', ParseUUIDPipe) id: string) {
    return this.organizations.remove(id);
  }
}
