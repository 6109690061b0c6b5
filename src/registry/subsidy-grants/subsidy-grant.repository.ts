import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { RegistryRepository } from '../shared/registry.repository';
import { SubsidyGrant } from './subsidy-grant.entity';

@Injectable()
export class SubsidyGrantRepository extends RegistryRepository<SubsidyGrant> {
  constructor(@InjectDataSource() dataSource: DataSource) {
    super(dataSource, SubsidyGrant, { subsidy_grants_reference_key: 'reference', charge_points_subsidy_grant_id_fkey: 'charge points' }, { grantedOn: 'ASC', reference: 'ASC' });
  }
}
