/**
 * Which dialect each simulated device speaks, and its encoder. A device's dialect is the fleet
 * file's `profile` for it, else `--dialect`, else klimaklok-v1; its publisher identity the fleet
 * file's `profileIdentity`, else one derived from its deviceId (defaultIdentity), which is what it
 * must be registered with. A dialect that does not fit the device (a vehicle publisher for a
 * charge point, evcc for a point with more than one connector) leaves it in klimaklok-v1.
 *
 * An unpaced backfill sends the assembled dialects (TeslaMate, OVMS, evcc: one value per topic,
 * assembled by the service in windows of receipt) in klimaklok-v1, as a gateway's history would
 * come, when the device has a deviceId, and not at all otherwise: values published in a rush would
 * be assembled into samples of the wrong time.
 */
import type { SimChargePoint, SimDevice, SimFleet } from '../fleet';
import { SimMessage, encodePayload } from '../generator';
import { hash32 } from '../prng';
import { EvccEncoder } from './evcc';
import { OvmsEncoder } from './ovms-v3';
import { OwnTracksEncoder } from './owntracks';
import { TeltonikaEncoder } from './teltonika-json';
import { TeslaMateEncoder } from './teslamate';
import { ASSEMBLED_DIALECTS, CHARGE_POINT_DIALECTS, DeviceEncoder, Dialect, VEHICLE_DIALECTS, WireMessage } from './wire';

/** The identity a device publishes under when the fleet file names none. */
export function defaultIdentity(dialect: Dialect, deviceId: string): string | null {
  switch (dialect) {
    case 'teslamate':
      return String(1 + (hash32(deviceId) % 999_999_999));
    case 'ovms-v3':
    case 'owntracks':
      return `sim/${deviceId}`;
    case 'evcc':
      return `sim/${deviceId}/1`;
    case 'teltonika-json':
      return `35${String(hash32(deviceId)).padStart(10, '0')}${String(hash32(`${deviceId}#imei`) % 1000).padStart(3, '0')}`;
    case 'klimaklok-v1':
      return null;
  }
}

export interface DeviceDialect {
  dialect: Dialect;
  identity: string | null;
  /** The publisher's topic setting: OVMS prefix, Teltonika topic. */
  topic: string | null;
}

function fits(device: SimDevice, dialect: Dialect): boolean {
  if (device.kind === 'vehicle') return VEHICLE_DIALECTS.includes(dialect);
  return CHARGE_POINT_DIALECTS.includes(dialect) && (dialect !== 'evcc' || (device as SimChargePoint).connectors === 1);
}

export function dialectOf(device: SimDevice, fallback: Dialect | null): DeviceDialect {
  const wanted = device.profile ?? fallback ?? 'klimaklok-v1';
  const dialect = fits(device, wanted) ? wanted : 'klimaklok-v1';
  if (dialect === 'klimaklok-v1') return { dialect, identity: null, topic: null };
  return { dialect, identity: device.profileIdentity ?? defaultIdentity(dialect, device.deviceId), topic: device.profileTopic ?? null };
}

class ContractEncoder implements DeviceEncoder {
  encode(message: SimMessage): WireMessage[] {
    return [{ topic: message.topic, payload: encodePayload(message), retain: message.retain, qos: 1, deviceId: message.deviceId, json: typeof message.samples !== 'string' }];
  }
}

const SILENT: DeviceEncoder = { encode: () => [] };

function encoderFor(device: SimDevice, chosen: DeviceDialect): DeviceEncoder {
  const identity = chosen.identity!;
  const id = device.deviceId;
  switch (chosen.dialect) {
    case 'teslamate': {
      const slash = identity.lastIndexOf('/');
      const namespace = slash < 0 ? '' : `/${identity.slice(0, slash)}`;
      return new TeslaMateEncoder(`teslamate${namespace}/cars/${identity.slice(slash + 1)}/`, id);
    }
    case 'ovms-v3':
      return new OvmsEncoder(chosen.topic ?? `ovms/${identity}/`, id);
    case 'owntracks':
      return new OwnTracksEncoder(`owntracks/${identity}`, identity.slice(-2), id);
    case 'teltonika-json':
      return new TeltonikaEncoder(chosen.topic ?? `${identity}/data`, id);
    case 'evcc': {
      const slash = identity.lastIndexOf('/');
      return new EvccEncoder(identity.slice(0, slash), identity.slice(slash + 1), id);
    }
    case 'klimaklok-v1':
      return new ContractEncoder();
  }
}

export class DialectEncoders {
  private readonly encoders = new Map<string, DeviceEncoder>();
  /** Devices per dialect they are published in, for the start-up line. */
  readonly counts = new Map<string, number>();

  constructor(fleet: SimFleet, options: { dialect: Dialect | null; paced: boolean }) {
    for (const device of [...fleet.vehicles, ...fleet.chargePoints]) {
      const chosen = dialectOf(device, options.dialect);
      const history = !options.paced && ASSEMBLED_DIALECTS.includes(chosen.dialect);
      const speaks = history ? 'klimaklok-v1' : chosen.dialect;
      const silent = speaks === 'klimaklok-v1' && device.deviceIdFromProfile === true;
      let label: string = speaks;
      if (history) label = silent ? `none (${chosen.dialect} without a deviceId for its history)` : `klimaklok-v1 (history of ${chosen.dialect})`;
      else if (silent) label = 'none (no deviceId and no dialect that fits)';
      this.encoders.set(device.deviceId, silent ? SILENT : speaks === 'klimaklok-v1' ? new ContractEncoder() : encoderFor(device, chosen));
      this.counts.set(label, (this.counts.get(label) ?? 0) + 1);
    }
  }

  encode(message: SimMessage): WireMessage[] {
    const encoder = this.encoders.get(message.deviceId);
    if (!encoder) throw new Error(`no encoder for ${message.deviceId}`);
    return encoder.encode(message);
  }

  describe(): string {
    return [...this.counts].map(([label, count]) => `${count} ${label}`).join(', ');
  }
}
