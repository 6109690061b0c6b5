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

  async setOcppPasswordHash(id: string, hash: string): Promise<void> {
    await this.dataSource.query(`UPDATE charge_points SET ocpp_password_hash = $2, updated_at = now() WHERE id = $1`, [id, hash]);
  }

  async ocppCredentials(deviceId: string): Promise<{ id: string; passwordHash: string | null } | null> {
    const [row] = await this.dataSource.query(`SELECT id, ocpp_password_hash AS "passwordHash" FROM charge_points WHERE device_id = $1`, [deviceId]);
    return row ?? null;
  }
}
