import { DeviceEntry } from '../../registry/devices/device-directory.service';

/** A message the in-memory device list could not place, by the order in which the ingest received it. */
export interface UnplacedMessage {
  deviceId: string;
  /** The ingest's count of received messages when this one arrived. */
  seq: number;
}

/** Device ids remembered as unregistered at most; more (a flood of made-up ids) only costs extra queries. */
const REMEMBERED_IDS = 100_000;

/**
 * Telemetry contract amendment 1.1: a device registered through the API is known to the ingest
 * before the API answers. The in-memory device list follows the registry only a moment later
 * (NOTIFY, then a reload), so a message whose device the list does not know is checked against
 * PostgreSQL before it becomes a dead letter, one query per batch.
 *
 * Why the cache is sound: a registration answered before the message was published committed
 * before the message arrived, so any query started after the message arrived sees it. A "not
 * registered" answer therefore holds for messages received before that query started, and for
 * no later one; the cache keeps exactly that (the receive count when the query started).
 */
export class UnregisteredDevices {
  /** Device id to the receive count at which the last query that did not find it started. */
  private readonly absentSince = new Map<string, number>();

  constructor(private readonly find: (deviceIds: string[]) => Promise<DeviceEntry[]>) {}

  /** The registry entries of these messages' devices that PostgreSQL knows; `receivedSoFar` is the receive count now. */
  async recheck(messages: UnplacedMessage[], receivedSoFar: number): Promise<DeviceEntry[]> {
    const ask = new Set<string>();
    for (const { deviceId, seq } of messages) {
      const absent = this.absentSince.get(deviceId);
      if (absent === undefined || seq > absent) ask.add(deviceId);
    }
    if (ask.size === 0) return [];
    const found = await this.find([...ask]);
    const registered = new Set(found.map((entry) => entry.deviceId));
    if (this.absentSince.size + ask.size > REMEMBERED_IDS) this.absentSince.clear();
    for (const deviceId of ask) {
      if (registered.has(deviceId)) this.absentSince.delete(deviceId);
      else this.absentSince.set(deviceId, receivedSoFar);
    }
    return found;
  }
}
