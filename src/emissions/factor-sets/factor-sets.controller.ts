import { Body, Get, Param, ParseIntPipe, Post } from '@nestjs/common';
import { Principal } from '../../platform/access/role';
import { CurrentPrincipal, Roles } from '../../platform/access/roles.decorator';
import { PublishFactorSetDto } from './factor-set.dto';
import { FactorSetsService } from './factor-sets.service';
import { ApiController } from '../../platform/http/api-controller';

@ApiController('emissions', 'emissions/factor-sets')
export class FactorSetsController {
  constructor(private readonly sets: FactorSetsService) {}

  /** Every published set, oldest first. */
  @Get()
  @Roles('admin', 'climate_office', 'fleet_manager')
  list() {
    return this.sets.list();
  }

  /** One set with all its factor records and class consumption figures. */
  @Get(':version')
  @Roles('admin', 'climate_office', 'fleet_manager')
  get(@Param('version', ParseIntPipe) version: number) {
    return this.sets.get(version);
  }

  /** Publishes a complete new set under the next version; existing sets are never changed. */
  @Post()
  @Roles('admin')
  publish(@Body() body: PublishFactorSetDto, @CurrentPrincipal() principal: Principal) {
    return this.sets.publish(body, `api key ${principal.keyId}`);
  }
}
