import { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { RunningBroker, startBroker } from '../../scripts/lib/mosquitto';
import { deleteRedisKeys } from '../../scripts/lib/redis-keys';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/platform/config/app-config';
import { PinoLoggerService } from '../../src/platform/logging/pino-logger.service';
import { aVehicle, anOrganization } from '../support/builders';
import { TestPublisher } from '../support/mqtt-publisher';
import { Sql } from '../support/sql';
import { TestDatabase, createTestDatabase } from '../support/test-database';

const DAY = 86_400_000;
const REDIS_URL = 'redis://127.0.0.1:6379';
const at = (daysAgo: number, hour: number) => new Date(Math.floor(Date.now() / DAY) * DAY - daysAgo * DAY + hour * 3_600_000).toISOString();

/**
 * Telemetry contract amendment 1.1, replay of dead letters. One fleet, the same messages, two runs:
 * - reference: both devices registered, the horizon wide: nothing rejected but what is truly bad;
 * - replay: BACKFILL_HORIZON_DAYS=30 and the device veh-late not registered, so old samples are
 *   `timestamp_too_old` and veh-late's messages `unknown_device`; then a restart with the wide
 *   horizon, veh-late registered, and POST /api/v1/dead-letters/replay.
 * Afterwards the stored samples, the daily rollups and the dead letters still open are the
 * reference's; a second replay adds nothing.
 */
describe('dead-letter replay', () => {
  let broker: RunningBroker;
  const databases: TestDatabase[] = [];
  const apps: INestApplication[] = [];
  const sqls: Sql[] = [];
  let publisher: TestPublisher;
  const adminKey = `test-admin-${randomBytes(24).toString('hex')}`;
  const redisPrefix = `replay-test-${randomBytes(4).toString('hex')}`;
  const department = anOrganization();

  beforeAll(async () => {
    broker = await startBroker();
    publisher = await TestPublisher.connect(broker.url);
  });

  afterAll(async () => {
    for (const app of apps) await app.close().catch(() => undefined);
    await publisher?.close();
    for (const sql of sqls) await sql.close();
    await broker?.stop();
    for (const database of databases) await database.drop();
    for (const index of databases.keys()) await deleteRedisKeys(REDIS_URL, `${redisPrefix}-${index}`).catch(() => undefined);
  });

  /** The service with all roles on a database, as a restart would bring it up. */
  async function start(database: TestDatabase, env: Record<string, string>): Promise<INestApplication> {
    const config = loadConfig({
      DATABASE_URL: database.url,
      MQTT_URL: broker.url,
      REDIS_URL,
      // Each database its own queues and its own ingest share group, so the two runs never meet.
      REDIS_KEY_PREFIX: `${redisPrefix}-${databases.indexOf(database)}`,
      INGEST_SHARE_GROUP: `replay-${databases.indexOf(database)}`,
      INGEST_INSTANCE_ID: `replay-${databases.indexOf(database)}`,
      MQTT_TOPIC_ROOT: `fleet${databases.indexOf(database)}`,
      ADMIN_API_KEY: adminKey,
      API_RATE_LIMIT_PER_MINUTE: '0',
      LOG_LEVEL: 'silent',
      PORT: '0',
      OCPP_PORT: '0', // all roles: the OCPP endpoint too, never on the default port another run may hold
      ...env,
    });
    const app = await createApp(config, new PinoLoggerService(config.logLevel));
    apps.push(app);
    await app.init();
    return app;
  }

  const api = (app: INestApplication) => ({
    post: (path: string, body?: unknown) =>
      request(app.getHttpServer())
        .post(path)
        .set('Authorization', `Bearer ${adminKey}`)
        .send(body as object),
  });

  async function register(app: INestApplication, deviceId: string, departmentId: string) {
    await api(app)
      .post('/api/v1/vehicles', aVehicle(departmentId, { deviceId, energyCarrier: 'petrol', inServiceFrom: '2018-01-01' }))
      .expect(201);
  }

  /** The messages of both runs: recent and old samples (one array mixes them), a bad sample, and a malformed message. */
  async function publishAll(root: string) {
    const topic = (device: string) => `${root}/v1/vehicles/${device}/telemetry`;
    // Old samples (40 days ago) one by one and in an array with recent ones.
    await publisher.publish(topic('veh-main'), { ts: at(40, 8), odometerKm: 1000, fuelUsedL: 100 });
    await publisher.publish(topic('veh-main'), { ts: at(40, 9), odometerKm: 1030, fuelUsedL: 103 });
    await publisher.publish(topic('veh-main'), [
      { ts: at(40, 10), odometerKm: 1050, fuelUsedL: 105 },
      { ts: at(2, 8), odometerKm: 1100, fuelUsedL: 110 },
      { ts: at(2, 9), odometerKm: 1140, fuelUsedL: 114 },
    ]);
    // The late device: an array with a sample that no registration makes valid, and a single sample.
    await publisher.publish(topic('veh-late'), [
      { ts: at(3, 7), odometerKm: 500, gasUsedKg: 10 },
      { ts: at(3, 8), odometerKm: 520, speedKmh: -5 },
      { ts: at(3, 9), odometerKm: 560, gasUsedKg: 14 },
    ]);
    await publisher.publish(topic('veh-late'), { ts: at(1, 9), odometerKm: 600, gasUsedKg: 18 });
    await publisher.publish(topic('veh-main'), '{"ts":');
  }

  async function snapshot(sql: Sql) {
    const samples = await sql.rows(`SELECT v.device_id, to_jsonb(s) - 'vehicle_id' - 'received_at' AS sample FROM vehicle_samples s JOIN vehicles v ON v.id = s.vehicle_id ORDER BY 1, s.ts`);
    const days = await sql.rows(`SELECT v.device_id, to_jsonb(d) - 'vehicle_id' - 'derived_at' AS day FROM vehicle_daily d JOIN vehicles v ON v.id = d.vehicle_id ORDER BY 1, d.day`);
    // Dead letters still open: never replayed, or replayed and still refused.
    // (Each run has its own topic root; the rest of the topic is compared.)
    const open = await sql.rows(
      `SELECT regexp_replace(topic, '^fleet[0-9]', 'fleet') AS topic, reason, sample_index, encode(payload, 'escape') AS payload FROM dead_letters
        WHERE replay_outcome IS NULL OR replay_outcome NOT IN ('stored', 'partly_stored') ORDER BY reason, topic, sample_index`,
    );
    return { samples, days, open };
  }

  /** Waits until derivation has settled: the snapshot passes `ready` and stays the same for a second. */
  async function settled(sql: Sql, ready: (s: Awaited<ReturnType<typeof snapshot>>) => boolean) {
    const deadline = Date.now() + 30_000;
    let last = '';
    for (;;) {
      const current = await snapshot(sql);
      const text = JSON.stringify(current);
      if (ready(current) && text === last) return current;
      if (Date.now() > deadline) throw new Error(`derivation did not settle: ${text}`);
      last = text;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }

  it('stores after a wider horizon and a late registration exactly what a run without rejections stores; a second replay adds nothing', async () => {
    // Reference: nothing to replay.
    const referenceDb = await createTestDatabase();
    databases.push(referenceDb);
    const referenceSql = await Sql.connect(referenceDb.url);
    sqls.push(referenceSql);
    const reference = await start(referenceDb, {});
    const referenceDepartment = (await api(reference).post('/api/v1/organizations', department).expect(201)).body.id;
    await register(reference, 'veh-main', referenceDepartment);
    await register(reference, 'veh-late', referenceDepartment);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await publishAll('fleet0');
    await referenceSql.waitForCount('SELECT 1 FROM vehicle_samples', 8);
    const expected = await settled(referenceSql, (s) => s.days.length >= 4 && s.open.length === 2);
    expect(expected.open.map((d) => [d.reason, d.sample_index])).toEqual(
      expect.arrayContaining([
        ['malformed_json', null],
        ['schema_violation', 1],
      ]),
    );
    await reference.close();
    apps.splice(apps.indexOf(reference), 1);

    // Replay run, first with a 30-day horizon and veh-late unknown.
    const database = await createTestDatabase();
    databases.push(database);
    const sql = await Sql.connect(database.url);
    sqls.push(sql);
    const narrow = await start(database, { BACKFILL_HORIZON_DAYS: '30' });
    const departmentId = (await api(narrow).post('/api/v1/organizations', department).expect(201)).body.id;
    await register(narrow, 'veh-main', departmentId);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await publishAll('fleet1');
    await sql.waitForCount('SELECT 1 FROM dead_letters', 6);
    const reasons = await sql.rows<{ reason: string; n: number }>(`SELECT reason, count(*)::int AS n FROM dead_letters GROUP BY 1 ORDER BY 1`);
    expect(reasons).toEqual([
      { reason: 'malformed_json', n: 1 },
      { reason: 'timestamp_too_old', n: 3 },
      { reason: 'unknown_device', n: 2 },
    ]);
    await narrow.close();
    apps.splice(apps.indexOf(narrow), 1);

    // Restart with the default horizon; register the forgotten device; replay.
    const wide = await start(database, {});
    await register(wide, 'veh-late', departmentId);
    // The device sent one of its old samples again meanwhile: replaying its dead letter finds it stored.
    await publisher.publish('fleet1/v1/vehicles/veh-main/telemetry', { ts: at(40, 8), odometerKm: 1000, fuelUsedL: 100 });
    await sql.waitForCount('SELECT 1 FROM vehicle_samples', 3);
    const first = (await api(wide).post('/api/v1/dead-letters/replay').expect(200)).body;
    expect(first).toEqual({
      replayed: 6,
      stored: 5, // 2 old samples of veh-main, 3 of veh-late
      duplicates: 1,
      stillRejected: { malformed_json: 1, schema_violation: 1 },
    });
    // As a set: the ingest's connections store the dead letters in whichever order they arrive.
    const marks = await sql.rows(`SELECT reason, replay_outcome FROM dead_letters WHERE replayed_at IS NOT NULL ORDER BY reason, replay_outcome`);
    expect(marks).toEqual([
      { reason: 'malformed_json', replay_outcome: 'malformed_json' },
      { reason: 'timestamp_too_old', replay_outcome: 'stored' },
      { reason: 'timestamp_too_old', replay_outcome: 'stored' },
      { reason: 'timestamp_too_old', replay_outcome: 'stored' },
      { reason: 'unknown_device', replay_outcome: 'partly_stored' },
      { reason: 'unknown_device', replay_outcome: 'stored' },
    ]);

    const actual = await settled(sql, (s) => JSON.stringify(s.days) === JSON.stringify(expected.days));
    expect(actual).toEqual(expected);
    process.stdout.write(`replay: ${actual.samples.length} samples, ${actual.days.length} daily rollups and ${actual.open.length} open dead letters equal to the run without rejections\n`);

    // Again: the stored are skipped; the malformed message and the bad sample (a dead letter of its own now) are tried again and stay.
    const second = (await api(wide).post('/api/v1/dead-letters/replay').expect(200)).body;
    expect(second).toEqual({ replayed: 2, stored: 0, duplicates: 0, stillRejected: { malformed_json: 1, schema_violation: 1 } });
    expect(await snapshot(sql)).toEqual(expected);

    // Audited, with its filters.
    await api(wide).post('/api/v1/dead-letters/replay?reason=unknown_device&deviceId=veh-late').expect(200);
    await sql.waitForCount(`SELECT 1 FROM audit_log WHERE method = 'POST' AND path = '/api/v1/dead-letters/replay'`, 3);
    const [audited] = await sql.rows<{ detail: { query: Record<string, string> }; status: number }>(
      `SELECT detail, status FROM audit_log WHERE path = '/api/v1/dead-letters/replay' ORDER BY id DESC LIMIT 1`,
    );
    expect(audited).toEqual({ detail: expect.objectContaining({ query: { reason: 'unknown_device', deviceId: 'veh-late' } }), status: 200 });
  });

  it('replays only what the filters select, and answers 400 to a bad filter', async () => {
    const wide = apps[apps.length - 1];
    await api(wide).post('/api/v1/dead-letters/replay?reason=no_such_reason').expect(400);
    await api(wide).post('/api/v1/dead-letters/replay?from=yesterday').expect(400);
    const none = (
      await api(wide)
        .post(`/api/v1/dead-letters/replay?reason=malformed_json&to=${encodeURIComponent(at(30, 0))}`)
        .expect(200)
    ).body;
    expect(none).toEqual({ replayed: 0, stored: 0, duplicates: 0, stillRejected: {} });
    const malformed = (await api(wide).post('/api/v1/dead-letters/replay?reason=malformed_json').expect(200)).body;
    expect(malformed).toEqual({ replayed: 1, stored: 0, duplicates: 0, stillRejected: { malformed_json: 1 } });
  });

  it('replays each dead letter once over many pages (ids past 999 and 9999, pages of 1000)', async () => {
    const wide = apps[apps.length - 1];
    const sql = sqls[sqls.length - 1];
    await sql.rows(
      `INSERT INTO dead_letters (received_at, topic, device_id, reason, detail, payload, payload_bytes, natural_key)
       SELECT now(), 'fleet1/v1/vehicles/veh-main/telemetry', 'veh-main', 'empty_sample', 'x', convert_to('{}', 'UTF8'), 2, sha256(convert_to('many ' || g, 'UTF8'))
         FROM generate_series(1, 10500) AS g`,
    );
    const answer = (await api(wide).post('/api/v1/dead-letters/replay?reason=empty_sample').expect(200)).body;
    // Today's decoder says what is wrong with `{}` (no ts): the latest outcome is kept beside the original reason.
    expect(answer).toEqual({ replayed: 10500, stored: 0, duplicates: 0, stillRejected: { schema_violation: 10500 } });
    expect(await sql.count(`SELECT 1 FROM dead_letters WHERE reason = 'empty_sample' AND replay_outcome = 'schema_violation'`)).toBe(10500);
  });
});
