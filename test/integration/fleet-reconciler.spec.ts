import { INestApplication } from '@nestjs/common';
import { createApp } from '../../src/app';
import { ReconcilerService } from '../../src/fleet/reconciler/reconciler.service';
import { PinoLoggerService } from '../../src/platform/logging/pino-logger.service';
import Redis from 'ioredis';
import { TestApp, bearer, startTestApp } from '../support/test-app';
import { aVehicle, anOrganization } from '../support/builders';
import { TestPublisher } from '../support/mqtt-publisher';

/**
 * Redis carries work, not data: when it loses every job of this deployment, the reconciler finds
 * the stored raw data and the derived figures come out identical to an undisturbed run.
 */
describe('fleet: reconciler after Redis lost everything', () => {
  let t: TestApp;
  let worker: INestApplication | undefined;
  let device: TestPublisher;

  beforeAll(async () => {
    // Ingest and api only: jobs are enqueued and wait, as when workers are down.
    t = await startTestApp({ APP_ROLES: 'api,ingest', INGEST_CONNECTIONS: '4' });
    device = await TestPublisher.connect(t.broker.url);
  });

  afterAll(async () => {
    await worker?.close();
    await device?.close();
    await t?.close();
  });

  it('re-derives identical figures from PostgreSQL alone', async () => {
    const admin = bearer(t.adminKey);
    const department = (await t.http().post('/api/v1/organizations').set(admin).send(anOrganization()).expect(201)).body.id;
    const id = (
      await t
        .http()
        .post('/api/v1/vehicles')
        .set(admin)
        .send(aVehicle(department, { deviceId: 'veh-reconcile' }))
        .expect(201)
    ).body.id;
    await new Promise((resolve) => setTimeout(resolve, 500));
    const samples = Array.from({ length: 60 }, (_, i) => ({
      ts: new Date(Date.parse('2026-03-09T21:00:00Z') + i * 5 * 60_000).toISOString(),
      odometerKm: 20000 + i * 3,
      energyConsumedKwh: 900 + i * 0.5,
      speedKmh: 36,
    }));
    await device.publish('fleet/v1/vehicles/veh-reconcile/telemetry', samples);

    // Wait until the jobs are queued, then lose every key of this deployment (its FLUSHALL).
    const redis = new Redis(t.config.redisUrl);
    try {
      const pattern = `${t.config.redisKeyPrefix}:*`;
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && !(await redis.keys(pattern)).some((key) => key.includes(':de:vehicle:'))) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const lost = await redis.keys(pattern);
      expect(lost.some((key) => key.includes(':de:vehicle:'))).toBe(true);
      await redis.del(...lost);
      expect(await redis.keys(pattern)).toEqual([]);
    } finally {
      redis.disconnect();
    }

    // A worker starts; its reconciler finds the stored data and enqueues the work again.
    worker = await createApp({ ...t.config, roles: new Set(['worker']) }, new PinoLoggerService('silent'));
    await worker.init();
    await worker.get(ReconcilerService).run();

    const expected = {
      '2026-03-09': { distanceKm: 3 * 24, energyConsumedKwh: 0.5 * 24 },
      '2026-03-10': { distanceKm: 3 * 35, energyConsumedKwh: 0.5 * 35 },
    };
    // 59 five-minute intervals from 21:00Z; local midnight is 23:00Z (UTC+1 in March), so the
    // first 24 intervals fall on local 2026-03-09 and the other 35 on 2026-03-10.
    let days: Array<{ day: string; distanceKm: number; energyConsumedKwh: number }> = [];
    const until = Date.now() + 15_000;
    while (Date.now() < until && days.length < 2) {
      days = (await t.http().get(`/api/v1/vehicles/${id}/daily?from=2026-03-09&to=2026-03-11`).set(admin).expect(200)).body.days;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(days.map((d) => d.day)).toEqual(Object.keys(expected));
    for (const day of days) {
      const want = expected[day.day as keyof typeof expected];
      expect(day.distanceKm).toBeCloseTo(want.distanceKm, 9);
      expect(day.energyConsumedKwh).toBeCloseTo(want.energyConsumedKwh, 9);
    }
  });
});
