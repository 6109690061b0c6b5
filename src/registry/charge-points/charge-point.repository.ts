import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { RegistryRepository } from '../shared/registry.repository';
import { ChargePoint } from './charge-point.entity';

@Injectable()
export class ChargePointRepository extends RegistryRepository<ChargePoint> {
  constructor(@InjectDataSource() dataSource: DataSource) {
    super(dataSource, ChargePoint, { charge_points_device_id_key: 'deviceId', charge_points_profile_identity_key: 'profileIdentity' }, { name: 'ASC' });
  }
}
