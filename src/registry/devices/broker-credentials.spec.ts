import { createHmac } from 'node:crypto';
import { BrokerCredentialsError, brokerAuth, devicePassword } from './broker-credentials';
import { ProfileDeviceEntry } from './device-directory.repository';

const secret = 's'.repeat(32);
const service = { username: 'klimaklok-service', password: 'service-pw' };

describe('devicePassword', () => {
  it('is a stable HMAC of the device id, different per device and per secret', () => {
    const expected = createHmac('sha256', secret).update('klimaklok-mqtt-device-v1\0veh-1').digest('base64url');
    expect(devicePassword(secret, 'veh-1')).toBe(expected);
    expect(devicePassword(secret, 'veh-1')).toHaveLength(43);
    expect(devicePassword(secret, 'veh-2')).not.toBe(expected);
    expect(devicePassword('t'.repeat(32), 'veh-1')).not.toBe(expected);
  });
});

describe('brokerAuth', () => {
  it('grants each device write on its own topics only and the service read on the contract', () => {
    const auth = brokerAuth(
      [
        { deviceId: 'veh-1', kind: 'vehicle', id: 'a' },
        { deviceId: 'cp-1', kind: 'charge_point', id: 'b' },
        { deviceId: 'both', kind: 'vehicle', id: 'c' },
        { deviceId: 'both', kind: 'charge_point', id: 'd' },
      ],
      { topicRoot: 'muni/fleet', secret, service },
    );
    expect(auth.userCount).toBe(3);
    expect(auth.users.map((u) => u.username)).toEqual(['klimaklok-service', 'both', 'cp-1', 'veh-1']);
    expect(auth.users[0]).toBe(service);
    expect(auth.users[3].password).toBe(devicePassword(secret, 'veh-1'));
    const grants = auth.acl.split('\n').filter((line) => /^(user|topic) /.test(line));
    expect(grants).toEqual([
      'user klimaklok-service',
      'topic read muni/fleet/v1/#',
      'user both',
      'topic write muni/fleet/v1/chargepoints/both/#',
      'topic write muni/fleet/v1/vehicles/both/#',
      'user cp-1',
      'topic write muni/fleet/v1/chargepoints/cp-1/#',
      'user veh-1',
      'topic write muni/fleet/v1/vehicles/veh-1/#',
    ]);
  });

  it.each(['veh/+', 'veh#', 'a:b', 'klimaklok-service'])('refuses the device id %s', (deviceId) => {
    expect(() => brokerAuth([{ deviceId, kind: 'vehicle', id: 'a' }], { topicRoot: 'fleet', secret, service })).toThrow(BrokerCredentialsError);
  });

  it('grants each publisher login the topics of its devices, and the service read on the profiles in use', () => {
    const publisher = (profile: string, identity: string, topic: string | null = null) => ({ profile, identity, topic, kind: 'vehicle', id: identity }) as ProfileDeviceEntry;
    const auth = brokerAuth([{ deviceId: 'veh-1', kind: 'vehicle', id: 'a' }], {
      topicRoot: 'fleet',
      secret,
      service,
      publishers: [
        publisher('teslamate', '1'),
        publisher('teslamate', 'baerum/2'),
        publisher('teslamate', 'baerum/3'),
        publisher('ovms-v3', 'kari/EV01'),
        publisher('ovms-v3', 'kari/EV02', 'fleet/vans/EV02/'),
        publisher('owntracks', 'ola/van3'),
        publisher('teltonika-json', '352093089612345'),
        publisher('teltonika-json', '352093089612346', 'trackers/van9'),
        { ...publisher('evcc', 'depot/evcc/1'), kind: 'charge_point' },
        { ...publisher('evcc', 'depot/evcc/2'), kind: 'charge_point' },
      ],
    });
    expect(auth.userCount).toBe(8);
    expect(auth.users.find((user) => user.username === 'teslamate-baerum')?.password).toBe(devicePassword(secret, 'teslamate-baerum'));
    const grants = auth.acl.split('\n').filter((line) => /^(user|topic) /.test(line));
    expect(grants).toEqual([
      'user klimaklok-service',
      'topic read fleet/v1/#',
      'topic read +/data',
      'topic read depot/evcc/#',
      'topic read fleet/vans/EV02/metric/#',
      'topic read ovms/#',
      'topic read owntracks/#',
      'topic read teslamate/#',
      'topic read trackers/van9',
      'user 352093089612345',
      'topic write 352093089612345/data',
      'user 352093089612346',
      'topic write trackers/van9',
      'user depot/evcc',
      'topic write depot/evcc/#',
      'user kari',
      'topic write fleet/vans/EV02/#',
      'topic write ovms/kari/EV01/#',
      'user ola',
      'topic write owntracks/ola/van3',
      'topic write owntracks/ola/van3/#',
      'user teslamate',
      'topic write teslamate/cars/1/#',
      'user teslamate-baerum',
      'topic write teslamate/baerum/cars/2/#',
      'topic write teslamate/baerum/cars/3/#',
      'user veh-1',
      'topic write fleet/v1/vehicles/veh-1/#',
    ]);
  });

  it('refuses a publisher login that the password file cannot hold or that is the service', () => {
    const options = (identity: string, profile = 'owntracks') => ({
      topicRoot: 'fleet',
      secret,
      service,
      publishers: [{ profile, identity, topic: null, kind: 'vehicle', id: 'x' } as ProfileDeviceEntry],
    });
    expect(() => brokerAuth([], options('a:b/phone'))).toThrow(/login "a:b"/);
    expect(() => brokerAuth([], options('klimaklok-service/phone'))).toThrow(/MQTT_USERNAME/);
  });
});
