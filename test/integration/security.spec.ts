import Redis from 'ioredis';
import { aCooperative } from '../support/builders';
import { TestApp, bearer, startTestApp } from '../support/test-app';

describe('API keys: rate limit, last use and the audit trail', () => {
  let t: TestApp;
  let admin: Record<string, string>;

  beforeAll(async () => {
    t = await startTestApp({ API_RATE_LIMIT_PER_MINUTE: '20' });
    admin = bearer(t.adminKey);
  });

  afterAll(() => t?.close());

  it('answers 429 with Retry-After once a key used up its minute, and counts each key on its own', async () => {
    const busy = bearer(await t.keyFor('climate_office'));
    const calm = bearer(await t.keyFor('climate_office'));
    // The minute starts at the key's first call: the 21st within it is refused, and so is every later one.
    const statuses: number[] = [];
    let retryAfter: string | undefined;
    let message = '';
    for (let i = 0; i < 41; i++) {
      const response = await t.http().get('/api/v1/me').set(busy);
      statuses.push(response.status);
      if (response.status === 429) {
        retryAfter = response.headers['retry-after'];
        message = response.body.message;
      }
    }
    expect(statuses).toEqual([...Array(20).fill(200), ...Array(21).fill(429)]);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(retryAfter)).toBeLessThanOrEqual(60);
    expect(message).toMatch(/20 requests a minute/);
    await t.http().get('/api/v1/me').set(calm).expect(200);
  });

  it('records when a key was last used', async () => {
    const created = await t.http().post('/api/v1/api-keys').set(admin).send({ name: 'used once', role: 'fleet_manager' }).expect(201);
    const before = (await t.http().get('/api/v1/api-keys').set(admin).expect(200)).body.items.find((k: { id: string }) => k.id === created.body.id);
    expect(before.lastUsedAt).toBeNull();
    await t.http().get('/api/v1/me').set(bearer(created.body.secret)).expect(200);
    const after = (await t.http().get('/api/v1/api-keys').set(admin).expect(200)).body.items.find((k: { id: string }) => k.id === created.body.id);
    expect(Date.parse(after.lastUsedAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('keeps an audit trail of changes (who, what, when, outcome) without body values, readable by admins only', async () => {
    const changer = await t.http().post('/api/v1/api-keys').set(admin).send({ name: 'registry clerk', role: 'admin' }).expect(201);
    const clerk = bearer(changer.body.secret);
    const cooperative = aCooperative();
    const created = await t.http().post('/api/v1/organizations').set(clerk).send(cooperative).expect(201);
    await t
      .http()
      .post('/api/v1/organizations')
      .set(clerk)
      .send({ ...cooperative, orgNumber: 'not a number' })
      .expect(400);
    await t.http().get('/api/v1/organizations').set(clerk).expect(200);

    // Entries are written as each response finishes: give the last one a moment.
    let trail = await t.http().get(`/api/v1/audit-log?apiKeyId=${changer.body.id}`).set(admin).expect(200);
    for (let i = 0; i < 20 && trail.body.items.length < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      trail = await t.http().get(`/api/v1/audit-log?apiKeyId=${changer.body.id}`).set(admin).expect(200);
    }
    expect(trail.body.items.map((e: { method: string; path: string; status: number }) => [e.method, e.path, e.status])).toEqual([
      ['POST', '/api/v1/organizations', 400],
      ['POST', '/api/v1/organizations', 201],
    ]);
    const first = trail.body.items[1];
    expect(first).toMatchObject({ apiKeyName: 'registry clerk', role: 'admin', targetId: created.body.id });
    expect(Date.parse(first.at)).toBeGreaterThan(Date.now() - 60_000);
    expect(first.detail.bodyFields).toEqual(expect.arrayContaining(Object.keys(cooperative)));
    expect(JSON.stringify(trail.body)).not.toContain(cooperative.name);
    // The key that was created is in the trail of the admin key, its secret is not.
    const adminTrail = await t.http().get('/api/v1/audit-log').set(admin).expect(200);
    expect(JSON.stringify(adminTrail.body)).not.toContain(changer.body.secret);

    await t
      .http()
      .get('/api/v1/audit-log')
      .set(bearer(await t.keyFor('climate_office')))
      .expect(403);
  });
});

describe('the rate limit across api processes', () => {
  let first: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    first = await startTestApp({ APP_ROLES: 'api', API_RATE_LIMIT_PER_MINUTE: '20' });
    // A second api process on the same database and Redis key prefix, as a second replica would be.
    second = await startTestApp({ APP_ROLES: 'api', API_RATE_LIMIT_PER_MINUTE: '20', DATABASE_URL: first.config.databaseUrl, REDIS_KEY_PREFIX: first.config.redisKeyPrefix });
  });

  // The second first: its close drops its own (unused) database and the shared Redis keys.
  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  it("shares one count per key, kept in Redis under the deployment's key prefix", async () => {
    const key = bearer(await first.keyFor('climate_office'));
    const statuses: number[] = [];
    for (let i = 0; i < 22; i++) statuses.push((await (i % 2 === 0 ? first : second).http().get('/api/v1/me').set(key)).status);
    // Each process saw 11 calls, fewer than the limit: only a shared count refuses the 21st and 22nd.
    expect(statuses).toEqual([...Array(20).fill(200), 429, 429]);
    const redis = new Redis(first.config.redisUrl);
    try {
      expect((await redis.keys(`${first.config.redisKeyPrefix}:*ratelimit:*`)).length).toBeGreaterThan(0);
      expect(await redis.keys('{ratelimit:*')).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });
});
