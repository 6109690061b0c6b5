import { Body, Get, HttpCode, MessageEvent, Param, Post, Query, Sse } from '@nestjs/common';
import { Observable, map } from 'rxjs';
import { Principal } from '../../platform/access/role';
import { CurrentPrincipal, Roles } from '../../platform/access/roles.decorator';
import { AcknowledgeAlertDto, ListAlertsQuery } from './alerts.dto';
import { AlertsService } from './alerts.service';
import { ApiController } from '../../platform/http/api-controller';

/** Alerts of the rules the caller sees: open ones, history, the badge, acknowledgement and a live stream. */
@ApiController('alerts', 'alerts')
@Roles('admin', 'fleet_manager', 'cooperative', 'climate_office')
export class AlertsController {
  constructor(private readonly alerts: AlertsService) {}

  @Get()
  list(@Query() query: ListAlertsQuery, @CurrentPrincipal() principal: Principal) {
    return this.alerts.list(query, principal);
  }

  @Get('summary')
  summary(@CurrentPrincipal() principal: Principal) {
    return this.alerts.summary(principal);
  }

  /** Server-sent events: one `alerts` event per rule whose alerts opened, resolved or were acknowledged. */
  @Sse('stream')
  stream(@CurrentPrincipal() principal: Principal): Observable<MessageEvent> {
    return this.alerts.events$(principal).pipe(map((event) => ({ type: 'alerts', data: event })));
  }

  @Get(':id')
  get(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    return this.alerts.get(id, principal);
  }

  @Post(':id/acknowledge')
  @HttpCode(200)
  acknowledge(@Param('id') id: string, @Body() body: AcknowledgeAlertDto, @CurrentPrincipal() principal: Principal) {
    return this.alerts.acknowledge(id, body.comment, principal);
  }
}
