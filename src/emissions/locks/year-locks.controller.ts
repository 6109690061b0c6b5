import { Body, Get, Param, ParseIntPipe, Post } from '@nestjs/common';
import { Principal } from '../../platform/access/role';
import { CurrentPrincipal, Roles } from '../../platform/access/roles.decorator';
import { LockYearDto, RecomputeYearDto } from './year-locks.dto';
import { YearLocksService } from './year-locks.service';
import { ApiController } from '../../platform/http/api-controller';

@ApiController('emissions', 'emissions/locks')
export class YearLocksController {
  constructor(private readonly locks: YearLocksService) {}

  /** Every revision of every locked year, with the totals it published; superseded ones included. */
  @Get()
  @Roles('admin', 'climate_office')
  list() {
    return this.locks.list();
  }

  /** Locks a reported year: its figures stay as published. 409 when it is locked already. */
  @Post()
  @Roles('admin')
  lock(@Body() body: LockYearDto, @CurrentPrincipal() principal: Principal) {
    return this.locks.lock(body.year, body.factorSet, body.reason, `api key ${principal.keyId}`);
  }

  /** Recomputes a locked year from the current data as a new revision; the earlier one is kept. */
  @Post(':year/recompute')
  @Roles('admin')
  recompute(@Param('year', ParseIntPipe) year: number, @Body() body: RecomputeYearDto, @CurrentPrincipal() principal: Principal) {
    return this.locks.recompute(year, body.factorSet, body.reason, `api key ${principal.keyId}`);
  }
}
