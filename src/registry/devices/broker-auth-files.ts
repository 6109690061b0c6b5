import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../platform/config/app-config';
import { dataSourceOptions } from '../../platform/database/data-source-options';
import { BrokerCredentialsError, BrokerUser, brokerAuth } from './broker-credentials';
import { DeviceDirectoryRepository } from './device-directory.repository';

export interface BrokerAuthFiles {
  passwordFile: string;
  aclFile: string;
}

export interface FileOwner {
  user: string;
  uid: number;
  gid: number;
}

/**
 * The owner the files get. Mosquitto reads its password and ACL files after it has dropped from
 * root to user `mosquitto`, so files written by root for it must belong to that user (mode 0600:
 * they are secrets to everyone else). Not root: the files stay the caller's, who runs the broker.
 */
export function resolveOwner(user: string | undefined): FileOwner | undefined {
  const wanted = user ?? (process.getuid?.() === 0 ? 'mosquitto' : undefined);
  if (!wanted) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', wanted], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    const gid = Number(execFileSync('id', ['-g', wanted], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return { user: wanted, uid, gid };
  } catch {
    if (user) throw new BrokerCredentialsError(`no such user "${user}" for --owner`);
    return undefined; // root without a mosquitto user: the broker runs as root and reads root's files
  }
}

/**
 * Writes `passwords` (hashed by the installed `mosquitto_passwd -U`) and `acl` into `outDir`.
 * The clear passwords exist only in a 0600 file inside a 0700 folder next to the result while
 * mosquitto_passwd hashes them in place; that folder is removed whatever happens. Both files are
 * replaced by rename, so a broker reloading meanwhile sees the old or the new set, never half.
 */
export function writeBrokerAuthFiles(outDir: string, users: BrokerUser[], acl: string, owner?: FileOwner): BrokerAuthFiles {
  for (const { username, password } of users) {
    // mosquitto_passwd -U reads `user:password` lines and cuts the password at its first ':'.
    if (/[:\r\n]/.test(password)) throw new BrokerCredentialsError(`the password of "${username}" contains ':' or a line break, which mosquitto_passwd cannot take`);
  }
  mkdirSync(outDir, { recursive: true });
  const work = mkdtempSync(path.join(outDir, '.broker-auth-'));
  try {
    chmodSync(work, 0o700);
    const passwords = path.join(work, 'passwords');
    writeFileSync(passwords, users.map(({ username, password }) => `${username}:${password}\n`).join(''), { mode: 0o600 });
    try {
      execFileSync('mosquitto_passwd', ['-U', passwords], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (error) {
      const detail = (error as { stderr?: Buffer }).stderr?.toString().trim() || (error as Error).message;
      throw new BrokerCredentialsError(`mosquitto_passwd -U failed: ${detail}`);
    }
    const aclPath = path.join(work, 'acl');
    writeFileSync(aclPath, acl, { mode: 0o600 });
    for (const file of [passwords, aclPath]) {
      chmodSync(file, 0o600);
      if (owner) chownSync(file, owner.uid, owner.gid);
    }
    const result = { passwordFile: path.join(outDir, 'passwords'), aclFile: path.join(outDir, 'acl') };
    renameSync(passwords, result.passwordFile);
    renameSync(aclPath, result.aclFile);
    return result;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Reads the registry's devices and writes the files: what `npm run broker:auth` does. Needs
 * MQTT_USERNAME / MQTT_PASSWORD (the service's user) and DEVICE_CREDENTIAL_SECRET.
 */
export async function generateBrokerAuth(config: AppConfig, outDir: string, owner?: FileOwner): Promise<BrokerAuthFiles & { userCount: number }> {
  if (!config.mqttCredentials) throw new BrokerCredentialsError('MQTT_USERNAME and MQTT_PASSWORD must be set: the service needs its own broker user');
  if (!config.deviceCredentialSecret) throw new BrokerCredentialsError('DEVICE_CREDENTIAL_SECRET must be set: device passwords are derived from it');
  const dataSource = await new DataSource(dataSourceOptions(config.databaseUrl)).initialize();
  try {
    const directory = new DeviceDirectoryRepository(dataSource, config);
    const [devices, publishers] = await Promise.all([directory.listDevices(), directory.listProfileDevices()]);
    const auth = brokerAuth(devices, { topicRoot: config.mqttTopicRoot, secret: config.deviceCredentialSecret, service: config.mqttCredentials, publishers });
    return { ...writeBrokerAuthFiles(outDir, auth.users, auth.acl, owner), userCount: auth.userCount };
  } finally {
    await dataSource.destroy();
  }
}
