import { createHmac } from 'node:crypto';
import { MqttCredentials } from '../../platform/config/app-config';
import { DeviceEntry, ProfileDeviceEntry } from './device-directory.repository';
import { profileTopicFilters, publisherLogin } from './publisher-topics';

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

/** A publisher's login: a registry identity part, so anything but wildcards, spaces, NUL and ':' (which the password file cannot hold). */
// eslint-disable-next-line no-control-regex -- NUL is one of the characters the login must not hold
const PUBLISHER_NAME = /^[^\s\u0000+#:]{1,128}$/;

export class BrokerCredentialsError extends Error {}

export interface BrokerAuth {
  users: BrokerUser[];
  /** The ACL file's text. */
  acl: string;
  /** Broker users besides the service's: one per device id and per publisher login. */
  userCount: number;
}

export function brokerAuth(devices: DeviceEntry[], options: { topicRoot: string; secret: string; service: MqttCredentials; publishers?: ProfileDeviceEntry[] }): BrokerAuth {
  const { topicRoot, secret, service, publishers = [] } = options;
  // A vehicle and a charge point may share a device id (separate tables), and one publisher (a
  // TeslaMate, an evcc) logs in for several devices: one user with all their grants.
  const topicsByUser = new Map<string, Set<string>>();
  const grant = (username: string, topics: string[]) => {
    if (username === service.username) throw new BrokerCredentialsError(`the broker user "${username}" is the service's MQTT_USERNAME`);
    const granted = topicsByUser.get(username) ?? new Set<string>();
    for (const topic of topics) granted.add(topic);
    topicsByUser.set(username, granted);
  };
  for (const device of devices) {
    if (!SAFE_NAME.test(device.deviceId)) throw new BrokerCredentialsError(`device id "${device.deviceId}" is not usable as a broker user name`);
    grant(device.deviceId, [`${topicRoot}/v1/${KIND_LEVEL[device.kind]}/${device.deviceId}/#`]);
  }
  for (const publisher of publishers) {
    const login = publisherLogin(publisher);
    // The registry keeps wildcards out of identities; a ':' would cut the password file's line.
    if (!PUBLISHER_NAME.test(login.username)) {
      throw new BrokerCredentialsError(`the ${publisher.profile} login "${login.username}" (identity ${publisher.identity}) is not usable as a broker user name`);
    }
    grant(login.username, login.topics);
  }
  const usernames = [...topicsByUser.keys()].sort();
  const lines = [
    '# Written by `npm run broker:auth` from the registry; do not edit, re-run it.',
    '# Anything not granted here is denied. A device publishes only under its own topics;',
    '# the service reads the whole contract and the topics of the device profiles in use (also through $share/<group>/...).',
    '',
    `user ${service.username}`,
    ...[`${topicRoot}/v1/#`, ...profileTopicFilters(publishers)].map((filter) => `topic read ${filter}`),
  ];
  for (const username of usernames) {
    lines.push('', `user ${username}`, ...[...topicsByUser.get(username)!].sort().map((topic) => `topic write ${topic}`));
  }
  return {
    users: [service, ...usernames.map((username) => ({ username, password: devicePassword(secret, username) }))],
    acl: `${lines.join('\n')}\n`,
    userCount: usernames.length,
  };
}
