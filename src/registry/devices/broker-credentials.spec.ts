import { createHmac } from 'node:crypto';
import { BrokerCredentialsError, brokerAuth, devicePassword } from './broker-credentials';

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
    expect(auth.deviceCount).toBe(3);
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
});
