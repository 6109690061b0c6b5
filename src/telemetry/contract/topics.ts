import { Rejection } from './rejection';

export type DeviceKind = 'vehicle' | 'charge_point';
export type Stream = 'telemetry' | 'connection' | 'status' | 'meter' | 'transaction';

export interface TopicAddress {
  kind: DeviceKind;
  deviceId: string;
  stream: Stream;
}

const DEVICE_ID = /^[A-Za-z0-9._-]{1,64}$/;
const STREAMS: Record<string, { kind: DeviceKind; streams: Stream[] }> = {
  vehicles: { kind: 'vehicle', streams: ['telemetry', 'connection'] },
  chargepoints: { kind: 'charge_point', streams: ['status', 'meter', 'transaction', 'connection'] },
};

/** `<root>/v1/vehicles/{deviceId}/telemetry` and the other topics of the contract; anything else is unknown_topic. */
export function parseTopic(topic: string, root: string): TopicAddress | Rejection {
  const prefix = `${root}/v1/`;
  if (!topic.startsWith(prefix)) return new Rejection('unknown_topic', `topic is not under ${prefix}`);
  const parts = topic.slice(prefix.length).split('/');
  const family = STREAMS[parts[0]];
  if (parts.length !== 3 || !family) return new Rejection('unknown_topic', `no such topic in contract v1: ${truncate(topic)}`);
  const [, deviceId, stream] = parts;
  if (!DEVICE_ID.test(deviceId)) return new Rejection('unknown_topic', 'device id must match ^[A-Za-z0-9._-]{1,64}$');
  if (!family.streams.includes(stream as Stream)) return new Rejection('unknown_topic', `no stream "${truncate(stream)}" for ${parts[0]}`);
  return { kind: family.kind, deviceId, stream: stream as Stream };
}

/** The device id of a topic that looks like a device topic, for dead letters of otherwise unknown topics. */
export function deviceIdOfTopic(topic: string, root: string): string | null {
  const parts = topic.slice(root.length + 1).split('/');
  return parts.length >= 3 && parts[0] === 'v1' && DEVICE_ID.test(parts[2]) ? parts[2] : null;
}

function truncate(text: string): string {
  return text.length > 100 ? `${text.slice(0, 100)}...` : text;
}
