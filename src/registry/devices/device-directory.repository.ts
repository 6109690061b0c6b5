import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../platform/config/app-config';
import { APP_CONFIG } from '../../platform/config/config.module';

export interface DeviceEntry {
  deviceId: string;
  kind: 'vehicle' | 'charge_point';
  /** The vehicle's or charge point's id. */
  id: string;
}

@Injectable()
export class DeviceDirectoryRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  listDevices(): Promise<DeviceEntry[]> {
    return this.dataSource.query(`
      SELECT device_id AS "deviceId", 'vehicle' AS kind, id FROM vehicles WHERE device_id IS NOT NULL
      UNION ALL
      SELECT device_id, 'charge_point', id FROM charge_points`);
  }

  /** The registered devices among these device ids (a vehicle and a charge point may share one). */
  findDevices(deviceIds: string[]): Promise<DeviceEntry[]> {
    return this.dataSource.query(
      `SELECT device_id AS "deviceId", 'vehicle' AS kind, id FROM vehicles WHERE device_id = ANY($1::text[])
       UNION ALL
       SELECT device_id, 'charge_point', id FROM charge_points WHERE device_id = ANY($1::text[])`,
      [deviceIds],
    );
  }

  /** A dedicated connection LISTENing for the registry's change notifications (trigger on vehicles and charge_points). */
  async listen(onChange: () => void, onError: (error: Error) => void): Promise<Client> {
    const client = new Client({ connectionString: this.config.databaseUrl });
    client.on('notification', onChange);
    client.on('error', onError);
    await client.connect();
    await client.query('LISTEN registry_devices_changed');
    return client;
  }
}
