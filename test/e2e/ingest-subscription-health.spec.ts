import { RunningBroker, freePort, startBroker } from '../../scripts/lib/mosquitto';
import { RefusingProxy, startRefusingProxy } from '../support/refusing-proxy';
import { ServiceProcess, startService, waitFor } from '../support/service-process';
import { TestDatabase, createTestDatabase } from '../support/test-database';

/**
 * A connection that is up but not subscribed hears nothing, so /health must not call it healthy.
 * The broker's refusal of one connection's subscription is injected by a proxy (see
 * RefusingProxy); once it stops refusing, the ingest's retry is granted and /health is ok again,
 * without a restart.
 */
describe('ingest health follows its subscriptions', () => {
  let broker: RunningBroker;
  let proxy: RefusingProxy;
  let database: TestDatabase;
  let service: ServiceProcess | undefined;
  let port: number;
  const refused = 'klimaklok-ingest-sub-health-1';

  type Health = { status: string; roles: { ingest: { status: string; connections: Array<{ clientId: string; connected: boolean; subscribed: boolean }> } } };
  const health = async () => {
    const response = await fetch(`http://127.0.0.1:${port}/health`);
    return { status: response.status, body: (await response.json()) as Health };
  };
  const waitForHealth = (status: number) =>
    waitFor(
      async () => {
        const now = await health();
        return now.status === status ? now : undefined;
      },
      30_000,
      `/health ${status}`,
    );

  beforeAll(async () => {
    broker = await startBroker();
    proxy = await startRefusingProxy(broker.port);
    proxy.refuse.add(refused);
    database = await createTestDatabase();
    port = await freePort();
    service = startService({
      APP_ROLES: 'api,ingest',
      PORT: String(port),
      DATABASE_URL: database.url,
      MQTT_URL: proxy.url,
      REDIS_KEY_PREFIX: `sub-health-${process.pid}`,
      INGEST_INSTANCE_ID: 'sub-health',
      INGEST_CONNECTIONS: '2',
    });
  });

  afterAll(async () => {
    await service?.stop();
    await proxy?.close();
    await broker?.stop();
    await database?.drop();
  });

  it('is degraded while one connection is refused its subscription, names it, and is ok once the retry is granted', async () => {
    const degraded = await waitFor(
      async () => {
        const now = await health().catch(() => undefined);
        return now && now.body.roles?.ingest?.connections.length === 2 && now.body.roles.ingest.connections.every((c) => c.connected) ? now : undefined;
      },
      30_000,
      'both ingest connections up',
    );
    expect(degraded.status).toBe(503);
    expect(degraded.body.status).toBe('degraded');
    expect(degraded.body.roles.ingest.status).toBe('degraded');
    expect(degraded.body.roles.ingest.connections).toEqual([
      expect.objectContaining({ clientId: 'klimaklok-ingest-sub-health-0', connected: true, subscribed: true }),
      expect.objectContaining({ clientId: refused, connected: true, subscribed: false }),
    ]);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`^klimaklok_ingest_connection_subscribed\\{connection="${refused}"\\} 0$`, 'm'));
    expect(metrics).toMatch(/^klimaklok_ingest_connection_subscribed\{connection="klimaklok-ingest-sub-health-0"\} 1$/m);

    proxy.refuse.delete(refused);
    const ok = await waitForHealth(200);
    expect(ok.body.roles.ingest.status).toBe('up');
    expect(ok.body.roles.ingest.connections.every((c) => c.connected && c.subscribed)).toBe(true);
  });
});
