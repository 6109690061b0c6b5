/**
 * What the simulator puts on the wire in a dialect: the telemetry contract itself (`klimaklok-v1`)
 * or one of the MQTT publishers of shared/spec/device-profiles.md, whose topics, payload text,
 * retain flags and QoS each encoder copies from the publisher's own code (sources in each
 * encoder's header and in scripts/simulator/README.md, "Dialects").
 */
import type { Sample, SimMessage } from '../generator';

export const DIALECTS = ['klimaklok-v1', 'teslamate', 'ovms-v3', 'owntracks', 'evcc', 'teltonika-json'] as const;
export type Dialect = (typeof DIALECTS)[number];

/** Dialects of vehicles and of charge points; klimaklok-v1 speaks for both. */
export const VEHICLE_DIALECTS: readonly Dialect[] = ['klimaklok-v1', 'teslamate', 'ovms-v3', 'owntracks', 'teltonika-json'];
export const CHARGE_POINT_DIALECTS: readonly Dialect[] = ['klimaklok-v1', 'evcc'];

/**
 * Publishers that send one value per topic, which the service assembles in windows of receipt:
 * their samples only come out right when they arrive paced, not in a backfill's rush.
 */
export const ASSEMBLED_DIALECTS: readonly Dialect[] = ['teslamate', 'ovms-v3', 'evcc'];

export interface WireMessage {
  topic: string;
  /** The payload text; "" is an empty payload (a cleared retained value). */
  payload: string;
  retain: boolean;
  qos: 0 | 1;
  /** The simulated device, so that one device's messages keep to one connection (and order). */
  deviceId: string;
  /** The payload is JSON (printed as JSON, not as a string, by --dry-run). */
  json: boolean;
}

/** One device's encoder: keeps what the publisher keeps between messages (last values, sessions). */
export interface DeviceEncoder {
  encode(message: SimMessage): WireMessage[];
}

/** Epoch ms of a generated sample (its `ts` is RFC 3339 in UTC). */
export function sampleTime(sample: Sample): number {
  return Date.parse(String(sample.ts));
}

export const numberIn = (sample: Sample, field: string): number | undefined => (typeof sample[field] === 'number' ? (sample[field] as number) : undefined);
export const booleanIn = (sample: Sample, field: string): boolean | undefined => (typeof sample[field] === 'boolean' ? (sample[field] as boolean) : undefined);
export const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
