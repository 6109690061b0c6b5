import { Get, Query } from '@nestjs/common';
import { Principal } from '../../platform/access/role';
import { CurrentPrincipal, Roles } from '../../platform/access/roles.decorator';
import { PageQuery } from '../../platform/http/page';
import { ScheduledDeliveryRepository } from './scheduled-delivery.repository';
import { ApiController } from '../../platform/http/api-controller';

/** The record of scheduled deliveries: what was sent to whom for which period, or why not. */
@ApiController('alerts', 'deliveries')
export class DeliveriesController {
  constructor(private readonly deliveries: ScheduledDeliveryRepository) {}

  @Get()
  @Roles('admin', 'cooperative', 'climate_office')
  async history(@Query() query: PageQuery, @CurrentPrincipal() principal: Principal) {
    return { items: await this.deliveries.history(principal, query.limit, query.offset), limit: query.limit, offset: query.offset };
  }
}
