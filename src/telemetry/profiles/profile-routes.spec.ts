import { ProfileDeviceEntry } from '../../registry/devices/device-directory.service';
import { ProfileRoutes } from './profile-routes';

const entry = (profile: ProfileDeviceEntry['profile'], identity: string, topic: string | null = null): ProfileDeviceEntry => ({
  profile,
  identity,
  topic,
  kind: profile === 'evcc' ? 'charge_point' : 'vehicle',
  id: `${profile}-${identity}`,
});

describe('ProfileRoutes', () => {
  const routes = new ProfileRoutes([
    entry('teslamate', '1'),
    entry('teslamate', 'home/2'),
    entry('ovms-v3', 'muni/EV01'),
    entry('ovms-v3', 'muni/EV02', 'fleet/vans/EV02/'),
    entry('evcc', 'depot/evcc/1'),
    entry('teltonika-json', '352093089612345'),
    entry('teltonika-json', '352093089600000', 'trackers/van9'),
    entry('owntracks', 'anna/golf'),
  ]);

  it('subscribes the default layout of each profile in use and every configured prefix, topic and root', () => {
    expect(routes.subscriptions()).toEqual(['+/data', 'depot/evcc/#', 'fleet/vans/EV02/metric/#', 'ovms/#', 'owntracks/#', 'teslamate/#', 'trackers/van9']);
    expect(new ProfileRoutes([]).subscriptions()).toEqual([]);
  });

  it('finds the identity and key of each profile topic', () => {
    expect(routes.route('teslamate/cars/1/odometer')).toEqual({ profile: 'teslamate', identity: '1', key: 'odometer' });
    expect(routes.route('teslamate/home/cars/2/speed')).toEqual({ profile: 'teslamate', identity: 'home/2', key: 'speed' });
    expect(routes.route('ovms/muni/EV01/metric/v/b/soc')).toEqual({ profile: 'ovms-v3', identity: 'muni/EV01', key: 'v.b.soc' });
    expect(routes.route('fleet/vans/EV02/metric/v/p/odometer')).toEqual({ profile: 'ovms-v3', identity: 'muni/EV02', key: 'v.p.odometer' });
    expect(routes.route('depot/evcc/loadpoints/1/chargePower')).toEqual({ profile: 'evcc', identity: 'depot/evcc/1', key: 'chargePower' });
    expect(routes.route('depot/evcc/updated')).toEqual({ profile: 'evcc', root: 'depot/evcc', site: 'updated' });
    expect(routes.route('evcc/loadpoints/2/connected')).toEqual({ profile: 'evcc', identity: 'evcc/2', key: 'connected' });
    expect(routes.route('352093089612345/data')).toEqual({ profile: 'teltonika-json', identity: '352093089612345' });
    expect(routes.route('trackers/van9')).toEqual({ profile: 'teltonika-json', identity: '352093089600000' });
    expect(routes.route('owntracks/anna/golf')).toEqual({ profile: 'owntracks', identity: 'anna/golf' });
  });

  it('leaves topics of no profile alone', () => {
    expect(routes.route('depot/evcc/site/gridPower')).toBeUndefined();
    expect(routes.route('teslamate/cars/x/odometer')).toBeUndefined();
    expect(routes.route('weather/data')).toBeUndefined();
  });
});
