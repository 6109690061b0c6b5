import { evccBodies } from './evcc/evcc';
import { ovmsBodies, ovmsValueKind } from './ovms-v3/ovms-v3';
import { ChargeTotals } from './teslamate/charge-totals';
import { teslamateBodies, teslamateValueKind } from './teslamate/teslamate';

const values = (entries: Record<string, string | undefined>) => new Map(Object.entries(entries));

describe('ovms-v3', () => {
  it('stamps with v.p.gpstime only when it moved on since the last stamp', () => {
    const window = values({ 'v.p.gpstime': '1795503616', 'v.p.odometer': '1.23457e+06', 'v.e.on': 'yes' });
    expect(ovmsBodies(window, 5, undefined)).toEqual({ vehicle: { ts: 1795503616000, odometerKm: 1234570, ignition: true }, gpstimeMs: 1795503616000 });
    expect(ovmsBodies(window, 5, 1795503616000)).toEqual({ vehicle: { ts: 5, odometerKm: 1234570, ignition: true }, gpstimeMs: undefined });
  });

  it('drops a position without its other half, and reads connected as the connection event', () => {
    expect(ovmsBodies(values({ 'v.p.latitude': '59.9', 'v.p.speed': '' }), 7, undefined).vehicle).toEqual({ ts: 7 });
    expect(ovmsValueKind('s.v3.connected', 'no')).toEqual({ kind: 'connection', state: 'offline' });
    expect(ovmsValueKind('v.b.12v.voltage', '12.6')).toEqual({ kind: 'ignored' });
  });
});

describe('teslamate', () => {
  it('maps state and charging_state, prefers location, and takes Elixir floats', () => {
    const body = teslamateBodies(values({ state: 'charging', charging_state: 'Charging', location: '{"latitude":59.9,"longitude":10.5}', latitude: '1', odometer: '1.0e6' }), 9, undefined).vehicle;
    expect(body).toEqual({ ts: 9, ignition: false, charging: true, speedKmh: 0, lat: 59.9, lon: 10.5, odometerKm: 1_000_000 });
    expect(teslamateValueKind('healthy', 'true')).toEqual({ kind: 'connection', state: 'online' });
  });

  it('reads a state other than driving without a speed as standing still (TeslaMate never clears speed)', () => {
    expect(teslamateBodies(values({ state: 'online' }), 9, undefined).vehicle).toEqual({ ts: 9, ignition: false, speedKmh: 0 });
    expect(teslamateBodies(values({ state: 'driving', speed: '33' }), 9, undefined).vehicle).toEqual({ ts: 9, ignition: true, speedKmh: 33 });
    expect(teslamateBodies(values({ speed: '33' }), 9, undefined).vehicle).toEqual({ ts: 9, speedKmh: 33 });
    expect(teslamateBodies(values({ state: 'suspended', speed: '' }), 9, undefined).vehicle).toEqual({ ts: 9, ignition: false });
    // an empty payload arrives as a value of undefined: unknown, not standing still
    expect(teslamateBodies(values({ state: 'suspended', speed: undefined }), 9, undefined).vehicle).toEqual({ ts: 9, ignition: false });
  });

  it('adds a session to the total once, when the next one starts', () => {
    const totals = new ChargeTotals();
    totals.load([{ vehicleId: 'car', closedSessionsKwh: 10, sessionKwh: 8.42, version: 3 }]);
    expect(totals.add('car', 8.42).totalKwh).toBe(18.42); // re-delivered: nothing new
    expect(totals.add('car', 0).totalKwh).toBe(18.42);
    expect(totals.add('car', 2.48)).toEqual({ totalKwh: 20.9, row: { vehicleId: 'car', closedSessionsKwh: 18.42, sessionKwh: 2.48, version: 6 } });
  });
});

describe('evcc', () => {
  it('turns kWh into Wh and takes a flag missing from the window from the last known', () => {
    const known = {};
    expect(evccBodies(values({ connected: 'true', charging: 'false', chargeTotalImport: '4711.296', chargePower: '0' }), 1000, known)).toEqual({
      status: { ts: 1000, connectorId: 1, status: 'Preparing' },
      meter: { ts: 1000, connectorId: 1, energyWh: 4711296, powerW: 0 },
    });
    expect(evccBodies(values({ charging: 'true' }), 2000, known)).toEqual({ status: { ts: 2000, connectorId: 1, status: 'Charging' } });
    expect(evccBodies(values({ connected: 'false' }), 3000, known)).toEqual({ status: { ts: 3000, connectorId: 1, status: 'Available' } });
  });
});
