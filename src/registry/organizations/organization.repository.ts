import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { RegistryRepository } from '../shared/registry.repository';
import { Organization } from './organization.entity';

@Injectable()
export class OrganizationRepository extends RegistryRepository<Organization> {
  constructor(@InjectDataSource() dataSource: DataSource) {
    super(
      dataSource,
      Organization,
      {
        organizations_org_number_key: 'orgNumber',
        vehicles_department_id_fkey: 'vehicles',
        charge_points_organization_id_fkey: 'charge points',
        subsidy_grants_organization_id_fkey: 'subsidy grants',
        api_keys_organization_id_fkey: 'API keys',
      },
      { name: 'ASC' },
    );
  }
}
