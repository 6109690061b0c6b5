import { RPCClient } from 'ocpp-rpc';
import { createApp } from '../../src/app';
import { PinoLoggerService } from '../../src/platform/logging/pino-logger.service';
import { OcppEndpointService } from '../../src/ocpp/ocpp-endpoint.service';
import { aChargePoint, aCooperative } from '../support/builders';
import { connectChargePoint, nextFrame, opened, rawSocket, upgradeStatus } from '../support/ocpp-client';
import { Sql } from '../support/sql';
import { TestApp, bearer, startTestApp } from '../support/test-app';

/**
 * shared/spec/ocpp-1.6j.md driven by a real OCPP-J client (ocpp-rpc's RPCClient in strict mode,
 * which also checks every answer against the OCPP 1.6 schemas), and by raw WebSockets for what
 * no library sends.
 */
describe('OCPP 1.6J endpoint', () => {
  let t: TestApp;
  let sql: Sql;
  let port: number;
  let cooperativeId: string;
  const clients: RPCClient[] = [];

  async function aRegisteredChargePoint(): Promise<{ id: string; deviceId: string; password: string }> {
    const point = (
      await t
        .http()
        .post('/api/v1/chargepoints')
        .set(bearer(t.adminKey))
        .send(aChargePoint(cooperativeId, { protocol: 'ocpp' }))
        .expect(201)
    ).body;
    const { password } = (await t.http().post(`/api/v1/charge-points/${point.id}/ocpp-password`).set(bearer(t.adminKey)).send({}).expect(201)).body;
    return { id: point.id, deviceId: point.deviceId, password };
  }

  async function connect(deviceId: string, password: string, options: { strict?: boolean } = {}) {
    const client = await connectChargePoint(port, deviceId, password, options);
    clients.push(client);
    return client;
  }

  async function callError(work: Promise<unknown>): Promise<{ code: string; message: string }> {
    try {
      await work;
    } catch (error) {
      return { code: (error as { rpcErrorCode: string }).rpcErrorCode, message: (error as Error).message };
    }
    throw new Error('expected a CALLERROR');
  }

  const minutesFromNow = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();

  beforeAll(async () => {
    t = await startTestApp({ APP_ROLES: 'api,ocpp', OCPP_PING_INTERVAL: '1s' });
    sql = await Sql.connect(t.database.url);
    port = t.app.get(OcppEndpointService).port;
    cooperativeId = (await t.http().post('/api/v1/organizations').set(bearer(t.adminKey)).send(aCooperative()).expect(201)).body.id;
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close({ force: true })));
  });

  afterAll(async () => {
    await sql?.close();
    await t?.close();
  });

  it('keeps protocol and password through the charge-point API, the password only as a salted hash', async () => {
    const cp = await aRegisteredChargePoint();
    const [row] = await sql.rows<{ protocol: string; hash: string }>(`SELECT protocol, ocpp_password_hash AS hash FROM charge_points WHERE id = $1`, [cp.id]);
    expect(row.protocol).toBe('ocpp');
    expect(row.hash).toMatch(/^scrypt\$/);
    expect(row.hash).not.toContain(cp.password);
    const read = (await t.http().get(`/api/v1/chargepoints/${cp.id}`).set(bearer(t.adminKey)).expect(200)).body;
    expect(read.protocol).toBe('ocpp');
    expect(JSON.stringify(read)).not.toContain('scrypt');
    await t.http().post(`/api/v1/chargepoints/${cp.id}/ocpp-password`).set(bearer(t.adminKey)).send({ password: 'too short' }).expect(400);
    const chosen = 'a chosen password of 28 chars';
    expect((await t.http().post(`/api/v1/chargepoints/${cp.id}/ocpp-password`).set(bearer(t.adminKey)).send({ password: chosen }).expect(201)).body).toEqual({ password: chosen });
    const cooperative = await t.keyFor('cooperative', cooperativeId);
    await t.http().post(`/api/v1/chargepoints/${cp.id}/ocpp-password`).set(bearer(cooperative)).send({}).expect(403);
  });

  it('answers each action of the spec as it says, and stores boot information and the last message time', async () => {
    const cp = await aRegisteredChargePoint();
    const client = await connect(cp.deviceId, cp.password);
    const boot = (await client.call('BootNotification', { chargePointVendor: 'Zaptec', chargePointModel: 'Go', chargePointSerialNumber: 'ZAP123', firmwareVersion: '2.1.0' })) as Record<
      string,
      unknown
    >;
    expect(boot).toEqual({ status: 'Accepted', currentTime: expect.any(String), interval: 300 });
    expect(Math.abs(Date.parse(boot.currentTime as string) - Date.now())).toBeLessThan(5000);
    expect(await client.call('Heartbeat', {})).toEqual({ currentTime: expect.any(String) });
    expect(await client.call('StatusNotification', { connectorId: 1, status: 'Available', errorCode: 'NoError', timestamp: minutesFromNow(-10) })).toEqual({});
    expect(await client.call('Authorize', { idTag: 'TAG-1' })).toEqual({ idTagInfo: { status: 'Accepted' } });
    expect(await client.call('DataTransfer', { vendorId: 'com.example', data: 'x' })).toEqual({ status: 'UnknownVendorId' });
    expect(await client.call('DiagnosticsStatusNotification', { status: 'Idle' })).toEqual({});
    expect(await client.call('FirmwareStatusNotification', { status: 'Installed' })).toEqual({});
    const start = { connectorId: 1, idTag: 'TAG-1', meterStart: 1000, timestamp: minutesFromNow(-9) };
    const started = (await client.call('StartTransaction', start)) as { transactionId: number; idTagInfo: unknown };
    expect(started.idTagInfo).toEqual({ status: 'Accepted' });
    expect(Number.isInteger(started.transactionId) && started.transactionId > 0 && started.transactionId <= 2 ** 31 - 1).toBe(true);
    // A re-sent StartTransaction gets the same id and is stored once.
    expect(((await client.call('StartTransaction', start)) as { transactionId: number }).transactionId).toBe(started.transactionId);
    expect(await client.call('MeterValues', { connectorId: 1, transactionId: started.transactionId, meterValue: [{ timestamp: minutesFromNow(-8), sampledValue: [{ value: '1500' }] }] })).toEqual({});
    const stop = { transactionId: started.transactionId, meterStop: 2500, timestamp: minutesFromNow(-7), reason: 'Local', idTag: 'TAG-1' };
    expect(await client.call('StopTransaction', stop)).toEqual({ idTagInfo: { status: 'Accepted' } });
    const { idTag: _idTag, ...withoutTag } = stop;
    void _idTag;
    expect(await client.call('StopTransaction', { ...withoutTag, timestamp: minutesFromNow(-6) })).toEqual({});

    const events = await sql.rows<{ event: string; connector: number; tx: string; wh: number; tag: Buffer | null }>(
      `SELECT event, connector_id AS connector, transaction_id AS tx, meter_wh AS wh, id_tag_hash AS tag FROM charge_point_transactions WHERE charge_point_id = $1 ORDER BY ts`,
      [cp.id],
    );
    expect(events.map(({ event, connector, tx, wh }) => ({ event, connector, tx, wh }))).toEqual([
      { event: 'start', connector: 1, tx: String(started.transactionId), wh: 1000 },
      { event: 'stop', connector: 1, tx: String(started.transactionId), wh: 2500 },
      { event: 'stop', connector: 1, tx: String(started.transactionId), wh: 2500 },
    ]);
    expect(events[0].tag).toHaveLength(32);
    expect(JSON.stringify(await sql.rows(`SELECT * FROM charge_point_transactions`))).not.toContain('TAG-1');
    expect(await sql.count(`SELECT 1 FROM charge_point_status WHERE charge_point_id = $1 AND status = 'Available'`, [cp.id])).toBe(1);
    expect(await sql.count(`SELECT 1 FROM charge_point_meter WHERE charge_point_id = $1 AND energy_wh = 1500 AND transaction_id = $2`, [cp.id, String(started.transactionId)])).toBe(1);

    const [info] = await sql.rows<Record<string, unknown>>(`SELECT vendor, model, serial, firmware FROM charge_point_ocpp WHERE charge_point_id = $1`, [cp.id]);
    expect(info).toEqual({ vendor: 'Zaptec', model: 'Go', serial: 'ZAP123', firmware: '2.1.0' });
    await sql.waitForCount(`SELECT 1 FROM charge_point_ocpp WHERE charge_point_id = $1 AND last_message_at > now() - interval '1 minute'`, 1, [cp.id]);
    const read = (await t.http().get(`/api/v1/chargepoints/${cp.id}`).set(bearer(t.adminKey)).expect(200)).body;
    expect(read.ocpp).toMatchObject({ vendor: 'Zaptec', model: 'Go', serial: 'ZAP123', firmware: '2.1.0' });
    expect(Date.now() - Date.parse(read.ocpp.lastMessageAt)).toBeLessThan(60_000);
  });

  it('converts kWh to Wh and kW to W, keeps per-phase values and other measurands out of the totals (in extra), SoC as socPct, reads timestamps without offset as UTC', async () => {
    const cp = await aRegisteredChargePoint();
    const client = await connect(cp.deviceId, cp.password);
    const local = new Date(Date.now() - 30 * 60_000).toISOString().slice(0, 19); // no offset
    await client.call('MeterValues', {
      connectorId: 2,
      meterValue: [
        {
          timestamp: local,
          sampledValue: [
            { value: '7.1', measurand: 'Power.Active.Import', unit: 'kW', phase: 'L1' },
            { value: '12.345', measurand: 'Energy.Active.Import.Register', unit: 'kWh' },
            { value: '3.2', measurand: 'Energy.Active.Import.Register', unit: 'kWh', phase: 'L2' },
            { value: '7.2', measurand: 'Power.Active.Import', unit: 'kW' },
            { value: '55', measurand: 'SoC', unit: 'Percent', location: 'EV' },
            { value: '230.1', measurand: 'Voltage', unit: 'V', phase: 'L1-N' },
          ],
        },
        { timestamp: new Date(Date.parse(`${local}Z`) + 60_000).toISOString(), sampledValue: [{ value: '12400' }] },
      ],
    });
    const rows = await sql.rows<{ ts: Date; energy: number; power: number | null; soc: number | null; extra: Record<string, number> | null }>(
      `SELECT ts, energy_wh AS energy, power_w AS power, soc_pct AS soc, extra FROM charge_point_meter WHERE charge_point_id = $1 AND connector_id = 2 ORDER BY ts`,
      [cp.id],
    );
    expect(rows).toHaveLength(2);
    expect(rows[0].ts.toISOString()).toBe(`${local}.000Z`);
    expect(rows[0].energy).toBeCloseTo(12345, 6);
    expect(rows[0].power).toBeCloseTo(7200, 6);
    expect(rows[0].soc).toBe(55);
    expect(rows[0].extra).toEqual({ 'Power.Active.Import.L1 (kW)': 7.1, 'Energy.Active.Import.Register.L2 (kWh)': 3.2, 'Voltage.L1-N (V)': 230.1 });
    expect(rows[1]).toMatchObject({ energy: 12400, power: null, soc: null, extra: null });
    await client.call('StatusNotification', { connectorId: 2, status: 'Faulted', errorCode: 'OtherError', vendorErrorCode: 'E-417', timestamp: local });
    const [status] = await sql.rows<{ ts: Date; vendor: string }>(`SELECT ts, vendor_error_code AS vendor FROM charge_point_status WHERE charge_point_id = $1 AND connector_id = 2`, [cp.id]);
    expect(status.ts.toISOString()).toBe(`${local}.000Z`);
    expect(status.vendor).toBe('E-417');
  });

  it("stores each meterValue of a StopTransaction's transactionData as a meter sample of the transaction, with its own timestamp", async () => {
    const cp = await aRegisteredChargePoint();
    const client = await connect(cp.deviceId, cp.password);
    const { transactionId } = (await client.call('StartTransaction', { connectorId: 2, idTag: 'T', meterStart: 100, timestamp: minutesFromNow(-50) })) as { transactionId: number };
    const sampled = (wh: number, w: number) => [
      { value: String(wh), context: 'Sample.Periodic', measurand: 'Energy.Active.Import.Register', location: 'Outlet', unit: 'Wh' },
      { value: String(w), context: 'Sample.Periodic', measurand: 'Power.Active.Import', location: 'Outlet', unit: 'W' },
    ];
    const times = [minutesFromNow(-45), minutesFromNow(-30), minutesFromNow(-15)];
    const transactionData = [
      { timestamp: times[0], sampledValue: sampled(400, 7100) },
      { timestamp: times[1], sampledValue: sampled(2200, 7000) },
      { timestamp: times[2], sampledValue: sampled(3000, 0) },
    ];
    expect(await client.call('StopTransaction', { transactionId, meterStop: 3000, timestamp: minutesFromNow(-10), reason: 'EVDisconnected', transactionData })).toEqual({});
    const rows = await sql.rows<{ ts: Date; connector: number; tx: string; energy: number; power: number }>(
      `SELECT ts, connector_id AS connector, transaction_id AS tx, energy_wh AS energy, power_w AS power FROM charge_point_meter WHERE charge_point_id = $1 ORDER BY ts`,
      [cp.id],
    );
    expect(rows.map((row) => ({ ...row, ts: row.ts.toISOString() }))).toEqual([
      { ts: times[0], connector: 2, tx: String(transactionId), energy: 400, power: 7100 },
      { ts: times[1], connector: 2, tx: String(transactionId), energy: 2200, power: 7000 },
      { ts: times[2], connector: 2, tx: String(transactionId), energy: 3000, power: 0 },
    ]);
  });

  it('refuses future timestamps like an MQTT sample, and stores a stop whose transaction id it never issued', async () => {
    const cp = await aRegisteredChargePoint();
    const client = await connect(cp.deviceId, cp.password);
    const future = await callError(client.call('StatusNotification', { connectorId: 1, status: 'Available', errorCode: 'NoError', timestamp: minutesFromNow(10) }));
    expect(future.code).toBe('PropertyConstraintViolation');
    expect(future.message).toMatch(/timestamp_in_future/);
    await sql.waitForCount(`SELECT 1 FROM dead_letters WHERE device_id = $1 AND reason = 'timestamp_in_future' AND topic = $2`, 1, [cp.deviceId, `ocpp/${cp.deviceId}/StatusNotification`]);
    // A meter value of its own in the future is dropped; the others of the message are kept.
    await client.call('MeterValues', {
      connectorId: 1,
      meterValue: [
        { timestamp: minutesFromNow(-3), sampledValue: [{ value: '10' }] },
        { timestamp: minutesFromNow(30), sampledValue: [{ value: '20' }] },
      ],
    });
    expect(await sql.count(`SELECT 1 FROM charge_point_meter WHERE charge_point_id = $1`, [cp.id])).toBe(1);
    expect(await sql.count(`SELECT 1 FROM dead_letters WHERE device_id = $1 AND reason = 'timestamp_in_future' AND sample_index = 1`, [cp.deviceId])).toBe(1);

    // Started under another central system (no start here): stored on connector 0, kept as unmatched.
    expect(await client.call('StopTransaction', { transactionId: 987654, meterStop: 5000, timestamp: minutesFromNow(-2) })).toEqual({});
    expect(await sql.rows(`SELECT event, connector_id AS connector, transaction_id AS tx FROM charge_point_transactions WHERE charge_point_id = $1`, [cp.id])).toEqual([
      { event: 'stop', connector: 0, tx: '987654' },
    ]);
    // A start reported here, its stop with the id another central system gave: it ends that transaction by time.
    const { transactionId } = (await client.call('StartTransaction', { connectorId: 2, idTag: 'T', meterStart: 100, timestamp: minutesFromNow(-1.5) })) as { transactionId: number };
    await client.call('StopTransaction', { transactionId: 555, meterStop: 900, timestamp: minutesFromNow(-1) });
    expect(
      await sql.rows(`SELECT transaction_id::int AS id, connector_id AS connector, matched_transaction_id AS matched FROM ocpp_unmatched_stops WHERE charge_point_id = $1 ORDER BY ts`, [cp.id]),
    ).toEqual([
      { id: 987654, connector: 0, matched: null },
      { id: 555, connector: 2, matched: String(transactionId) },
    ]);
    expect(await sql.count(`SELECT 1 FROM charge_point_transactions WHERE charge_point_id = $1 AND event = 'stop' AND connector_id = 2 AND transaction_id = $2`, [cp.id, String(transactionId)])).toBe(
      1,
    );
  });

  it('answers schema violations, unknown and unsupported actions with the matching CALLERROR and a dead letter, the connection staying open', async () => {
    const cp = await aRegisteredChargePoint();
    const client = await connect(cp.deviceId, cp.password, { strict: false });
    const status = { connectorId: 1, status: 'Available', errorCode: 'NoError' };
    expect((await callError(client.call('StatusNotification', { ...status, connectorId: '1' }))).code).toBe('TypeConstraintViolation');
    expect((await callError(client.call('StatusNotification', { ...status, colour: 'red' }))).code).toBe('PropertyConstraintViolation');
    expect((await callError(client.call('StatusNotification', { connectorId: 1, status: 'Available' }))).code).toBe('OccurrenceConstraintViolation');
    expect((await callError(client.call('StatusNotification', { ...status, status: 'Busy' }))).code).toBe('FormationViolation');
    expect((await callError(client.call('FlyToTheMoon', {}))).code).toBe('NotImplemented');
    expect((await callError(client.call('Reset', { type: 'Hard' }))).code).toBe('NotSupported');
    expect(await client.call('Heartbeat', {})).toEqual({ currentTime: expect.any(String) });
    const reasons = await sql.rows<{ reason: string; n: number }>(`SELECT reason, count(*)::int AS n FROM dead_letters WHERE device_id = $1 GROUP BY reason ORDER BY reason`, [cp.deviceId]);
    expect(reasons).toEqual([
      { reason: 'schema_violation', n: 4 },
      { reason: 'unknown_topic', n: 2 },
    ]);
  });

  it('refuses the upgrade with 400 without the ocpp1.6 subprotocol, 401 for a wrong, missing or other password, 404 for an unknown charge point', async () => {
    const cp = await aRegisteredChargePoint();
    const other = await aRegisteredChargePoint();
    const path = `/ocpp/${cp.deviceId}`;
    expect(await upgradeStatus(rawSocket(port, path, { user: cp.deviceId, password: cp.password }))).toBe(400);
    expect(await upgradeStatus(rawSocket(port, path, { protocols: ['ocpp2.0.1'], user: cp.deviceId, password: cp.password }))).toBe(400);
    expect(await upgradeStatus(rawSocket(port, path, { protocols: ['ocpp1.6'] }))).toBe(401);
    expect(await upgradeStatus(rawSocket(port, path, { protocols: ['ocpp1.6'], user: cp.deviceId, password: 'wrong-password-of-some-length' }))).toBe(401);
    expect(await upgradeStatus(rawSocket(port, path, { protocols: ['ocpp1.6'], user: cp.deviceId, password: other.password }))).toBe(401);
    expect(await upgradeStatus(rawSocket(port, '/ocpp/no-such-charge-point', { protocols: ['ocpp1.6'], user: 'no-such-charge-point', password: cp.password }))).toBe(404);
    expect(await upgradeStatus(rawSocket(port, '/ocpp/%E0%A4%A', { protocols: ['ocpp1.6'] }))).toBe(404);
    expect(await upgradeStatus(rawSocket(port, path, { protocols: ['ocpp1.6'], user: cp.deviceId, password: cp.password }))).toBe(0);
    // Rotation: the old password no longer opens a connection.
    const rotated = (await t.http().post(`/api/v1/chargepoints/${cp.id}/ocpp-password`).set(bearer(t.adminKey)).send({}).expect(201)).body.password;
    expect(rotated).not.toBe(cp.password);
    expect(await upgradeStatus(rawSocket(port, path, { protocols: ['ocpp1.6'], user: cp.deviceId, password: cp.password }))).toBe(401);
    expect(await upgradeStatus(rawSocket(port, path, { protocols: ['ocpp1.6'], user: cp.deviceId, password: rotated }))).toBe(0);
    const metrics = (await t.http().get('/metrics').set(bearer(t.adminKey))).text;
    expect(metrics).toMatch(/klimaklok_ocpp_handshakes_refused_total\{status="401"\} [4-9]/);
  });

  it('answers a frame that is not OCPP-J with FormationViolation and goes on; ignores answers to calls it never made; closes on frames over 256 KiB with 1009', async () => {
    const cp = await aRegisteredChargePoint();
    const socket = rawSocket(port, `/ocpp/${cp.deviceId}`, { protocols: ['ocpp1.6'], user: cp.deviceId, password: cp.password });
    await opened(socket);
    socket.send('this is not json');
    expect(await nextFrame(socket)).toEqual([4, '-1', 'FormationViolation', expect.any(String), {}]);
    socket.send(JSON.stringify({ not: 'a frame' }));
    expect((await nextFrame(socket))[2]).toBe('FormationViolation');
    socket.send(JSON.stringify([3, 'never-asked', {}]));
    socket.send(JSON.stringify([4, 'never-asked-either', 'GenericError', '', {}]));
    socket.send(JSON.stringify([2, 'hb-1', 'Heartbeat', {}]));
    expect(await nextFrame(socket)).toEqual([3, 'hb-1', { currentTime: expect.any(String) }]);
    const metrics = (await t.http().get('/metrics').set(bearer(t.adminKey))).text;
    expect(metrics).toMatch(/klimaklok_ocpp_unsolicited_responses_total [2-9]/);
    expect((await t.http().get('/health')).body.roles.ocpp).toEqual({ status: 'up', port, connections: 1 });
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.send(JSON.stringify([2, 'big', 'DataTransfer', { vendorId: 'x', data: 'y'.repeat(256 * 1024) }]));
    expect(await closed).toBe(1009);
  });

  it('records opening and closing as online and offline at server time; a second connection replaces the first without an offline', async () => {
    const cp = await aRegisteredChargePoint();
    const before = Date.now();
    const first = await connect(cp.deviceId, cp.password);
    const firstClosed = new Promise<void>((resolve) => first.once('close', () => resolve()));
    const second = await connect(cp.deviceId, cp.password);
    await firstClosed;
    expect(await second.call('Heartbeat', {})).toEqual({ currentTime: expect.any(String) });
    await second.close();
    const query = `SELECT state FROM device_connection_events WHERE device_ref = $1 ORDER BY ts`;
    await sql.waitForCount(query, 3, [cp.id]);
    const events = await sql.rows<{ state: string; ts: Date }>(`SELECT state, ts FROM device_connection_events WHERE device_ref = $1 ORDER BY ts`, [cp.id]);
    expect(events.map((event) => event.state)).toEqual(['online', 'online', 'offline']);
    for (const event of events) expect(event.ts.getTime()).toBeGreaterThanOrEqual(before - 5);
  });

  it('replaces a connection held by another ocpp process (behind a load balancer) without an offline', async () => {
    const other = await createApp({ ...t.config, roles: new Set(['ocpp'] as const), ocpp: { ...t.config.ocpp, port: 0 } }, new PinoLoggerService('silent'));
    try {
      await other.init();
      const cp = await aRegisteredChargePoint();
      const first = await connect(cp.deviceId, cp.password);
      const firstClosed = new Promise<void>((resolve) => first.once('close', () => resolve()));
      const second = await connectChargePoint(other.get(OcppEndpointService).port, cp.deviceId, cp.password);
      clients.push(second);
      await firstClosed;
      expect(await second.call('Heartbeat', {})).toEqual({ currentTime: expect.any(String) });
      await sql.waitForCount(`SELECT 1 FROM device_connection_events WHERE device_ref = $1`, 2, [cp.id]);
      expect((await sql.rows<{ state: string }>(`SELECT state FROM device_connection_events WHERE device_ref = $1 ORDER BY ts`, [cp.id])).map((e) => e.state)).toEqual(['online', 'online']);
    } finally {
      await Promise.all(clients.splice(0).map((client) => client.close({ force: true })));
      await other.close();
    }
  });

  it('closes a peer that stops answering pings after one more interval', async () => {
    const cp = await aRegisteredChargePoint();
    const socket = rawSocket(port, `/ocpp/${cp.deviceId}`, { protocols: ['ocpp1.6'], user: cp.deviceId, password: cp.password });
    await opened(socket);
    // ws answers pings by itself: pausing the socket's reading is a peer that has gone quiet.
    const started = Date.now();
    (socket as unknown as { _socket: { pause(): void } })._socket.pause();
    await sql.waitForCount(`SELECT 1 FROM device_connection_events WHERE device_ref = $1 AND state = 'offline'`, 1, [cp.id], 10_000);
    expect(Date.now() - started).toBeLessThan(5000);
    socket.terminate();
  });
});
