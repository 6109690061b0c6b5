import http from 'node:http';
import { AddressInfo } from 'node:net';
import { TestApp, bearer, startTestApp } from '../support/test-app';
import { aVehicle, anOrganization } from '../support/builders';
import { TestPublisher } from '../support/mqtt-publisher';

/** Offline detection and the live stream: a vehicle that goes silent is reported offline, and an SSE client sees it. */
describe('fleet: live status', () => {
  let t: TestApp;
  let device: TestPublisher;
  let server: http.Server;

  beforeAll(async () => {
    t = await startTestApp({ INGEST_CONNECTIONS: '2', VEHICLE_OFFLINE_AFTER: '4s' });
    device = await TestPublisher.connect(t.broker.url);
    server = t.app.getHttpServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await device?.close();
    await t?.close();
  });

  /** Collects server-sent events of the stream until `until` says stop. */
  function listen(key: string, until: (events: Array<{ type: string; data: unknown }>) => boolean, timeoutMs: number) {
    const { port } = server.address() as AddressInfo;
    const events: Array<{ type: string; data: unknown }> = [];
    return new Promise<typeof events>((resolve, reject) => {
      const request = http.get({ host: '127.0.0.1', port, path: '/api/v1/fleet/stream', headers: bearer(key) }, (response) => {
        if (response.statusCode !== 200) reject(new Error(`stream answered ${response.statusCode}`));
        let buffer = '';
        response.on('data', (chunk) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const type = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (data) events.push({ type, data: JSON.parse(data) });
          }
          if (until(events)) {
            request.destroy();
            resolve(events);
          }
        });
      });
      request.on('error', (error) => (events.length ? undefined : reject(error)));
      setTimeout(() => {
        request.destroy();
        resolve(events);
      }, timeoutMs).unref();
    });
  }

  it('reports a silent vehicle offline within VEHICLE_OFFLINE_AFTER + 1 min and streams the change', async () => {
    const admin = bearer(t.adminKey);
    const department = (await t.http().post('/api/v1/organizations').set(admin).send(anOrganization()).expect(201)).body.id;
    const id = (
      await t
        .http()
        .post('/api/v1/vehicles')
        .set(admin)
        .send(aVehicle(department, { deviceId: 'veh-silent' }))
        .expect(201)
    ).body.id;
    await new Promise((resolve) => setTimeout(resolve, 500));
    const fleetManager = await t.keyFor('fleet_manager');

    const mine = (events: Array<{ type: string; data: unknown }>) => events.filter((e) => (e.data as { vehicleId: string }).vehicleId === id);
    const stream = listen(fleetManager, (events) => mine(events).some((e) => (e.data as { status: string }).status === 'offline'), 30_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const lastMessageAt = Date.now();
    await device.publish('fleet/v1/vehicles/veh-silent/telemetry', { ts: lastMessageAt, speedKmh: 12, lat: 59.9, lon: 10.5 });

    const events = mine(await stream);
    expect(events.map((e) => (e.data as { status: string }).status)).toEqual(['online', 'offline']);
    expect(events.every((e) => e.type === 'status')).toBe(true);
    const offlineAt = Date.parse((events[1].data as { since: string }).since);
    expect(offlineAt - lastMessageAt).toBeGreaterThanOrEqual(4000);
    expect(offlineAt - lastMessageAt).toBeLessThan(4000 + 60_000);
    const vehicle = (await t.http().get(`/api/v1/vehicles/${id}`).set(admin).expect(200)).body;
    expect(vehicle.status).toBe('offline');
  });
});
