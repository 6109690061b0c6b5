import { INestApplication } from '@nestjs/common';
import Redis from 'ioredis';
import { createApp } from '../../src/app';
import { ChargingReconcilerService } from '../../src/charging/reconciler/charging-reconciler.service';
import { PinoLoggerService } from '../../src/platform/logging/pino-logger.service';
import { TestApp, bearer, startTestApp } from '../support/test-app';
import { aCooperative } from '../support/builders';
import { registerChargePoint, settled } from '../support/charging-fixture';
import { TestPublisher } from '../support/mqtt-publisher';
import { Sql } from '../support/sql';

/**
 * The charging reconciler: after Redis lost the derivation jobs it finds the stored charge-point
 * data and derives it; and it closes a session left open once SESSION_TIMEOUT has passed,
 * which no new data would do.
 */
describe('charging: reconciler', () => {
  let t: TestApp;
  let worker: INestApplication | undefined;
  let device: TestPublisher;
  let admin: Record<string, string>;
  let cooperativeId: string;

  beforeAll(async () => {
    // Ingest and api only: jobs are enqueued and wait, as when workers are down. A short timeout for the open-session case.
    t = await startTestApp({ APP_ROLES: 'api,ingest', SESSION_TIMEOUT: '1m' });
    admin = bearer(t.adminKey);
    cooperativeId = (await t.http().post('/api/v1/organizations').set(admin).send(aCooperative()).expect(201)).body.id;
    device = await TestPublisher.connect(t.broker.url);
  });

  afterAll(async () => {
    await worker?.close();
    await device?.close();
    await t?.close();
  });

  const sessionsOf = async (id: string) => (await t.http().get(`/api/v1/chargepoints/${id}/sessions?from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z`).set(admin).expect(200)).body.items;

  it('derives the stored data again after Redis lost every job', async () => {
    const id = await registerChargePoint(t, cooperativeId, 'cp-reconcile');
    await device.publish('fleet/v1/chargepoints/cp-reconcile/transaction', [
      { ts: '2026-10-20T17:00:00Z', event: 'start', connectorId: 1, transactionId: 'C1', meterWh: 1000 },
      { ts: '2026-10-20T18:30:00Z', event: 'stop', connectorId: 1, transactionId: 'C1', meterWh: 8500 },
    ]);
    const redis = new Redis(t.config.redisUrl);
    try {
      const pattern = `${t.config.redisKeyPrefix}:*`;
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && !(await redis.keys(pattern)).some((key) => key.includes(':de:charge-point:'))) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const lost = await redis.keys(pattern);
      expect(lost.some((key) => key.includes(':de:charge-point:'))).toBe(true);
      await redis.del(...lost);
    } finally {
      redis.disconnect();
    }
    expect(await sessionsOf(id)).toEqual([]);

    worker = await createApp({ ...t.config, roles: new Set(['worker']) }, new PinoLoggerService('silent'));
    await worker.init();
    await worker.get(ChargingReconcilerService).run();
    const sessions = await settled(
      () => sessionsOf(id),
      (items) => items.length === 1,
    );
    expect(sessions[0]).toMatchObject({ startedAt: '2026-10-20T17:00:00.000Z', endedAt: '2026-10-20T18:30:00.000Z', energyKwh: 7.5 });
  });

  it('closes a session left open when SESSION_TIMEOUT (here 1 minute) has passed, at its last meter sample, flagged', async () => {
    const id = await registerChargePoint(t, cooperativeId, 'cp-timeout');
    const start = new Date(Date.now() - 40_000);
    const lastMeter = new Date(start.getTime() + 20_000);
    await device.publish('fleet/v1/chargepoints/cp-timeout/transaction', { ts: start.toISOString(), event: 'start', connectorId: 1, transactionId: 'T1', meterWh: 0 });
    await device.publish('fleet/v1/chargepoints/cp-timeout/meter', { ts: lastMeter.toISOString(), connectorId: 1, energyWh: 150 });
    const open = await settled(
      () => sessionsOf(id),
      (items) => items.length === 1 && items[0].endedAt === lastMeter.toISOString(),
    );
    expect(open[0]).toMatchObject({ open: true, flags: { noStop: false } });

    await new Promise((resolve) => setTimeout(resolve, Math.max(0, start.getTime() + 61_000 - Date.now())));
    // Nothing new arrives: only the reconciler (this run, or the worker's own scheduled one) can close it.
    await worker!.get(ChargingReconcilerService).run();
    const closed = await settled(
      () => sessionsOf(id),
      (items) => items[0]?.open === false,
    );
    expect(closed).toEqual([expect.objectContaining({ open: false, endedAt: lastMeter.toISOString(), energyKwh: 0.15, flags: expect.objectContaining({ noStop: true }) })]);
  });

  it("derives today's availability of a charge point online by its connection event alone", async () => {
    const id = await registerChargePoint(t, cooperativeId, 'cp-connected');
    const sql = await Sql.connect(t.database.url);
    try {
      // Connected three hours ago (a retained `online`), silent since: no sample arrives to derive anything.
      const [{ at, dayStart, osloDay }] = await sql.rows<{ at: Date; dayStart: Date; osloDay: string }>(
        `SELECT clock_timestamp() - interval '3 hours' AS at, (clock_timestamp() AT TIME ZONE 'Europe/Oslo')::date::timestamp AT TIME ZONE 'Europe/Oslo' AS "dayStart",
                (clock_timestamp() AT TIME ZONE 'Europe/Oslo')::date::text AS "osloDay"`,
      );
      await sql.rows(`INSERT INTO device_connection_events (device_kind, device_ref, ts, received_at, state) VALUES ('charge_point', $1, $2, $2, 'online')`, [id, at]);
      await sql.rows(`INSERT INTO charge_point_state (charge_point_id, connection, connection_at) VALUES ($1, 'online', $2)`, [id, at]);
      const runAt = Date.now();
      await worker!.get(ChargingReconcilerService).run();
      const [today] = await settled(
        // Today's row only: in the first three hours after midnight in Oslo the connection began yesterday, which has a row of its own.
        () =>
          sql.rows<{ online_seconds: number; available_seconds: number }>(`SELECT online_seconds, available_seconds FROM charge_point_daily WHERE charge_point_id = $1 AND day = $2::date`, [
            id,
            osloDay,
          ]),
        (rows) => rows.length === 1,
      );
      const expected = (runAt - Math.max(at.getTime(), dayStart.getTime())) / 1000;
      expect(today.online_seconds).toBeGreaterThanOrEqual(expected - 1);
      expect(today.online_seconds).toBeLessThan(expected + 30);
      expect(today.available_seconds).toBe(today.online_seconds);
    } finally {
      await sql.close();
    }
  });
});
