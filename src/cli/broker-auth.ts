import 'reflect-metadata';
import { loadConfig } from '../platform/config/app-config';
import { UsageError, readCommandLine, runCli } from './command-line';
import { generateBrokerAuth, resolveOwner } from '../registry/devices/broker-auth-files';
import { BrokerCredentialsError, devicePassword } from '../registry/devices/broker-credentials';

const USAGE = `usage: npm run broker:auth -- --out DIR [--owner USER]
       npm run broker:auth -- --password-for DEVICE_ID_OR_LOGIN
Writes DIR/passwords (Mosquitto password file, hashed by mosquitto_passwd) and DIR/acl from the
registry's devices. Needs DATABASE_URL, MQTT_TOPIC_ROOT, MQTT_USERNAME, MQTT_PASSWORD and
DEVICE_CREDENTIAL_SECRET. --owner: the files' owner (default when run as root: mosquitto).
--password-for prints the password of one device id or publisher login (teslamate[-<namespace>],
an OVMS or OwnTracks <user>, a Teltonika IMEI, an evcc root) for provisioning it.
`;

async function main() {
  const { values } = readCommandLine(process.argv.slice(2), { out: { type: 'string' }, owner: { type: 'string' }, 'password-for': { type: 'string' } }, USAGE);
  const config = loadConfig();
  const login = values['password-for'];
  if (login) {
    if (!config.deviceCredentialSecret) throw new BrokerCredentialsError('DEVICE_CREDENTIAL_SECRET must be set');
    process.stdout.write(`${devicePassword(config.deviceCredentialSecret, login)}\n`);
    return;
  }
  const outDir = values.out;
  if (!outDir) throw new UsageError(`--out DIR is required\n${USAGE}`);
  const owner = resolveOwner(values.owner);
  const result = await generateBrokerAuth(config, outDir, owner);
  process.stdout.write(
    `broker auth: ${result.userCount} device and publisher logins and the service user "${config.mqttCredentials!.username}" written to ` +
      `${result.passwordFile} and ${result.aclFile} (mode 0600${owner ? `, owner ${owner.user}` : ''}). ` +
      'Reload a running Mosquitto with SIGHUP.\n',
  );
}

runCli(main, (error) => (error instanceof BrokerCredentialsError ? error.message : `broker auth failed: ${error.stack}`));
