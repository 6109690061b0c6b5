import { freePort, startBroker } from '../../scripts/lib/mosquitto';
import { BrokerHolder, runBrokerRestart } from '../support/broker-restart';
import { registerVehicles } from '../support/fleet-fixture';
import { ServiceProcess, startService, waitFor } from '../support/service-process';
import { Sql } from '../support/sql';
import { TestDatabase, createTestDatabase } from '../support/test-database';

/**
 * The ingest keeps listening across broker restarts. Mosquitto 2.0 restores the ingest's
 * persistent sessions without their shared subscriptions; before the ingest subscribed itself on
 * every connect it stayed connected, healthy-looking and deaf, and the broker dropped everything
 * published after the restart. A smaller run of what `npm run test:faults` does at scale.
 */
describe('ingest across broker restarts', () => {
  const log = (line: string) => process.stdout.write(`[broker-restart] ${line}\n`);
  // Saves every 2 s instead of the project's 30, so that the SIGKILL phase has a save to measure against.
  const broker: BrokerHolder = { current: undefined!, configOverrides: { autosave_interval: '2' } };
  let database: TestDatabase;
  let sql: Sql;
  let service: ServiceProcess | undefined;
  let port: number;
  let devices: Map<string, string>;

  beforeAll(async () => {
    broker.current = await startBroker({ configOverrides: broker.configOverrides });
    database = await createTestDatabase();
    sql = await Sql.connect(database.url);
    devices = await registerVehicles(sql, 200, 'veh-restart');
    port = await freePort();
    service = startService({
      APP_ROLES: 'api,ingest',
      PORT: String(port),
      DATABASE_URL: database.url,
      MQTT_URL: broker.current.url,
      REDIS_KEY_PREFIX: `broker-restart-${process.pid}`,
      INGEST_INSTANCE_ID: 'broker-restart',
      INGEST_CONNECTIONS: '4',
    });
    await waitFor(async () => ((await fetch(`http://127.0.0.1:${port}/health`)).status === 200 ? true : undefined), 30_000, 'health').catch((error) => {
      throw new Error(`${(error as Error).message}\n${service?.output()}`);
    });
  });

  afterAll(async () => {
    await service?.stop();
    await sql?.close();
    await broker.current?.stop();
    await database?.drop();
  });

  const run = (signal: 'SIGTERM' | 'SIGKILL', base: number) =>
    runBrokerRestart({
      signal,
      broker,
      sql,
      devices,
      messages: 9000,
      perSecond: 1500,
      stopAfter: 4000,
      downMs: 4000,
      healthUrl: `http://127.0.0.1:${port}/health`,
      base,
      log,
    });

  it('stores everything the broker acknowledged across a SIGTERM restart, and says it is degraded while the broker is down', async () => {
    const outcome = await run('SIGTERM', Date.now() - 3_600_000);
    log(`SIGTERM: ${JSON.stringify(outcome)}`);
    expect(outcome.acknowledged).toBe(9000);
    expect({ missing: outcome.missing, unexpected: outcome.unexpected, duplicates: outcome.duplicates, stored: outcome.stored }).toEqual({
      missing: 0,
      unexpected: 0,
      duplicates: 0,
      stored: 9000,
    });
    expect(outcome.healthWhileDown).toEqual({ status: 503, ingest: 'degraded', broker: 'down' });
    expect(outcome.restartToHealthyMs).toBeDefined();
    expect(outcome.restartToFirstStoredMs).toBeDefined();

    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const reconnects = [...metrics.matchAll(/^klimaklok_ingest_reconnects_total\{connection="[^"]+"\} (\d+)/gm)].map((match) => Number(match[1]));
    expect(reconnects).toHaveLength(4);
    expect(reconnects.every((count) => count >= 1)).toBe(true);
    expect(metrics).toMatch(/^klimaklok_ingest_seconds_since_last_message\{connection="klimaklok-ingest-broker-restart-\d"\} [\d.e+-]+$/m);
    expect([...metrics.matchAll(/^klimaklok_ingest_connection_subscribed\{connection="[^"]+"\} 1$/gm)]).toHaveLength(4);
  });

  it('loses across a SIGKILL only what the broker acknowledged after its last save', async () => {
    const outcome = await run('SIGKILL', Date.now() - 2 * 3_600_000);
    log(`SIGKILL: ${JSON.stringify(outcome)}`);
    expect(outcome.savedAt).toBeDefined();
    expect(outcome.missingAckedBeforeSave).toBe(0);
    expect(outcome.missing).toBe(outcome.missingAckedAfterSave);
    expect(outcome.missing).toBeLessThanOrEqual(outcome.ackedAfterSave);
    expect({ unexpected: outcome.unexpected, duplicates: outcome.duplicates }).toEqual({ unexpected: 0, duplicates: 0 });
    expect(outcome.restartToFirstStoredMs).toBeDefined();
  });
});
