import { existsSync } from 'node:fs';
import path from 'node:path';
import { freePort, RunningBroker, startBroker } from '../../scripts/lib/mosquitto';
import { ServiceProcess, startService, waitFor } from '../support/service-process';
import { TestDatabase, createTestDatabase } from '../support/test-database';

/** The built service as an operator starts it: `node dist/src/main.js`. */
describe('service start-up', () => {
  let broker: RunningBroker;
  let database: TestDatabase;
  const services: ServiceProcess[] = [];

  beforeAll(async () => {
    if (!existsSync(path.join(__dirname, '..', '..', 'dist', 'src', 'main.js'))) throw new Error('run `npm run build` first');
    broker = await startBroker();
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await Promise.all(services.map((service) => service.stop()));
    await broker?.stop();
    await database?.drop();
  });

  const run = (env: Record<string, string>) => {
    const service = startService({ DATABASE_URL: database.url, MQTT_URL: broker.url, REDIS_KEY_PREFIX: `e2e-${process.pid}`, ...env });
    services.push(service);
    return service;
  };

  const lines = (text: string) => text.trim().split('\n');

  it('exits non-zero with one line naming PostgreSQL and the URL when PostgreSQL is unreachable', async () => {
    const url = `postgres://postgres:hunter2@127.0.0.1:${await freePort()}/klimaklok`;
    const service = run({ DATABASE_URL: url });
    expect(await service.exited).toBe(1);
    expect(lines(service.output())).toEqual([
      expect.stringMatching(/^klimaklok: Cannot reach PostgreSQL at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/klimaklok \(.*ECONNREFUSED.*\)\. Start it, e\.g\.: pg_ctlcluster/),
    ]);
    expect(service.output()).not.toContain('hunter2');
  });

  it('names Redis when Redis is unreachable', async () => {
    const service = run({ REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
    expect(await service.exited).toBe(1);
    expect(lines(service.output())).toEqual([expect.stringMatching(/^klimaklok: Cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+ .*redis-server/)]);
  });

  it('names the broker when it is unreachable', async () => {
    const service = run({ MQTT_URL: `mqtt://127.0.0.1:${await freePort()}` });
    expect(await service.exited).toBe(1);
    expect(lines(service.output())).toEqual([expect.stringMatching(/^klimaklok: Cannot reach MQTT broker at mqtt:\/\/127\.0\.0\.1:\d+ .*mosquitto/)]);
  });

  it('names the variable of an invalid setting', async () => {
    const service = run({ PORT: 'eighty' });
    expect(await service.exited).toBe(1);
    expect(lines(service.output())).toEqual(['klimaklok: invalid configuration: PORT: must be a whole number, got "eighty"']);
  });

  it('refuses a database whose migrations are not applied, saying how to apply them', async () => {
    const empty = await createTestDatabase({ migrate: false });
    try {
      const service = run({ DATABASE_URL: empty.url, PORT: String(await freePort()) });
      expect(await service.exited).toBe(1);
      expect(lines(service.output())).toEqual([expect.stringContaining('npm run migration:run')]);
    } finally {
      await empty.drop();
    }
  });

  it('comes up with all roles and answers /health 200 with PostgreSQL, Redis and the broker up', async () => {
    const port = await freePort();
    const service = run({ PORT: String(port) });
    const health = await waitFor(
      async () => {
        if (service.child.exitCode !== null) throw new Error(`service exited: ${service.output()}`);
        const response = await fetch(`http://127.0.0.1:${port}/health`);
        return response.status === 200 ? await response.json() : undefined;
      },
      20_000,
      '/health 200',
    );
    expect(health).toMatchObject({ status: 'ok', services: { postgres: { status: 'up' }, redis: { status: 'up' }, broker: { status: 'up' } } });
    const unauthorized = await fetch(`http://127.0.0.1:${port}/api/v1/vehicles`);
    expect(unauthorized.status).toBe(401);
    await service.stop();
    expect(service.child.exitCode ?? service.child.signalCode).toBe(0);
  });
});
