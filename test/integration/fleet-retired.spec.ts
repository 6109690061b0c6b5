import http from 'node:http';
import { AddressInfo } from 'node:net';
import { TestApp, bearer, startTestApp } from '../support/test-app';
import { aVehicle, anOrganization } from '../support/builders';
import { TestPublisher } from '../support/mqtt-publisher';
import { Sql } from '../support/sql';

type Event = { type: string; data: { vehicleId: string; status: string } };

/**
 * The live state's time: vehicles out of service (past `inServiceTo`) are `retired`, never
 * `offline`, in the state, the list and its status filter, the summary and the stream; and a
 * vehicle's online state follows the time its connection events state (amendment 1.1), so a
 * backfilled one never overrides a newer live state.
 */
describe('fleet: retired vehicles and stated connection times', () => {
  let t: TestApp;
  let device: TestPublisher;
  let sql: Sql;
  let server: http.Server;
  let admin: Record<string, string>;
  let department: string;

  beforeAll(async () => {
    t = await startTestApp({ VEHICLE_OFFLINE_AFTER: '4s', BACKFILL_HORIZON_DAYS: '3650' });
    admin = bearer(t.adminKey);
    sql = await Sql.connect(t.database.url);
    device = await TestPublisher.connect(t.broker.url);
    server = t.app.getHttpServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    department = (await t.http().post('/api/v1/organizations').set(admin).send(anOrganization()).expect(201)).body.id;
  });

  afterAll(async () => {
    await device?.close();
    await sql?.close();
    await t?.close();
  });

  async function register(deviceId: string, overrides: Record<string, unknown> = {}): Promise<string> {
    const id = (
      await t
        .http()
        .post('/api/v1/vehicles')
        .set(admin)
        .send(aVehicle(department, { deviceId, inServiceFrom: '2018-01-01', ...overrides }))
        .expect(201)
    ).body.id;
    await new Promise((resolve) => setTimeout(resolve, 500)); // the ingest's device list reloads on the registry's notification
    return id;
  }
  const vehicle = async (id: string) => (await t.http().get(`/api/v1/vehicles/${id}`).set(admin).expect(200)).body;
  const listed = async (status: string) => ((await t.http().get(`/api/v1/vehicles?status=${status}&limit=500`).set(admin).expect(200)).body.items as Array<{ id: string }>).map((v) => v.id);
  const stateRow = async (id: string) => (await sql.rows<{ status: string }>(`SELECT status FROM vehicle_state WHERE vehicle_id = $1`, [id]))[0]?.status;
  async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let value = await read();
    while (!done(value)) {
      if (Date.now() > deadline) throw new Error(`timed out: ${JSON.stringify(value)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      value = await read();
    }
    return value;
  }

  /** Collects the stream's events for `ms`. */
  function listen(ms: number): Promise<Event[]> {
    const { port } = server.address() as AddressInfo;
    const events: Event[] = [];
    return new Promise((resolve, reject) => {
      const request = http.get({ host: '127.0.0.1', port, path: '/api/v1/fleet/stream', headers: admin }, (response) => {
        if (response.statusCode !== 200) reject(new Error(`stream answered ${response.statusCode}`));
        let buffer = '';
        response.on('data', (chunk) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (data) events.push({ type: /^event: (.*)$/m.exec(block)?.[1] ?? 'message', data: JSON.parse(data) });
          }
        });
      });
      request.on('error', (error) => (events.length ? undefined : reject(error)));
      setTimeout(() => {
        request.destroy();
        resolve(events);
      }, ms).unref();
    });
  }

  it('a vehicle retired in 2019 with its history, and one without any data, are retired, never offline', async () => {
    const withHistory = await register('veh-retired-2019', { inServiceTo: '2019-06-30' });
    const withoutData = await register('veh-retired-silent', { inServiceTo: '2019-06-30' });
    const inService = await register('veh-in-service');
    const stream = listen(8000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await device.publish('fleet/v1/vehicles/veh-retired-2019/telemetry', [
      { ts: '2019-06-29T08:00:00Z', odometerKm: 81000, speedKmh: 0 },
      { ts: '2019-06-29T09:00:00Z', odometerKm: 81020, speedKmh: 30 },
    ]);
    await device.publish('fleet/v1/vehicles/veh-in-service/telemetry', { ts: Date.now(), odometerKm: 1000, speedKmh: 10 });

    expect(
      await until(
        () => stateRow(withHistory),
        (status) => status !== undefined,
      ),
    ).toBe('retired');
    expect((await vehicle(withHistory)).status).toBe('retired');
    expect(await vehicle(withoutData)).toMatchObject({ status: 'retired', state: null });
    // The one in service goes silent: offline after 4 s; the retired ones stay retired.
    await until(
      () => vehicle(inService),
      (v) => v.status === 'offline',
    );
    expect(await listed('retired')).toEqual(expect.arrayContaining([withHistory, withoutData]));
    expect(await listed('retired')).not.toContain(inService);
    expect(await listed('offline')).toContain(inService);
    expect(await listed('offline')).not.toContain(withHistory);
    expect(await listed('offline')).not.toContain(withoutData);
    const summary = (await t.http().get('/api/v1/fleet/summary').set(admin).expect(200)).body;
    expect(summary.byStatus).toMatchObject({ retired: 2, offline: 1 });

    const events = (await stream).filter((e) => e.data.vehicleId === withHistory);
    expect(events.map((e) => e.data.status)).toEqual(['retired']);
  });

  it('a vehicle whose last day in service passes becomes retired in the state and on the stream, and is not marked offline', async () => {
    const id = await register('veh-retiring');
    await device.publish('fleet/v1/vehicles/veh-retiring/telemetry', { ts: Date.now(), odometerKm: 500, speedKmh: 20 });
    await until(
      () => vehicle(id),
      (v) => v.status === 'online',
    );
    const stream = listen(9000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Its last day in service has passed (two UTC days back is before today in Oslo whatever the hour).
    const pastDay = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
    await t.http().patch(`/api/v1/vehicles/${id}`).set(admin).send({ inServiceTo: pastDay }).expect(200);
    expect((await vehicle(id)).status).toBe('retired'); // the registry's date decides at once
    expect(
      await until(
        () => stateRow(id),
        (status) => status === 'retired',
      ),
    ).toBe('retired'); // the sweep catches up
    // Silent for longer than VEHICLE_OFFLINE_AFTER (4 s) by the end of the stream: still retired, no offline event.
    const events = (await stream).filter((e) => e.data.vehicleId === id);
    expect(events.map((e) => e.data.status)).toEqual(['retired']);
    expect(await stateRow(id)).toBe('retired');

    // Back in service (the date removed): judged again as any vehicle.
    await t.http().patch(`/api/v1/vehicles/${id}`).set(admin).send({ inServiceTo: null }).expect(200);
    expect(
      (
        await until(
          () => vehicle(id),
          (v) => v.status !== 'retired' && v.status !== 'unknown',
        )
      ).status,
    ).toBe('offline');
  });

  it('online state follows the stated time of connection events: a backfilled one never overrides a newer live state', async () => {
    const id = await register('veh-backfill');
    await device.publish('fleet/v1/vehicles/veh-backfill/telemetry', { ts: Date.now(), odometerKm: 10, speedKmh: 5 });
    await device.publish('fleet/v1/vehicles/veh-backfill/connection', 'online');
    await until(
      () => vehicle(id),
      (v) => v.state?.connection === 'online',
    );
    // A gateway's history: an `offline` stated an hour ago arrives now.
    await device.publish('fleet/v1/vehicles/veh-backfill/connection', { state: 'offline', ts: new Date(Date.now() - 3_600_000).toISOString() });
    await sql.waitForCount(`SELECT 1 FROM device_connection_events WHERE device_ref = $1`, 2, [id]);
    await device.publish('fleet/v1/vehicles/veh-backfill/telemetry', { ts: Date.now(), odometerKm: 11, speedKmh: 5 }); // derives again
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await vehicle(id)).toMatchObject({ status: 'online', state: { connection: 'online' } });
    // An `offline` stated now is the newest: the vehicle is offline.
    await device.publish('fleet/v1/vehicles/veh-backfill/connection', { state: 'offline', ts: Date.now() + 1000 });
    expect(
      await until(
        () => vehicle(id),
        (v) => v.status === 'offline',
      ),
    ).toMatchObject({ state: { connection: 'offline' } });
  });
});
