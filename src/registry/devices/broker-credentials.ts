import { createHmac } from 'node:crypto';
import { MqttCredentials } from '../../platform/config/app-config';
import { DeviceEntry } from './device-directory.repository';

/**
 * What a Mosquitto password file and ACL must say for the registry's devices (pure; the files are
 * written by broker-auth-files.ts).
 *
 * A device's broker user name is its device id, its password an HMAC of the id under
 * DEVICE_CREDENTIAL_SECRET: re-running `broker:auth` after every registry change keeps the
 * passwords of existing devices, nothing with clear passwords has to be stored or handed around,
 * and provisioning a device needs only its id and the secret. A device's password does not reveal
 * another's. Changing the secret rotates every device at once.
 */
export function devicePassword(secret: string, deviceId: string): string {
  return createHmac('sha256', secret).update(`klimaklok-mqtt-device-v1\0${deviceId}`).digest('base64url');
}

export interface BrokerUser {
  username: string;
  password: string;
}

/** Topic levels of a device kind, as in the telemetry contract (`<root>/v1/vehicles/<deviceId>/...`). */
const KIND_LEVEL: Record<DeviceEntry['kind'], string> = { vehicle: 'vehicles', charge_point: 'chargepoints' };

/** Device ids are user names and topic levels: the registry allows [A-Za-z0-9._-] only, re-checked here because a wildcard or a colon would widen the grant. */
const SAFE_NAME = /^[A-Za-z0-9._-]{1,64}$/;

export class BrokerCredentialsError extends Error {}

export interface BrokerAuth {
  users: BrokerUser[];
  /** The ACL file's text. */
  acl: string;
  deviceCount: number;
}

export function brokerAuth(devices: DeviceEntry[], options: { topicRoot: string; secret: string; service: MqttCredentials }): BrokerAuth {
  const { topicRoot, secret, service } = options;
  // A vehicle and a charge point may share a device id (separate tables): one user with both grants.
  const topicsByDevice = new Map<string, Set<string>>();
  for (const device of devices) {
    if (!SAFE_NAME.test(device.deviceId)) throw new BrokerCredentialsError(`device id "${device.deviceId}" is not usable as a broker user name`);
    if (device.deviceId === service.username) throw new BrokerCredentialsError(`device id "${device.deviceId}" is the service's MQTT_USERNAME`);
    const topics = topicsByDevice.get(device.deviceId) ?? new Set<string>();
    topics.add(`${topicRoot}/v1/${KIND_LEVEL[device.kind]}/${device.deviceId}/#`);
    topicsByDevice.set(device.deviceId, topics);
  }
  const deviceIds = [...topicsByDevice.keys()].sort();
  const lines = [
    '# Written by `npm run broker:auth` from the registry; do not edit, re-run it.',
    '# Anything not granted here is denied. A device publishes only under its own topics;',
    '# the service reads the whole contract (also through $share/<group>/...).',
    '',
    `user ${service.username}`,
    `topic read ${topicRoot}/v1/#`,
  ];
  for (const deviceId of deviceIds) {
    lines.push('', `user ${deviceId}`, ...[...topicsByDevice.get(deviceId)!].sort().map((topic) => `topic write ${topic}`));
  }
  return {
    users: [service, ...deviceIds.map((deviceId) => ({ username: deviceId, password: devicePassword(secret, deviceId) }))],
    acl: `${lines.join('\n')}\n`,
    deviceCount: deviceIds.length,
  };
}
