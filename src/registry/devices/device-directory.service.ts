import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Client } from 'pg';
import { DeviceDirectoryRepository, DeviceEntry } from './device-directory.repository';

export type { DeviceEntry };

/**
 * Which telemetry device ids belong to which vehicle or charge point. Consumers that need this
 * per message (ingest) keep a copy in memory and call `watch` to hear when it changed.
 */
@Injectable()
export class DeviceDirectoryService implements OnApplicationShutdown {
  private readonly logger = new Logger(DeviceDirectoryService.name);
  private listener: Client | undefined;

  constructor(private readonly devices: DeviceDirectoryRepository) {}

  list(): Promise<DeviceEntry[]> {
    return this.devices.listDevices();
  }

  /** Calls `onChange` after every committed change to vehicles or charge points (and after a lost listener reconnects). */
  async watch(onChange: () => void): Promise<void> {
    const connect = async (): Promise<void> => {
      try {
        this.listener = await this.devices.listen(onChange, (error) => {
          this.logger.warn({ err: error }, 'Registry change listener lost; reconnecting');
          this.listener = undefined;
          setTimeout(() => void connect().then(onChange), 2000).unref();
        });
      } catch (error) {
        this.logger.warn({ err: error }, 'Cannot listen for registry changes; retrying');
        setTimeout(() => void connect().then(onChange), 2000).unref();
      }
    };
    await connect();
  }

  async onApplicationShutdown() {
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
  }
}
