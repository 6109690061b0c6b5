import { Injectable, NotFoundException } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Principal } from '../../platform/access/role';
import { Page } from '../../platform/http/page';
import { CreateOrganizationDto, ListOrganizationsQuery, UpdateOrganizationDto } from './organization.dto';
import { Organization, OrganizationKind } from './organization.entity';
import { OrganizationRepository } from './organization.repository';
import { invalidField } from '../shared/errors';

@Injectable()
export class OrganizationsService {
  constructor(private readonly organizations: OrganizationRepository) {}

  /** A cooperative key sees only its own organization; anything else is "not found". */
  async findOne(id: string, principal?: Principal, manager?: EntityManager): Promise<Organization> {
    const organization = await this.organizations.findById(id, manager);
    if (!organization || !visibleTo(organization.id, principal)) throw new NotFoundException(`No organization ${id}`);
    return organization;
  }

  list(query: ListOrganizationsQuery, principal?: Principal): Promise<Page<Organization>> {
    const { limit, offset, ...filter } = query;
    const where = principal?.role === 'cooperative' ? { ...filter, id: principal.organizationId! } : filter;
    return this.organizations.list(where, limit, offset);
  }

  create(input: CreateOrganizationDto, manager?: EntityManager): Promise<Organization> {
    return this.organizations.insert(input, manager);
  }

  async update(id: string, input: UpdateOrganizationDto, manager?: EntityManager): Promise<Organization> {
    await this.findOne(id, undefined, manager);
    return this.organizations.update(id, input, manager);
  }

  async remove(id: string): Promise<void> {
    await this.findOne(id);
    await this.organizations.delete(id);
  }

  findByOrgNumber(orgNumber: string, manager?: EntityManager): Promise<Organization | null> {
    return this.organizations.findOneBy({ orgNumber }, manager);
  }

  /** The organization, checked to be of the kind a relation needs; 400 naming `field` otherwise. */
  async requireKind(id: string, kind: OrganizationKind, field: string, manager?: EntityManager): Promise<Organization> {
    const organization = await this.organizations.findById(id, manager);
    if (!organization) throw invalidField(field, `no organization ${id}`);
    if (organization.kind !== kind) throw invalidField(field, `must be a ${kind.replace('_', ' ')}`);
    return organization;
  }
}

export function visibleTo(organizationId: string, principal?: Principal): boolean {
  return !principal || principal.role !== 'cooperative' || principal.organizationId === organizationId;
}
