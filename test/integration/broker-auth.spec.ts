import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { BrokerAuthFiles } from '../../scripts/lib/mosquitto';
import { checkBroker } from '../../src/platform/startup/preflight';
import { generateBrokerAuth, writeBrokerAuthFiles } from '../../src/registry/devices/broker-auth-files';
import { brokerAuth, devicePassword } from '../../src/registry/devices/broker-credentials';
import { aChargePoint, aCooperative, aVehicle, anOrganization } from '../support/builders';
import { TestPublisher } from '../support/mqtt-publisher';
import { Sql } from '../support/sql';
import { TestApp, bearer, startTestApp } from '../support/test-app';

/**
 * Device credentials on the real Mosquitto: the password file and ACL written by broker:auth from
 * the registry, the broker started with config/mosquitto-auth.conf, the service logging in as its
 * own user. A device may publish only under its own topics; what it sends elsewhere never
 * reaches the service.
 *
 * Each refused publication uses a connection of its own: Mosquitto before 2.0.22 closes the
 * connection after refusing a QoS 1 PUBLISH when max_queued_messages is 0, as in the project's
 * config (eclipse-mosquitto/mosquitto#3244); MQTT 3.1.1 allows closing, and the device reconnects.
 */
describe('broker device credentials', () => {
  const secret = 'test-device-credential-secret-0123456789';
  const service = { username: 'klimaklok-service', password: 'service-password-for-tests' };
  let outDir: string;
  let t: TestApp;
  let sql: Sql;
  let files: BrokerAuthFiles;
  let vehicleA: string;
  let vehicleB: string;
  let phone: string;
  const deviceA = () => ({ username: 'veh-auth-a', password: devicePassword(secret, 'veh-auth-a') });
  const topicOf = (deviceId: string) => `fleet/v1/vehicles/${deviceId}/telemetry`;
  const publishers: TestPublisher[] = [];
  const connect = async (options: mqtt.IClientOptions) => {
    const publisher = await TestPublisher.connect(t.broker.url, undefined, options);
    publishers.push(publisher);
    return publisher;
  };
  const storedAt = (vehicleId: string, ts: number) => sql.count(`SELECT 1 FROM vehicle_samples WHERE vehicle_id = $1 AND ts = $2`, [vehicleId, new Date(ts).toISOString()]);

  beforeAll(async () => {
    // Before the registry has devices the files hold the service's user only, as on a first install.
    outDir = mkdtempSync(path.join(tmpdir(), 'klimaklok-broker-auth-'));
    const empty = brokerAuth([], { topicRoot: 'fleet', secret, service });
    files = writeBrokerAuthFiles(outDir, empty.users, empty.acl);
    t = await startTestApp({ MQTT_USERNAME: service.username, MQTT_PASSWORD: service.password, DEVICE_CREDENTIAL_SECRET: secret, INGEST_CONNECTIONS: '2' }, { brokerAuth: files });
    sql = await Sql.connect(t.database.url);
    const admin = bearer(t.adminKey);
    const department = (await t.http().post('/api/v1/organizations').set(admin).send(anOrganization()).expect(201)).body.id;
    const cooperative = (await t.http().post('/api/v1/organizations').set(admin).send(aCooperative()).expect(201)).body.id;
    vehicleA = (
      await t
        .http()
        .post('/api/v1/vehicles')
        .set(admin)
        .send(aVehicle(department, { deviceId: 'veh-auth-a' }))
        .expect(201)
    ).body.id;
    vehicleB = (
      await t
        .http()
        .post('/api/v1/vehicles')
        .set(admin)
        .send(aVehicle(department, { deviceId: 'veh-auth-b' }))
        .expect(201)
    ).body.id;
    await t
      .http()
      .post('/api/v1/chargepoints')
      .set(admin)
      .send(aChargePoint(cooperative, { deviceId: 'cp-auth-1' }))
      .expect(201);
    // A phone with OwnTracks: it logs in as its OwnTracks user and publishes owntracks/<user>/<device>.
    phone = (
      await t
        .http()
        .post('/api/v1/vehicles')
        .set(admin)
        .send(aVehicle(department, { deviceId: null, profile: 'owntracks', profileIdentity: 'ola-auth/van3' }))
        .expect(201)
    ).body.id;
    // What `npm run broker:auth -- --out DIR` does, against the test's registry; then the broker re-reads the files.
    const generated = await generateBrokerAuth(t.config, outDir);
    expect(generated.userCount).toBe(4);
    await t.broker.reloadAuth(generated);
    for (let attempt = 0; ; attempt++) {
      const accepted = await mqtt.connectAsync(t.broker.url, { ...deviceA(), reconnectPeriod: 0 }).then(
        (client) => client.endAsync().then(() => true),
        () => false,
      );
      if (accepted) break;
      if (attempt > 50) throw new Error('the broker never accepted device A after the reload');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  afterAll(async () => {
    await Promise.all(publishers.map((p) => p.close().catch(() => undefined)));
    await sql?.close();
    await t?.close();
    rmSync(outDir, { recursive: true, force: true });
  });

  it('writes hashed passwords and per-device grants, 0600, and no clear password anywhere', () => {
    expect(readdirSync(outDir).sort()).toEqual(['acl', 'passwords']);
    for (const file of ['acl', 'passwords']) expect(statSync(path.join(outDir, file)).mode & 0o777).toBe(0o600);
    const passwords = readFileSync(path.join(outDir, 'passwords'), 'utf8');
    expect(
      passwords
        .trim()
        .split('\n')
        .map((line) => line.split(':')[0]),
    ).toEqual(['klimaklok-service', 'cp-auth-1', 'ola-auth', 'veh-auth-a', 'veh-auth-b']);
    expect(passwords).toMatch(/^veh-auth-a:\$7\$/m); // PBKDF2-SHA512, mosquitto_passwd's format
    expect(passwords).not.toContain(deviceA().password);
    expect(passwords).not.toContain(service.password);
    expect(readFileSync(path.join(outDir, 'acl'), 'utf8')).toContain('user veh-auth-a\ntopic write fleet/v1/vehicles/veh-auth-a/#\n');
    // The broker runs the project's auth config on the copies it was given.
    const brokerConf = readFileSync(path.join(t.broker.dataDir, 'mosquitto.conf'), 'utf8');
    expect(brokerConf).toMatch(/^allow_anonymous false$/m);
    expect(brokerConf).toContain(`password_file ${t.broker.dataDir}/passwords`);
  });

  it('stores what a device publishes under its own topic (the service reads through its shared subscription)', async () => {
    const device = await connect(deviceA());
    const ts = Date.now() - 60_000;
    // The ingest learns new devices through LISTEN/NOTIFY; retry until it knows device A.
    for (let i = 0; i < 100 && (await storedAt(vehicleA, ts)) === 0; i++) {
      await device.publish(topicOf('veh-auth-a'), { ts, speedKmh: 12 });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await storedAt(vehicleA, ts)).toBe(1);
  });

  it("refuses device A's publication into device B's topic, and the service never stores it", async () => {
    const forgedTs = Date.now() - 50_000;
    // MQTT 5: the broker answers the PUBLISH with reason code 135, not authorized.
    const v5 = await connect({ ...deviceA(), protocolVersion: 5 });
    await expect(v5.publish(topicOf('veh-auth-b'), { ts: forgedTs, speedKmh: 99 })).rejects.toThrow(/135|[Nn]ot authorized/);
    // MQTT 3.1.1 has no refusal code: the broker acknowledges the PUBLISH and drops it.
    await (await connect(deviceA())).publish(topicOf('veh-auth-b'), [{ ts: forgedTs + 1, speedKmh: 99 }]);
    // Device B's own sample and a later one of A's are stored: the pipeline is live behind them.
    const deviceB = await connect({ username: 'veh-auth-b', password: devicePassword(secret, 'veh-auth-b') });
    const bTs = Date.now() - 40_000;
    await deviceB.publish(topicOf('veh-auth-b'), { ts: bTs, speedKmh: 5 });
    const markerTs = Date.now() - 30_000;
    await (await connect(deviceA())).publish(topicOf('veh-auth-a'), { ts: markerTs, speedKmh: 7 });
    await sql.waitForCount(`SELECT 1 FROM vehicle_samples WHERE vehicle_id = $1 AND ts = $2`, 1, [vehicleB, new Date(bTs).toISOString()]);
    await sql.waitForCount(`SELECT 1 FROM vehicle_samples WHERE vehicle_id = $1 AND ts = $2`, 1, [vehicleA, new Date(markerTs).toISOString()]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await sql.count(`SELECT 1 FROM vehicle_samples WHERE speed_kmh = 99`)).toBe(0);
    expect(await sql.count(`SELECT 1 FROM vehicle_samples WHERE vehicle_id = $1 AND ts <> $2`, [vehicleB, new Date(bTs).toISOString()])).toBe(0);
    expect(await sql.count(`SELECT 1 FROM dead_letters WHERE convert_from(payload, 'UTF8') LIKE '%99%'`)).toBe(0);
  });

  it("stores what a profile publisher sends under its own topics, refuses another user's, and the service reads the profile's topics", async () => {
    const login = { username: 'ola-auth', password: devicePassword(secret, 'ola-auth') };
    const location = (tst: number, vel: number) => ({ _type: 'location', tst, lat: 59.9, lon: 10.6, vel });
    const forged = Math.floor(Date.now() / 1000) - 100;
    const v5 = await connect({ ...login, protocolVersion: 5 });
    await expect(v5.publish('owntracks/kari-auth/van4', location(forged, 99))).rejects.toThrow(/135|[Nn]ot authorized/);
    const own = await connect(login);
    const tst = Math.floor(Date.now() / 1000) - 90;
    // The ingest subscribes to owntracks/# at its next registry reload; retry until it has.
    for (let i = 0; i < 100 && (await storedAt(phone, tst * 1000)) === 0; i++) {
      await own.publish('owntracks/ola-auth/van3', location(tst, 12));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await storedAt(phone, tst * 1000)).toBe(1);
    expect(await sql.count(`SELECT 1 FROM dead_letters WHERE topic = 'owntracks/kari-auth/van4'`)).toBe(0);
  });

  it("refuses a device's own topic for a charge point's, and another kind's topic of the same id", async () => {
    for (const topic of ['fleet/v1/chargepoints/cp-auth-1/status', 'fleet/v1/chargepoints/veh-auth-a/status']) {
      const device = await connect({ ...deviceA(), protocolVersion: 5 });
      await expect(device.publish(topic, { ts: Date.now(), connectorId: 1, status: 'Available' })).rejects.toThrow(/135|[Nn]ot authorized/);
    }
  });

  it('refuses a wrong password, another device name with A’s password, and anonymous clients at connect', async () => {
    const refused = (options: mqtt.IClientOptions) =>
      mqtt.connectAsync(t.broker.url, { clientId: `refused-${Math.random().toString(16).slice(2)}`, reconnectPeriod: 0, connectTimeout: 5000, ...options });
    await expect(refused({ username: 'veh-auth-a', password: 'wrong' })).rejects.toThrow(/[Nn]ot authorized/);
    await expect(refused({ username: 'veh-auth-b', password: deviceA().password })).rejects.toThrow(/[Nn]ot authorized/);
    await expect(refused({ username: 'veh-auth-a', password: devicePassword('another-secret-of-32-characters!!', 'veh-auth-a') })).rejects.toThrow(/[Nn]ot authorized/);
    await expect(refused({})).rejects.toThrow(/[Nn]ot authorized/);
  });

  it("stops the service's start when its own login is wrong or missing", async () => {
    await expect(checkBroker(t.broker.url, service)).resolves.toBeUndefined();
    await expect(checkBroker(t.broker.url)).rejects.toThrow(/Cannot reach MQTT broker .*[Nn]ot authorized/);
    await expect(checkBroker(t.broker.url, { username: service.username, password: 'wrong' })).rejects.toThrow(/[Nn]ot authorized/);
  });

  it('keeps the service user from publishing, so it cannot forge samples either', async () => {
    const svc = await connect({ ...service, protocolVersion: 5 });
    await expect(svc.publish(topicOf('veh-auth-a'), { ts: Date.now(), speedKmh: 1 })).rejects.toThrow(/135|[Nn]ot authorized/);
  });
});
