import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../platform/config/app-config';
import { APP_CONFIG } from '../../platform/config/config.module';
import { PublisherProfile } from './device-profiles';

/** A device that publishes in a publisher's own dialect (device-profiles.md), by the identity that publisher uses. */
export interface ProfileDeviceEntry {
  profile: PublisherProfile;
  identity: string;
  /** The publisher's topic setting where it differs from the profile's default (OVMS prefix, Teltonika topic). */
  topic: string | null;
  kind: 'vehicle' | 'charge_point';
  id: string;
}

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

  listProfileDevices(): Promise<ProfileDeviceEntry[]> {
    return this.dataSource.query(`
      SELECT profile, profile_identity AS identity, profile_topic AS topic, 'vehicle' AS kind, id FROM vehicles WHERE profile <> 'klimaklok-v1'
      UNION ALL
      SELECT profile, profile_identity, NULL, 'charge_point', id FROM charge_points WHERE profile <> 'klimaklok-v1'`);
  }

  /** The registered devices among these `<profile> <identity>` pairs, straight from PostgreSQL. */
  findProfileDevices(devices: Array<{ profile: string; identity: string }>): Promise<ProfileDeviceEntry[]> {
    const profiles = devices.map((device) => device.profile);
    const identities = devices.map((device) => device.identity);
    return this.dataSource.query(
      `WITH wanted AS (SELECT * FROM unnest($1::text[], $2::text[]) AS w(profile, identity))
       SELECT v.profile, v.profile_identity AS identity, v.profile_topic AS topic, 'vehicle' AS kind, v.id
         FROM vehicles v JOIN wanted w ON w.profile = v.profile AND w.identity = v.profile_identity
       UNION ALL
       SELECT c.profile, c.profile_identity, NULL, 'charge_point', c.id
         FROM charge_points c JOIN wanted w ON w.profile = c.profile AND w.identity = c.profile_identity`,
      [profiles, identities],
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
