import { DeviceEntry } from '../../registry/devices/device-directory.service';
import { UnregisteredDevices } from './unregistered-devices';

describe('UnregisteredDevices', () => {
  const registry = new Map<string, DeviceEntry>();
  const asked: string[][] = [];
  const devices = new UnregisteredDevices(async (ids) => {
    asked.push(ids);
    return ids.flatMap((id) => (registry.has(id) ? [registry.get(id)!] : []));
  });

  it('asks PostgreSQL once per batch, and trusts a "not registered" only for messages received before it asked', async () => {
    expect(
      await devices.recheck(
        [
          { deviceId: 'a', seq: 1 },
          { deviceId: 'a', seq: 2 },
          { deviceId: 'b', seq: 3 },
        ],
        3,
      ),
    ).toEqual([]);
    expect(asked).toEqual([['a', 'b']]);

    // Messages received before that query (seq <= 3) need no new query: the answer covered them.
    expect(await devices.recheck([{ deviceId: 'a', seq: 2 }], 10)).toEqual([]);
    expect(asked).toHaveLength(1);

    // Registered meanwhile: a message received after the last query asks again and finds it.
    registry.set('a', { deviceId: 'a', kind: 'vehicle', id: 'v-1' });
    expect(await devices.recheck([{ deviceId: 'a', seq: 4 }], 11)).toEqual([{ deviceId: 'a', kind: 'vehicle', id: 'v-1' }]);
    expect(asked[1]).toEqual(['a']);

    // A found device is never remembered as absent.
    expect(await devices.recheck([{ deviceId: 'a', seq: 5 }], 12)).toHaveLength(1);
    expect(asked).toHaveLength(3);
  });
});
