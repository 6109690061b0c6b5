import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { RegistryRepository } from '../shared/registry.repository';
import { Vehicle } from './vehicle.entity';

@Injectable()
export class VehicleRepository extends RegistryRepository<Vehicle> {
  constructor(@InjectDataSource() dataSource: DataSource) {
    super(
      dataSource,
      Vehicle,
      {
        vehicles_registration_key: 'registration',
        vehicles_vin_key: 'vin',
        vehicles_device_id_key: 'deviceId',
        vehicles_profile_identity_key: 'profileIdentity',
        vehicles_replaces_vehicle_id_fkey: 'vehicles that replaced it',
      },
      { registration: 'ASC' },
    );
  }
}
