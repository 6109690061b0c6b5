import { Injectable, NotFoundException } from '@nestjs/common';
import { Principal } from '../../platform/access/role';
import { Clock } from '../../platform/time/clock';
import { AlertEvents } from '../channels/alert-events';
import { AlertRepository } from './alert.repository';
import { ListAlertsQuery } from './alerts.dto';

@Injectable()
export class AlertsService {
  constructor(
    private readonly alerts: AlertRepository,
    private readonly events: AlertEvents,
    private readonly clock: Clock,
  ) {}

  async list(query: ListAlertsQuery, principal: Principal) {
    return { items: await this.alerts.list(principal, query.state, query.ruleId, query.limit, query.offset), limit: query.limit, offset: query.offset };
  }

  summary(principal: Principal) {
    return this.alerts.summary(principal);
  }

  /** An alert with its notifications (what was sent where, attempts, given-up reasons). */
  async get(id: string, principal: Principal) {
    const alert = await this.find(id, principal);
    return { ...alert, notifications: await this.alerts.notifications(id) };
  }

  async acknowledge(id: string, comment: string | undefined, principal: Principal) {
    const alert = await this.find(id, principal);
    await this.alerts.acknowledge(id, principal.keyId, comment?.trim() || null, this.clock.now());
    await this.events.publish([{ ruleId: alert.ruleId, subjectKind: alert.subjectKind, organizationId: alert.organizationId, opened: 0, resolved: 0, acknowledged: 1 }]);
    return this.find(id, principal);
  }

  events$(principal: Principal) {
    return this.events.stream(principal);
  }

  /** Another scope's alert is 404, as if it did not exist. */
  private async find(id: string, principal: Principal) {
    if (!/^\d{1,18}$/.test(id)) throw new NotFoundException(`No alert ${id}`);
    const alert = await this.alerts.find(id, principal);
    if (!alert) throw new NotFoundException(`No alert ${id}`);
    return alert;
  }
}
