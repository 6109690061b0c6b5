import { ProfileDeviceEntry } from '../../registry/devices/device-directory.service';
import { ProfileEntry, ProfileIngest } from './profile-ingest';
import { ProfileRoutes } from './profile-routes';
import { ChargeTotals } from './teslamate/charge-totals';

const car: ProfileDeviceEntry = { profile: 'teslamate', identity: '1', topic: null, kind: 'vehicle', id: '00000000-0000-0000-0000-000000000001' };
const cars = Array.from({ length: 5 }, (_, i): ProfileDeviceEntry => ({ ...car, identity: String(i + 1), id: `00000000-0000-0000-0000-00000000000${i + 1}` }));

function setup(options: { maxOpenWindows?: number; maxHeldDeliveries?: number } = {}) {
  const submitted: Array<{ entry: ProfileEntry; settle: (error?: unknown) => void }> = [];
  const routes = new ProfileRoutes(cars);
  const ingest = new ProfileIngest({
    windowMs: 60_000,
    maxOpenWindows: options.maxOpenWindows ?? 100,
    maxHeldDeliveries: options.maxHeldDeliveries ?? 100,
    routes: () => routes,
    recheck: async () => undefined,
    context: (now) => ({ now, horizonMs: 86_400_000, futureToleranceMs: 300_000, idTagSecret: 'x' }),
    submit: (entry, settle) => submitted.push({ entry, settle }),
    chargeTotals: new ChargeTotals(),
    jsonDecoders: {},
    count: () => undefined,
  });
  let seq = 0;
  const deliver = (topic: string, value: string, extra: { qos?: number; retain?: boolean } = {}) => {
    const settled = jest.fn();
    ingest.receive({ topic, payload: Buffer.from(value), qos: extra.qos ?? 1, retain: extra.retain ?? false, receivedAt: Date.now(), seq: ++seq }, settled);
    return settled;
  };
  return { ingest, submitted, deliver };
}

describe('ProfileIngest', () => {
  it('takes a retained delivery as a snapshot: acknowledged, never a sample', () => {
    const { ingest, submitted, deliver } = setup();
    const settled = deliver('teslamate/cars/1/odometer', '1234.5', { retain: true });
    ingest.closeAll();
    expect(settled).toHaveBeenCalledWith();
    expect(submitted).toHaveLength(0);
    ingest.stop();
  });

  it('acknowledges QoS 1 deliveries held in a window only after the sample holding them is settled', () => {
    const { ingest, submitted, deliver } = setup();
    const first = deliver('teslamate/cars/1/odometer', '10');
    const second = deliver('teslamate/cars/1/speed', '50');
    expect(first).not.toHaveBeenCalled();
    ingest.closeAll();
    expect(submitted).toHaveLength(1);
    expect(submitted[0].entry.rows.vehicleSamples[0]).toMatchObject({ odometerKm: 10, speedKmh: 50 });
    expect(first).not.toHaveBeenCalled();
    submitted[0].settle(new Error('commit failed'));
    expect(first).toHaveBeenCalledWith(expect.any(Error));
    expect(second).toHaveBeenCalledWith(expect.any(Error));
    ingest.stop();
  });

  it('stores nothing for a window that held only half a position, and acknowledges it', () => {
    const { ingest, submitted, deliver } = setup();
    const settled = deliver('teslamate/cars/1/latitude', '59.9');
    ingest.closeAll();
    expect(submitted).toHaveLength(0);
    expect(settled).toHaveBeenCalledTimes(1);
    expect(settled.mock.calls[0][0]).toBeUndefined(); // acknowledged: nothing failed
    ingest.stop();
  });

  it('settles QoS 0 deliveries at once: there is no acknowledgement to hold', () => {
    const { ingest, deliver } = setup();
    expect(deliver('teslamate/cars/1/odometer', '10', { qos: 0 })).toHaveBeenCalledWith();
    ingest.stop();
  });

  it('closes the oldest windows early when too many devices assemble or too many deliveries are held', () => {
    const devices = setup({ maxOpenWindows: 3 });
    for (const id of ['1', '2', '3', '4', '5']) devices.deliver(`teslamate/cars/${id}/odometer`, '10');
    expect(devices.ingest.openWindows).toBe(3);
    expect(devices.submitted.map(({ entry }) => entry.topic)).toEqual(['teslamate/cars/1/odometer', 'teslamate/cars/2/odometer']);
    devices.ingest.stop();

    const held = setup({ maxHeldDeliveries: 4 });
    for (const key of ['odometer', 'speed', 'battery_level']) held.deliver('teslamate/cars/1/' + key, '10');
    for (const key of ['odometer', 'speed']) held.deliver('teslamate/cars/2/' + key, '10');
    expect(held.submitted).toHaveLength(1);
    expect(held.submitted[0].entry.rows.vehicleSamples[0]).toMatchObject({ odometerKm: 10, speedKmh: 10, socPct: 10 });
    held.ingest.stop();
  });
});
