import { randomBytes } from 'node:crypto';
import { RPCClient } from 'ocpp-rpc';
import { freePort } from '../../scripts/lib/mosquitto';
import { deleteRedisKeys } from '../../scripts/lib/redis-keys';
import { hashOcppPassword } from '../../src/registry/charge-points/ocpp-password';
import { anOrgNumber } from '../support/builders';
import { ServiceProcess, startService, waitFor } from '../support/service-process';
import { Sql } from '../support/sql';
import { TestDatabase, createTestDatabase } from '../support/test-database';

/**
 * The OCPP endpoint killed with SIGKILL in the middle of a burst (ocpp-1.6j.md: a CALLRESULT
 * leaves only after its transaction committed; a re-sent CALL is stored once). 200 charge points
 * (ocpp-rpc clients) each start a transaction, send meter values and stop it; a call that got no
 * answer is sent again, unchanged, after the reconnect, as charge points do. Afterwards what is
 * stored equals what was answered, as sets, and every transaction kept the id it was answered with.
 */
const log = (line: string) => process.stdout.write(`[ocpp faults ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const CHARGE_POINTS = 200;
const METER_VALUES = 60;
const PASSWORD = 'fault-test-password-0123456789';

describe('OCPP endpoint killed mid-burst', () => {
  let database: TestDatabase;
  let sql: Sql;
  let service: ServiceProcess | undefined;
  let port: number;
  const prefix = `ocpp-faults-${randomBytes(4).toString('hex')}`;
  const clients: RPCClient[] = [];
  const chargePoints = new Map<string, string>();

  const start = () =>
    startService({
      APP_ROLES: 'ocpp',
      OCPP_PORT: String(port),
      DATABASE_URL: database.url,
      REDIS_KEY_PREFIX: prefix,
      LOG_LEVEL: 'warn',
    });

  beforeAll(async () => {
    database = await createTestDatabase();
    sql = await Sql.connect(database.url);
    const [cooperative] = await sql.rows<{ id: string }>(`INSERT INTO organizations (org_number, name, kind) VALUES ($1, 'Fault cooperative', 'housing_cooperative') RETURNING id`, [anOrgNumber()]);
    const rows = await sql.rows<{ id: string; device_id: string }>(
      `INSERT INTO charge_points (organization_id, name, connectors, max_kw, commissioned_on, device_id, protocol, ocpp_password_hash)
       SELECT $1, 'Fault ' || n, 2, 22, '2025-01-01', 'cp-fault-' || n, 'ocpp', $2 FROM generate_series(1, $3) AS n RETURNING id, device_id`,
      [cooperative.id, await hashOcppPassword(PASSWORD), CHARGE_POINTS],
    );
    for (const row of rows) chargePoints.set(row.device_id, row.id);
    port = await freePort();
    service = start();
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close({ force: true }).catch(() => undefined)));
    await service?.stop();
    await sql?.close();
    await database?.drop();
    await deleteRedisKeys('redis://127.0.0.1:6379', prefix);
  });

  it('stores exactly what it answered, once, with stable transaction ids, across a SIGKILL', async () => {
    await waitFor(
      async () => {
        const probe = charger('cp-fault-1');
        try {
          await probe.connect();
          return true;
        } finally {
          await probe.close({ force: true });
        }
      },
      30_000,
      'the OCPP endpoint',
    );

    const answered = new Set<string>();
    const transactionIds = new Map<string, number>();
    let resent = 0;
    let calls = 0;
    /** Sends until answered: a call that failed (connection lost, timeout) goes again unchanged. */
    const call = async (client: RPCClient, action: string, payload: Record<string, unknown>) => {
      for (let attempt = 0; ; attempt++) {
        try {
          calls++;
          return (await client.call(action, payload)) as Record<string, unknown>;
        } catch {
          resent++;
          await sleep(200);
        }
      }
    };
    const base = Date.now() - 3 * 3_600_000;
    const run = async (deviceId: string, index: number) => {
      const client = charger(deviceId);
      clients.push(client);
      await client.connect();
      await call(client, 'BootNotification', { chargePointVendor: 'Fault', chargePointModel: 'Test' });
      const t0 = base + index * 1000;
      const startedAt = new Date(t0).toISOString();
      const { transactionId } = (await call(client, 'StartTransaction', { connectorId: 1, idTag: `TAG-${index}`, meterStart: 1000 * index, timestamp: startedAt })) as { transactionId: number };
      transactionIds.set(deviceId, transactionId);
      answered.add(`start ${deviceId} ${t0}`);
      for (let i = 1; i <= METER_VALUES; i++) {
        const ts = t0 + i * 60_000;
        await call(client, 'MeterValues', { connectorId: 1, transactionId, meterValue: [{ timestamp: new Date(ts).toISOString(), sampledValue: [{ value: String(1000 * index + i * 100) }] }] });
        answered.add(`meter ${deviceId} ${ts}`);
      }
      const stoppedAt = t0 + (METER_VALUES + 1) * 60_000;
      await call(client, 'StopTransaction', { transactionId, meterStop: 1000 * index + (METER_VALUES + 1) * 100, timestamp: new Date(stoppedAt).toISOString() });
      answered.add(`stop ${deviceId} ${stoppedAt}`);
    };

    const started = Date.now();
    const burst = Promise.all([...chargePoints.keys()].map((deviceId, index) => run(deviceId, index)));
    await waitFor(async () => (answered.size > (CHARGE_POINTS * METER_VALUES) / 4 ? true : undefined), 60_000, 'a quarter of the burst');
    log(`SIGKILL after ${Date.now() - started} ms, ${answered.size} calls answered`);
    service!.child.kill('SIGKILL');
    await service!.exited;
    await sleep(2000);
    service = start();
    await burst;
    log(`burst done in ${Date.now() - started} ms: ${calls} calls sent, ${resent} re-sent, ${answered.size} stored calls answered`);

    const stored = await sql.rows<{ key: string }>(
      `SELECT 'meter ' || c.device_id || ' ' || (extract(epoch FROM m.ts) * 1000)::bigint AS key FROM charge_point_meter m JOIN charge_points c ON c.id = m.charge_point_id
       UNION ALL
       SELECT t.event || ' ' || c.device_id || ' ' || (extract(epoch FROM t.ts) * 1000)::bigint FROM charge_point_transactions t JOIN charge_points c ON c.id = t.charge_point_id`,
    );
    const storedKeys = new Set(stored.map((row) => row.key));
    const lost = [...answered].filter((key) => !storedKeys.has(key));
    const unanswered = [...storedKeys].filter((key) => !answered.has(key));
    log(
      `stored ${stored.length} rows (${storedKeys.size} distinct), answered ${answered.size}: lost ${lost.length}, duplicated ${stored.length - storedKeys.size}, stored but unanswered ${unanswered.length}`,
    );
    expect(lost).toEqual([]);
    expect(stored.length).toBe(storedKeys.size);
    expect(unanswered).toEqual([]);
    expect(answered.size).toBe(CHARGE_POINTS * (METER_VALUES + 2));

    // One id per start, whatever was re-sent; the stored start and stop carry the id answered.
    const issued = await sql.rows<{ device_id: string; id: number }>(`SELECT c.device_id, o.id FROM ocpp_transactions o JOIN charge_points c ON c.id = o.charge_point_id`);
    expect(issued).toHaveLength(CHARGE_POINTS);
    for (const row of issued) expect(row.id).toBe(transactionIds.get(row.device_id));
    const events = await sql.rows<{ device_id: string; transaction_id: string }>(
      `SELECT c.device_id, t.transaction_id FROM charge_point_transactions t JOIN charge_points c ON c.id = t.charge_point_id`,
    );
    for (const event of events) expect(Number(event.transaction_id)).toBe(transactionIds.get(event.device_id));
    expect(await sql.count(`SELECT 1 FROM ocpp_unmatched_stops`)).toBe(0);
  }, 240_000);

  function charger(deviceId: string): RPCClient {
    return new RPCClient({
      endpoint: `ws://127.0.0.1:${port}/ocpp`,
      identity: deviceId,
      password: PASSWORD,
      protocols: ['ocpp1.6'],
      strictMode: true,
      reconnect: true,
      callTimeoutMs: 10_000,
      backoff: { initialDelay: 500, maxDelay: 2000, factor: 2, randomisationFactor: 0.25 },
    } as ConstructorParameters<typeof RPCClient>[0]);
  }
});
