import { Injectable, NotFoundException } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Principal } from '../../platform/access/role';
import { OrganizationsService, visibleTo } from '../organizations/organizations.service';
import { invalidField } from '../shared/errors';
import { Page } from '../../platform/http/page';
import { CreateSubsidyGrantDto, ListSubsidyGrantsQuery, UpdateSubsidyGrantDto } from './subsidy-grant.dto';
import { SubsidyGrant } from './subsidy-grant.entity';
import { SubsidyGrantRepository } from './subsidy-grant.repository';

@Injectable()
export class SubsidyGrantsService {
  constructor(
    private readonly grants: SubsidyGrantRepository,
    private readonly organizations: OrganizationsService,
  ) {}

  async findOne(id: string, principal?: Principal, manager?: EntityManager): Promise<SubsidyGrant> {
    const grant = await this.grants.findById(id, manager);
    if (!grant || !visibleTo(grant.organizationId, principal)) throw new NotFoundException(`No subsidy grant ${id}`);
    return grant;
  }

  findByReference(reference: string, manager?: EntityManager): Promise<SubsidyGrant | null> {
    return this.grants.findOneBy({ reference }, manager);
  }

  list(query: ListSubsidyGrantsQuery, principal?: Principal): Promise<Page<SubsidyGrant>> {
    const { limit, offset, ...filter } = query;
    if (principal?.role === 'cooperative') {
      // Asking for another cooperative's grants is answered like asking for a missing one.
      if (filter.organizationId && filter.organizationId !== principal.organizationId) {
        throw new NotFoundException(`No organization ${filter.organizationId}`);
      }
      filter.organizationId = principal.organizationId!;
    }
    return this.grants.list(filter, limit, offset);
  }

  async create(input: CreateSubsidyGrantDto, manager?: EntityManager): Promise<SubsidyGrant> {
    await this.check(input, manager);
    return this.grants.insert(input, manager);
  }

  async update(id: string, input: UpdateSubsidyGrantDto, manager?: EntityManager): Promise<SubsidyGrant> {
    const current = await this.findOne(id, undefined, manager);
    await this.check({ ...current, ...input }, manager);
    return this.grants.update(id, input, manager);
  }

  async remove(id: string): Promise<void> {
    await this.findOne(id);
    await this.grants.delete(id);
  }

  private async check(grant: CreateSubsidyGrantDto, manager?: EntityManager) {
    if (grant.followUpEndsOn < grant.grantedOn) throw invalidField('followUpEndsOn', 'must not be before grantedOn');
    await this.organizations.requireKind(grant.organizationId, 'housing_cooperative', 'organizationId', manager);
  }
}
