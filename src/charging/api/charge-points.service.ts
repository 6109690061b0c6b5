import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../platform/config/app-config';
import { APP_CONFIG } from '../../platform/config/config.module';
import { Principal } from '../../platform/access/role';
import { TransactionRunner } from '../../platform/database/transaction-runner';
import { ListChargePointsQuery } from '../../registry/charge-points/charge-point.dto';
import { ChargePoint } from '../../registry/charge-points/charge-point.entity';
import { ChargePointsService } from '../../registry/charge-points/charge-points.service';
import { ChargePointLiveState, ChargePointStateRepository, OcppInfo } from './charge-point-state.repository';

/** Charge points with their live connector states, and their sessions; scoping is the registry's (a cooperative sees its own). */
@Injectable()
export class ChargePointsReadService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly registry: ChargePointsService,
    private readonly state: ChargePointStateRepository,
    private readonly transactions: TransactionRunner,
  ) {}

  async list(query: ListChargePointsQuery, principal: Principal) {
    const page = await this.registry.list(query, principal);
    const ids = page.items.map((point) => point.id);
    const [states, ocpp] = await this.transactions.run(async (manager) => [await this.state.find(manager, ids), await this.state.ocppInfo(manager, ids)] as const);
    return { ...page, items: page.items.map((point) => this.withState(point, states.get(point.id), ocpp.get(point.id))) };
  }

  async get(id: string, principal: Principal) {
    const point = await this.registry.findOne(id, principal);
    const [states, ocpp] = await this.transactions.run(async (manager) => [await this.state.find(manager, [id]), await this.state.ocppInfo(manager, [id])] as const);
    return this.withState(point, states.get(id), ocpp.get(id));
  }

  async sessions(id: string, from: Date, to: Date, principal: Principal) {
    await this.registry.findOne(id, principal);
    const items = await this.transactions.run((manager) => this.state.sessions(manager, id, from, to));
    return { chargePointId: id, from, to, items };
  }

  /**
   * Online as the report defines it: a `connection` of `online`, or a message within the
   * heartbeat. Status: `unknown` before the first message.
   */
  private withState(point: ChargePoint, state: ChargePointLiveState | undefined, ocppInfo: OcppInfo | undefined) {
    const ocpp = ocppInfo ?? null;
    if (!state) return { ...point, ocpp, status: 'unknown' as const, state: null };
    const recent = state.lastMessageAt !== null && Date.now() - state.lastMessageAt.getTime() <= this.config.charging.heartbeatMs;
    const online = state.connection === 'online' || recent;
    return { ...point, ocpp, status: online ? ('online' as const) : ('offline' as const), state };
  }
}
