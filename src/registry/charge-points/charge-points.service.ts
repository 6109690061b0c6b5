import { Injectable, NotFoundException } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Principal } from '../../platform/access/role';
import { profileProblem } from '../devices/device-profiles';
import { OrganizationsService, visibleTo } from '../organizations/organizations.service';
import { invalidField } from '../shared/errors';
import { Page } from '../../platform/http/page';
import { SubsidyGrantsService } from '../subsidy-grants/subsidy-grants.service';
import { CreateChargePointDto, ListChargePointsQuery, UpdateChargePointDto } from './charge-point.dto';
import { ChargePoint } from './charge-point.entity';
import { ChargePointRepository } from './charge-point.repository';
import { generateOcppPassword, hashOcppPassword } from './ocpp-password';

@Injectable()
export class ChargePointsService {
  constructor(
    private readonly chargePoints: ChargePointRepository,
    private readonly organizations: OrganizationsService,
    private readonly grants: SubsidyGrantsService,
  ) {}

  async findOne(id: string, principal?: Principal, manager?: EntityManager): Promise<ChargePoint> {
    const chargePoint = await this.chargePoints.findById(id, manager);
    if (!chargePoint || !visibleTo(chargePoint.organizationId, principal)) throw new NotFoundException(`No charge point ${id}`);
    return chargePoint;
  }

  findByDeviceId(deviceId: string, manager?: EntityManager): Promise<ChargePoint | null> {
    return this.chargePoints.findOneBy({ deviceId }, manager);
  }

  list(query: ListChargePointsQuery, principal?: Principal): Promise<Page<ChargePoint>> {
    const { limit, offset, ...filter } = query;
    if (principal?.role === 'cooperative') {
      if (filter.organizationId && filter.organizationId !== principal.organizationId) {
        throw new NotFoundException(`No organization ${filter.organizationId}`);
      }
      filter.organizationId = principal.organizationId!;
    }
    return this.chargePoints.list(filter, limit, offset);
  }

  async create(input: CreateChargePointDto, manager?: EntityManager): Promise<ChargePoint> {
    await this.check(input, manager);
    return this.chargePoints.insert(input, manager);
  }

  async update(id: string, input: UpdateChargePointDto, manager?: EntityManager): Promise<ChargePoint> {
    const current = await this.findOne(id, undefined, manager);
    await this.check({ ...current, ...input }, manager);
    return this.chargePoints.update(id, input, manager);
  }

  async remove(id: string): Promise<void> {
    await this.findOne(id);
    await this.chargePoints.delete(id);
  }

  async setOcppPassword(id: string, chosen: string | undefined): Promise<{ password: string }> {
    await this.findOne(id);
    const password = chosen ?? generateOcppPassword();
    await this.chargePoints.setOcppPasswordHash(id, await hashOcppPassword(password));
    return { password };
  }

  /** The OCPP password hash of the charge point with this device id, for the `ocpp` role's handshake. */
  ocppCredentials(deviceId: string): Promise<{ id: string; passwordHash: string | null } | null> {
    return this.chargePoints.ocppCredentials(deviceId);
  }

  private async check(chargePoint: CreateChargePointDto, manager?: EntityManager) {
    const profile = profileProblem(chargePoint, 'charge_point');
    if (profile) throw invalidField(profile.field, profile.message);
    // An evcc loadpoint is one charging connection: its samples are connector 1's.
    if (chargePoint.profile === 'evcc' && chargePoint.connectors !== 1) throw invalidField('connectors', 'an evcc loadpoint is a charge point with one connector');
    await this.organizations.requireKind(chargePoint.organizationId, 'housing_cooperative', 'organizationId', manager);
    if (chargePoint.subsidyGrantId) {
      const grant = await this.grants.findOne(chargePoint.subsidyGrantId, undefined, manager).catch(() => null);
      if (!grant) throw invalidField('subsidyGrantId', `no subsidy grant ${chargePoint.subsidyGrantId}`);
      if (grant.organizationId !== chargePoint.organizationId) {
        throw invalidField('subsidyGrantId', 'the grant belongs to another organization');
      }
    }
  }
}
