import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Client } from 'pg';
import { DeviceDirectoryRepository, DeviceEntry, ProfileDeviceEntry } from './device-directory.repository';

export type { DeviceEntry, ProfileDeviceEntry };

/** The vehicle and charge point (ids) a device id belongs to. */
export interface DeviceOwners {
  vehicle?: string;
  chargePoint?: string;
}

/**
 * Which telemetry device ids belong to which vehicle or charge point. Consumers that need this
 * per message (ingest) keep a copy in memory and call `watch` to hear when it changed.
 */
@Injectable()
export class DeviceDirectoryService implements OnApplicationShutdown {
  private readonly logger = new Logger(DeviceDirectoryService.name);
  private listener: Client | undefined;
  private stopped = false;

  constructor(private readonly devices: DeviceDirectoryRepository) {}

  list(): Promise<DeviceEntry[]> {
    return this.devices.listDevices();
  }

  /** Every device id with the vehicle and/or charge point it belongs to (one id may name one of each). */
  async byDeviceId(): Promise<Map<string, DeviceOwners>> {
    const devices = new Map<string, DeviceOwners>();
    for (const entry of await this.list()) {
      const known = devices.get(entry.deviceId) ?? {};
      if (entry.kind === 'vehicle') known.vehicle = entry.id;
      else known.chargePoint = entry.id;
      devices.set(entry.deviceId, known);
    }
    return devices;
  }

  /** Straight from PostgreSQL: sees every registration committed before the call. */
  find(deviceIds: string[]): Promise<DeviceEntry[]> {
    return this.devices.findDevices(deviceIds);
  }

  /** Every device that publishes in a profile other than the telemetry contract. */
  listProfileDevices(): Promise<ProfileDeviceEntry[]> {
    return this.devices.listProfileDevices();
  }

  /** Straight from PostgreSQL, like `find`, for devices known by their publisher's identity. */
  findProfileDevices(devices: Array<{ profile: string; identity: string }>): Promise<ProfileDeviceEntry[]> {
    return this.devices.findProfileDevices(devices);
  }

  /** Calls `onChange` after every committed change to vehicles or charge points (and after a lost listener reconnects). */
  async watch(onChange: () => void): Promise<void> {
    // While the database is down every retry fails the same way: say so once, and once when it listens again.
    let failing = false;
    const retry = () => {
      if (this.stopped) return;
      setTimeout(() => void connect().then(() => this.listener && onChange()), 2000).unref();
    };
    const connect = async (): Promise<void> => {
      try {
        let listener: Client | undefined = undefined;
        listener = await this.devices.listen(onChange, () => {
          // A connection can report several errors; reconnect once, for the current listener only.
          if (!listener || this.listener !== listener) return;
          this.logger.warn('Registry change listener lost; reconnecting');
          failing = true; // the reconnects' failures are this same loss
          this.listener = undefined;
          void listener.end().catch(() => undefined);
          retry();
        });
        this.listener = listener;
        if (failing) this.logger.log('Listening for registry changes again');
        failing = false;
      } catch (error) {
        if (!failing) this.logger.warn({ err: error }, 'Cannot listen for registry changes; retrying every 2 s');
        failing = true;
        retry();
      }
    };
    await connect();
  }

  async onApplicationShutdown() {
    this.stopped = true;
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
  }
}
