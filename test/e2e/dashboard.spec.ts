import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import { Browser, Locator, Page, chromium } from 'playwright-core';
import { dashboardDir } from '../../src/dashboard/dashboard-assets';
import { aChargePoint, aCooperative, aSubsidyGrant, aVehicle } from '../support/builders';
import { settled } from '../support/charging-fixture';
import { registerVehicles } from '../support/fleet-fixture';
import { TestPublisher } from '../support/mqtt-publisher';
import { Sql } from '../support/sql';
import { TestApp, bearer, startTestApp } from '../support/test-app';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = process.env.DASHBOARD_SCREENSHOTS; // a folder: save a screenshot of each view there

// page.evaluate takes strings here: this file is type-checked without the DOM library.

/**
 * The dashboard in Debian's headless Chromium against the real service on a real port: sign-in
 * per role, the live board with vehicles fed over MQTT, a status change arriving without a
 * reload, the vehicle page, a cooperative's charge points and usage derived from charge-point
 * messages (and another cooperative's page refused), the climate figures of vehicles driven in
 * 2019 and 2020, a wrong key. Figures on the page are checked against the API's answers,
 * formatted as a Norwegian reader writes them. Every request the page makes is recorded: none
 * may go to another host, and the page may log no error (a CSP violation would).
 */
describe('web dashboard in headless Chromium', () => {
  let t: TestApp;
  let sql: Sql;
  let device: TestPublisher;
  let server: http.Server;
  let base: string;
  let browser: Browser;
  const requests: string[] = [];
  const pageErrors: string[] = [];
  const failedResponses: string[] = [];
  let devices: Map<string, string>;
  let vanId: string;
  let cooperativeId: string;
  let chargePointName: string;
  let chargePointDevice: string;
  let otherCooperativeId: string;

  beforeAll(async () => {
    if (!existsSync(path.join(dashboardDir(), 'index.html'))) throw new Error('dashboard assets missing: run `npm run build` first');
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} missing: apt-get install -y chromium (.ci/run does)`);
    // The climate test publishes samples from 2019, older than the default backfill horizon (800 days).
    t = await startTestApp({ INGEST_CONNECTIONS: '2', BACKFILL_HORIZON_DAYS: '5000' });
    server = t.app.getHttpServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    sql = await Sql.connect(t.database.url);
    device = await TestPublisher.connect(t.broker.url);

    devices = await registerVehicles(sql, 3, 'veh-dash');
    const admin = bearer(t.adminKey);
    const [{ departmentId }] = await sql.rows<{ departmentId: string }>(`SELECT department_id AS "departmentId" FROM vehicles LIMIT 1`);
    vanId = (
      await t
        .http()
        .post('/api/v1/vehicles')
        .set(admin)
        .send(aVehicle(departmentId, { vehicleClass: 'van', deviceId: 'veh-dash-van' }))
        .expect(201)
    ).body.id;
    cooperativeId = (await t.http().post('/api/v1/organizations').set(admin).send(aCooperative()).expect(201)).body.id;
    const grant = (await t.http().post('/api/v1/subsidy-grants').set(admin).send(aSubsidyGrant(cooperativeId)).expect(201)).body;
    const chargePoint = (
      await t
        .http()
        .post('/api/v1/chargepoints')
        .set(admin)
        .send(aChargePoint(cooperativeId, { subsidyGrantId: grant.id }))
        .expect(201)
    ).body;
    chargePointName = chargePoint.name;
    chargePointDevice = chargePoint.deviceId;
    otherCooperativeId = (await t.http().post('/api/v1/organizations').set(admin).send(aCooperative()).expect(201)).body.id;
    await t.http().post('/api/v1/chargepoints').set(admin).send(aChargePoint(otherCooperativeId)).expect(201);

    // Ten minutes of driving for veh-dash-0 (odometer ends at 48 211,4 km), one sample for the others.
    await new Promise((resolve) => setTimeout(resolve, 500)); // the device directory learns the new devices
    const now = Date.now();
    const drive = Array.from({ length: 11 }, (_, i) => ({
      ts: new Date(now - (10 - i) * 60_000).toISOString(),
      odometerKm: 48206.4 + i * 0.5,
      speedKmh: 30,
      ignition: true,
      socPct: 64,
      lat: 59.89 + i * 0.001,
      lon: 10.52 + i * 0.001,
    }));
    await device.publish('fleet/v1/vehicles/veh-dash-0/telemetry', drive);
    for (const deviceId of ['veh-dash-1', 'veh-dash-2', 'veh-dash-van']) {
      await device.publish(`fleet/v1/vehicles/${deviceId}/telemetry`, { ts: new Date(now).toISOString(), speedKmh: 0, socPct: 90, lat: 59.9, lon: 10.55 });
    }
    await waitUntil(async () => {
      const list = (await t.http().get('/api/v1/vehicles').set(admin).expect(200)).body.items as Array<{ status: string }>;
      return list.length === 4 && list.every((v) => v.status === 'online');
    }, 30_000);

    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  });

  afterAll(async () => {
    await browser?.close();
    await device?.close();
    await sql?.close();
    await t?.close();
  });

  async function waitUntil(check: () => Promise<boolean>, timeoutMs: number) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await check()) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error('condition not met in time');
  }

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ locale: 'nb-NO', timezoneId: 'Europe/Oslo', viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const page = await context.newPage();
    page.on('request', (request) => requests.push(request.url()));
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // Failed responses are checked by URL below; any other console error (a CSP violation, a script error) fails the test.
    page.on('console', (message) => message.type() === 'error' && !message.text().startsWith('Failed to load resource') && pageErrors.push(message.text()));
    page.on('response', (response) => response.status() >= 400 && failedResponses.push(`${response.status()} ${new URL(response.url()).pathname}`));
    return page;
  }

  async function signIn(page: Page, key: string, by: 'click' | 'enter' = 'click') {
    await page.goto(`${base}/`);
    await page.getByLabel('API-nøkkel').fill(key);
    if (by === 'enter')
      await page.keyboard.press('Enter'); // the key field has focus on load
    else await page.getByRole('button', { name: 'Logg inn' }).click();
  }

  async function screenshot(page: Page, name: string) {
    if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
  }

  it('serves the page and its assets without a key, under a content security policy that allows only its own scripts', async () => {
    const page = await t
      .http()
      .get('/')
      .expect(200)
      .expect('Content-Type', /text\/html/);
    // The early script first, written into the page: opened on the board, it asks for the board's data before the bundle loads.
    const inline = [...page.text.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((match) => match[1]);
    expect(inline).toHaveLength(1);
    expect(page.text.indexOf('<script>')).toBeLessThan(page.text.indexOf('<link rel="stylesheet"'));
    expect(page.text).toMatch(/<script type="module" src="\/assets\/app\.js"><\/script>/);
    expect([...page.text.matchAll(/<script\b[^>]*>/g)].filter((tag) => !/\bsrc=/.test(tag[0]))).toHaveLength(1); // no other inline script
    // The chunks the board's script imports are fetched with it, and are there.
    const preloaded = [...page.text.matchAll(/<link rel="modulepreload" href="([^"]+)"/g)].map((match) => match[1]);
    expect(preloaded.length).toBeGreaterThan(0);
    for (const chunk of preloaded)
      await t
        .http()
        .get(chunk)
        .expect(200)
        .expect('Content-Type', /javascript/);
    // The policy allows that one inline script by its hash, and no other.
    const policy = page.headers['content-security-policy'];
    const hash = createHash('sha256').update(inline[0], 'utf8').digest('base64');
    expect(policy).toMatch(new RegExp(`script-src 'self' 'sha256-${hash.replace(/[+/]/g, '\\$&')}'(;|$)`));
    expect(policy).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(policy).toMatch(/default-src 'self'/);
    expect(policy).not.toContain('upgrade-insecure-requests'); // plain HTTP at a LAN address must work too
    await t
      .http()
      .get('/assets/app.js')
      .expect(200)
      .expect('Content-Type', /javascript/);
    await t.http().get('/assets/style.css').expect(200).expect('Content-Type', /css/);
    await t.http().get('/assets/missing.js').expect(404);
    await t.http().get('/api/v1/me').expect(401); // the API stays behind its keys
  });

  const row = (page: Page, vehicleId: string) => page.locator(`tr[data-vehicle-id="${vehicleId}"]`);

  describe('fleet manager', () => {
    let page: Page;
    let key: string;

    let retired: string;

    beforeAll(async () => {
      key = await t.keyFor('fleet_manager');
      page = await newPage();
    });

    it('signs in with a key kept in session storage and shows the live board of real vehicles, in Norwegian', async () => {
      await signIn(page, key, 'enter');
      await page.getByRole('heading', { name: 'Flåten nå' }).waitFor();
      const first = row(page, devices.get('veh-dash-0')!);
      await first.waitFor();
      await expectText(page.locator('#fleet-count'), '4 av 4 kjøretøy');
      await expectText(first, 'LT000000');
      await expectText(first, 'Tilkoblet');
      await expectText(first, '64\u00a0%');
      await expectText(first, '30\u00a0km/t');
      await expectText(page.locator('#live-status'), 'Direkte: oppdateres uten omlasting');
      expect(await page.evaluate("sessionStorage.getItem('klimaklok.apiKey')")).toBe(key);
      expect(await page.locator('#signed-in-as').textContent()).toBe('Innlogget som flåteansvarlig');
      await screenshot(page, 'fleet-board');
    });

    it('keeps the session over a reload, and the skip link is the first stop of the keyboard and leads to the content', async () => {
      await page.reload();
      await row(page, devices.get('veh-dash-0')!).waitFor();
      await page.keyboard.press('Tab');
      expect(await page.evaluate('document.activeElement.id')).toBe('skip-link');
      await page.keyboard.press('Enter');
      expect(await page.evaluate('document.activeElement.id')).toBe('main');
      expect(page.url()).toBe(`${base}/#/fleet`); // the router's hash is left alone
    });

    it('filters the board by vehicle class', async () => {
      await page.getByLabel('Kjøretøyklasse').selectOption('van');
      await expectText(page.locator('#fleet-count'), '1 av 4 kjøretøy');
      expect(await page.locator('tbody tr').count()).toBe(1);
      await row(page, vanId).waitFor();
      await page.getByLabel('Kjøretøyklasse').selectOption('');
      await expectText(page.locator('#fleet-count'), '4 av 4 kjøretøy');
    });

    it('shows a status change published over MQTT on the board without a reload', async () => {
      const id = devices.get('veh-dash-1')!;
      await page.evaluate('window.unreloaded = true'); // a reload would lose it
      await device.publish('fleet/v1/vehicles/veh-dash-1/connection', 'offline');
      await page.locator(`tr[data-vehicle-id="${id}"][data-status="offline"]`).waitFor({ timeout: 20_000 });
      await expectText(row(page, id), 'Frakoblet');
      await device.publish('fleet/v1/vehicles/veh-dash-1/telemetry', { ts: new Date().toISOString(), speedKmh: 12, socPct: 88, lat: 59.9, lon: 10.55 });
      await page.locator(`tr[data-vehicle-id="${id}"][data-status="online"]`).waitFor({ timeout: 20_000 });
      await expectText(row(page, id), 'Tilkoblet');
      expect(await page.evaluate('window.unreloaded')).toBe(true);
    });

    it('hides retired vehicles from the board unless the status filter asks for them', async () => {
      const [{ departmentId }] = await sql.rows<{ departmentId: string }>(`SELECT department_id AS "departmentId" FROM vehicles LIMIT 1`);
      retired = (
        await t
          .http()
          .post('/api/v1/vehicles')
          .set(bearer(t.adminKey))
          .send(aVehicle(departmentId, { deviceId: 'veh-dash-retired', inServiceFrom: '2015-01-01', inServiceTo: '2019-06-30' }))
          .expect(201)
      ).body.id;
      await page.reload();
      await expectText(page.locator('#fleet-count'), '4 av 5 kjøretøy');
      expect(await row(page, retired).count()).toBe(0);
      await page.getByLabel('Status', { exact: true }).selectOption('retired');
      await expectText(page.locator('#fleet-count'), '1 av 5 kjøretøy');
      await expectText(row(page, retired), 'Utrangert');
      await page.getByLabel('Status', { exact: true }).selectOption('');
      await expectText(page.locator('#fleet-count'), '4 av 5 kjøretøy');
    });

    it('opens a vehicle page with its figures, daily table and positions over Bærum', async () => {
      await page.getByRole('link', { name: 'LT000000' }).focus();
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Kjøretøy LT000000' }).waitFor();
      expect(page.url()).toBe(`${base}/#/vehicles/${devices.get('veh-dash-0')}`);
      await expectText(page.locator('.facts'), /48\u00a0211,4\u00a0km/); // decimal comma, space as thousands separator
      await page.locator('[data-testid="current-position"]').waitFor();
      await page.getByRole('heading', { name: 'Daglige tall' }).waitFor();
      await waitUntil(async () => (await page.locator('#daily-heading ~ .table-wrap td').count()) > 0 || (await page.getByText('Ingen daglige tall').count()) > 0, 10_000);
      // Ten minutes of data in the last seven days: their coverage is far below 0.5, but the last
      // sample is today, so the page keeps the last seven days and says the figures are modelled.
      const from = await page.locator('#period-from').inputValue();
      const to = await page.locator('#period-to').inputValue();
      expect(to).toBe(osloDay(new Date()));
      expect(from).toBe(osloDay(new Date(Date.now() - 6 * 86_400_000)));
      const coverage = page.locator('#vehicle-totals [data-figure="coverage"] span');
      await expectText(coverage, /^\d+,\d\u00a0% – under 90 %: tallene bygger delvis på modellerte verdier$/);
      const daily = (
        await t
          .http()
          .get(`/api/v1/vehicles/${devices.get('veh-dash-0')}/daily?from=${from}&to=${nextDay(to)}`)
          .set(bearer(key))
          .expect(200)
      ).body;
      expect(daily.total.coverage).toBeLessThan(0.5);
      // The denominator (elapsed in-service time) grows while the test runs.
      expect(Number(await coverage.getAttribute('data-coverage'))).toBeCloseTo(daily.total.coverage, 3);
      await expectText(page.locator('#daily-heading ~ .table-wrap thead'), 'Dekning');
      await expectText(page.locator('#daily-heading ~ .table-wrap tbody'), 'under 90 %');
      await screenshot(page, 'vehicle-page');
    });

    it('switches to English', async () => {
      await page.getByLabel('Språk').selectOption('en');
      await page.getByRole('heading', { name: 'Vehicle LT000000' }).waitFor();
      await expectText(page.locator('.facts'), /48,211\.4\u00a0km/);
      await page.getByLabel('Language').selectOption('nb');
      await page.getByRole('heading', { name: 'Kjøretøy LT000000' }).waitFor();
    });

    it('opens a retired vehicle on its last covered week, and shows the long gap of a longer period', async () => {
      // In service until 2019-06-30; odometer readings on 2 January, then (a gap over 45 days) 1, 15 and 29 June.
      await device.publish('fleet/v1/vehicles/veh-dash-retired/telemetry', [
        { ts: '2019-01-02T10:00:00Z', odometerKm: 1000 },
        { ts: '2019-06-01T10:00:00Z', odometerKm: 5000 },
        { ts: '2019-06-15T10:00:00Z', odometerKm: 5400 },
        { ts: '2019-06-29T12:00:00Z', odometerKm: 5800 },
      ]);
      const week = await settled(
        async () => (await t.http().get(`/api/v1/vehicles/${retired}/daily?from=2019-06-23&to=2019-06-30`).set(bearer(key)).expect(200)).body,
        (report) => report.total.distanceKm > 0 && (report.days as Array<{ day: string }>).some((d) => d.day === '2019-06-29'),
        30_000,
      );
      // Covered from 23 June 00:00 to the last reading, 29 June 14:00 in Oslo: 158 of 168 hours.
      expect(week.total.coverage).toBeCloseTo(158 / 168, 6);

      await page.goto(`${base}/#/vehicles/${retired}`);
      await page.getByRole('heading', { name: /^Kjøretøy EL/ }).waitFor();
      await expectText(page.locator('#vehicle-totals [data-figure="coverage"]'), /^94,0\u00a0%$/);
      expect(await page.locator('#period-from').inputValue()).toBe('2019-06-23');
      expect(await page.locator('#period-to').inputValue()).toBe('2019-06-29');
      expect(await page.locator('#vehicle-flags').count()).toBe(0);
      await expectText(page.locator('#daily-heading ~ .table-wrap tbody'), '29.06');

      // May and June: 674 of 1 440 in-service hours covered; January to June is spread as modelled and flagged.
      await page.locator('#period-from').fill('2019-05-01');
      await page.getByRole('button', { name: 'Vis', exact: true }).click();
      await expectText(page.locator('#vehicle-totals [data-figure="coverage"]'), `${nb((100 * 674) / 1440, 1)}\u00a0% – under 90 %`);
      await expectText(page.locator('#vehicle-totals [data-figure="distanceKm"]'), 'herav modellert');
      await expectText(page.locator('#vehicle-flags'), 'Merknader (1)');
      await expectText(page.locator('#vehicle-flags li'), 'from 2019-01-02T10:00:00.000Z to 2019-06-01T10:00:00.000Z');
    });
  });

  describe('cooperative', () => {
    let page: Page;
    let key: string;
    let month: string;
    let report: UsageReport;

    beforeAll(async () => {
      key = await t.keyFor('cooperative', cooperativeId);
      // A finished session on connector 1 (10 kWh, two hours ago) and one in progress on connector 2.
      const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
      const publish = (stream: string, payload: unknown) => device.publish(`fleet/v1/chargepoints/${chargePointDevice}/${stream}`, payload);
      await publish('transaction', [
        { ts: at(180), event: 'start', connectorId: 1, transactionId: 'E2E-1', meterWh: 10_000, idTag: 'tag-e2e-1' },
        { ts: at(60), event: 'stop', connectorId: 1, transactionId: 'E2E-1', meterWh: 20_000 },
        { ts: at(20), event: 'start', connectorId: 2, transactionId: 'E2E-2', meterWh: 50_000, idTag: 'tag-e2e-2' },
      ]);
      await publish('status', [
        { ts: at(181), connectorId: 1, status: 'Charging' },
        { ts: at(59), connectorId: 1, status: 'Available' },
        { ts: at(21), connectorId: 2, status: 'Charging' },
      ]);
      await publish('meter', [
        { ts: at(120), connectorId: 1, energyWh: 15_000 },
        { ts: at(2), connectorId: 2, energyWh: 52_000, powerW: 7200 },
      ]);
      month = osloMonth(new Date(Date.now() - 180 * 60_000));
      const coop = bearer(key);
      report = await settled(
        // The page asks for the whole month; a month in progress is measured over its elapsed part.
        async () => (await t.http().get(usagePath(month)).set(coop).expect(200)).body as UsageReport,
        (body) => body.total.sessions === 2 && body.total.energyKwh >= 10,
        30_000,
      );
      await settled(
        async () => (await t.http().get('/api/v1/chargepoints').set(coop).expect(200)).body.items[0],
        (point) => point.state?.connectors?.find((c: { connectorId: number }) => c.connectorId === 2)?.openSession != null,
      );
      page = await newPage();
    });

    it("signs in and sees its charge points with live connector states and the month's real figures", async () => {
      await signIn(page, key);
      await page.getByRole('heading', { name: 'Våre ladepunkter' }).waitFor();
      const point = page.locator('tr[data-charge-point-id]');
      await expectText(point, chargePointName);
      await expectText(point.locator('.device-info'), 'MQTT');
      await expectText(point, 'Tilkoblet');
      await expectText(point.locator('[data-connector="1"]'), '1: Ledig');
      await expectText(point.locator('[data-connector="2"]'), /2: Lader 7,2\u00a0kW – økt pågår siden/);
      await page.getByLabel('Periode', { exact: true }).selectOption(`${month}-01/${nextMonth(month)}-01`);
      const figure = (name: string) => page.locator(`#usage-total [data-figure="${name}"]`);
      await expectText(figure('sessions'), '2');
      expect(report.total.energyKwh).toBeGreaterThanOrEqual(10);
      await expectText(figure('energyKwh'), `${nb(report.total.energyKwh, 1)}\u00a0kWh`);
      // Over the elapsed part of a month in progress the shares move with the clock: the page's lie
      // between the report read before it and one read after it.
      const later = (await t.http().get(usagePath(month)).set(bearer(key)).expect(200)).body as UsageReport;
      for (const share of ['utilizationPct', 'availabilityPct'] as const) {
        const shown = [report, later].map((r) => `${nb(r.total[share], 1)}\u00a0%`);
        await expectText(figure(share), new RegExp(`^\\s*(${shown.join('|')})\\s*$`));
      }
      await expectText(figure('uniqueUsers'), '2');
      await expectText(page.locator(`tr[data-usage-charge-point-id="${report.chargePoints[0].chargePointId}"]`), chargePointName);
      expect(await page.locator('#usage-heading ~ .charts canvas').count()).toBe(3);
      expect(page.url()).toBe(`${base}/#/cooperative`);
      await screenshot(page, 'cooperative');
    });

    it('saves the subsidy follow-up export, fetched with the key', async () => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.locator('button[data-export="csv"]').click()]);
      expect(download.suggestedFilename()).toBe(`ladebruk-${month}.csv`);
      const csv = readFileSync((await download.path())!, 'utf8');
      expect(csv).toContain(chargePointName);
      // The dashboard's downloads are for Norwegian Excel: `;` between fields.
      expect(csv).toMatch(/\ntotal;/);
      const [xlsx] = await Promise.all([page.waitForEvent('download'), page.locator('button[data-export="xlsx"]').click()]);
      expect(
        readFileSync((await xlsx.path())!)
          .subarray(0, 2)
          .toString(),
      ).toBe('PK'); // a zip container
    });

    it("cannot open another cooperative's page: the page says so and the API answers 404", async () => {
      await page.goto(`${base}/#/cooperative/${otherCooperativeId}`);
      await expectText(page.getByRole('alert'), 'Fant ikke dette borettslaget, eller nøkkelen har ikke tilgang til det.');
      expect(await page.locator('tr[data-charge-point-id]').count()).toBe(0);
      await t.http().get(`/api/v1/organizations/${otherCooperativeId}`).set(bearer(key)).expect(404);
      await t.http().get(`/api/v1/chargepoints?organizationId=${otherCooperativeId}`).set(bearer(key)).expect(404);
      await t
        .http()
        .get(`/api/v1/reports/charging-usage?organizationId=${otherCooperativeId}&from=${month}-01&to=${nextMonth(month)}-01`)
        .set(bearer(key))
        .expect(404);
    });

    it("an admin picks the cooperative and opens its page by the organization's id", async () => {
      const admin = await newPage();
      await signIn(admin, t.adminKey);
      await admin.getByRole('heading', { name: 'Flåten nå' }).waitFor(); // an admin starts on the fleet board
      await admin.goto(`${base}/#/cooperative/${cooperativeId}`);
      await expectText(admin.locator('tr[data-charge-point-id]'), chargePointName);
      expect(await admin.getByLabel('Borettslag').inputValue()).toBe(cooperativeId);
      await admin.getByLabel('Borettslag').selectOption(otherCooperativeId);
      await admin.waitForURL(`${base}/#/cooperative/${otherCooperativeId}`);
      await expectText(admin.locator('#usage-total [data-figure="sessions"]'), /^0$/);
    });
  });

  describe('climate office', () => {
    let departmentId: string;

    beforeAll(async () => {
      // A petrol car driven in 2019 and 2020, and an electric car joining in 2020 (samples around the turn of the year, as in emissions-change.spec.ts).
      const admin = bearer(t.adminKey);
      departmentId = (await sql.rows<{ departmentId: string }>(`SELECT department_id AS "departmentId" FROM vehicles LIMIT 1`))[0].departmentId;
      const ids: string[] = [];
      for (const [registration, overrides] of [
        ['PA20001', { energyCarrier: 'petrol', inServiceFrom: '2018-01-01' }],
        ['EE20002', { energyCarrier: 'electricity', inServiceFrom: '2020-01-01' }],
      ] as const) {
        ids.push(
          (
            await t
              .http()
              .post('/api/v1/vehicles')
              .set(admin)
              .send(aVehicle(departmentId, { registration, deviceId: `veh-${registration.toLowerCase()}`, nominalConsumptionPerKm: null, ...overrides }))
              .expect(201)
          ).body.id,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 500)); // the device directory learns the new devices
      await device.publish('fleet/v1/vehicles/veh-pa20001/telemetry', [
        { ts: '2019-12-30T08:00:00Z', odometerKm: 1000, fuelUsedL: 100 },
        { ts: '2019-12-30T10:00:00Z', odometerKm: 1100, fuelUsedL: 108 },
        { ts: '2020-01-02T08:00:00Z', odometerKm: 1100, fuelUsedL: 108 },
        { ts: '2020-01-02T10:00:00Z', odometerKm: 1220, fuelUsedL: 117 },
      ]);
      await device.publish('fleet/v1/vehicles/veh-ee20002/telemetry', [
        { ts: '2020-01-02T08:00:00Z', odometerKm: 10, energyChargedKwh: 300 },
        { ts: '2020-01-02T10:00:00Z', odometerKm: 110, energyChargedKwh: 318 },
      ]);
      await settled(
        async () => Number((await sql.rows<{ km: string | null }>(`SELECT sum(distance_km) AS km FROM vehicle_daily WHERE vehicle_id = ANY($1)`, [ids]))[0].km ?? 0),
        (km) => Math.abs(km - 320) < 1e-6,
        30_000,
      );
    });

    it('sees real emission figures by month and class, the change from 2019 with its decomposition, and the zero-emission share', async () => {
      const climate = bearer(await t.keyFor('climate_office'));
      const byMonth = (await t.http().get('/api/v1/reports/emissions?from=2020-01-01&to=2021-01-01&groupBy=month').set(climate).expect(200)).body;
      const change = (await t.http().get('/api/v1/reports/emissions/change?baseYear=2019&year=2020').set(climate).expect(200)).body;
      const kpis = (await t.http().get('/api/v1/reports/fleet-kpis?year=2020').set(climate).expect(200)).body;
      // 2019: 8 L of petrol; 2020: 9 L and 18 kWh, with the electric car's 100 km avoiding the petrol baseline.
      expect(change.baseKg).toBeGreaterThan(10);
      expect(byMonth.total.avoidedKg).toBeGreaterThan(0);
      // Every month in service has a row (coverage 0 without data); only January has figures.
      expect(byMonth.rows.filter((r: { distanceKm: number }) => r.distanceKm > 0).map((r: { group: string }) => r.group)).toEqual(['2020-01']);
      expect(byMonth.total.coverage).toBeLessThan(0.9); // samples on two days of the year

      // A climate budget for 2020 (issue 19): the view shows it with the forecast, and the electrification plan.
      await t
        .http()
        .post('/api/v1/emissions/budget-sets')
        .set(climate)
        .send({
          name: 'Test',
          budgets: [{ scope: 'fleet', fromYear: 2020, toYear: 2030, boundary: 'ttw', annualKg: 30 }],
          targets: [{ name: 'Høyst 25 kg i 2020', scope: 'fleet', kind: 'absolute', year: 2020, maxKg: 25 }],
        })
        .expect(201);
      const budget = (await t.http().get('/api/v1/reports/climate-budget?year=2020').set(climate).expect(200)).body;
      const plan = (await t.http().get('/api/v1/reports/electrification-plan?asOf=2021-01-01').set(climate).expect(200)).body; // a past year's plan is as of its end
      expect(budget.totals.forecastKg).toBeCloseTo(byMonth.total.actualKg, 9); // 2020 has ended: the forecast is the actual

      const page = await newPage();
      await signIn(page, await t.keyFor('climate_office'));
      await page.getByRole('heading', { name: 'Klimatall' }).waitFor();
      await page.getByLabel('År', { exact: true }).fill('2020');
      await page.getByLabel('Sammenlignet med').fill('2019');
      await page.getByRole('button', { name: 'Vis' }).click();
      const kg = (value: number) => `${nb(value, 1)}\u00a0kg CO₂e`;
      await expectText(page.locator('#climate-totals [data-figure="actualKg"]'), kg(byMonth.total.actualKg));
      await expectText(page.locator('#climate-totals [data-figure="baselineKg"]'), kg(byMonth.total.baselineKg));
      await expectText(page.locator('#climate-totals [data-figure="avoidedKg"]'), kg(byMonth.total.avoidedKg));
      await expectText(page.locator('#climate-totals [data-figure="distanceKm"]'), '220,0\u00a0km');
      // Coverage beside the totals, with the warning below 90 % (reports-v1 amendment 1.1).
      await expectText(page.locator('#climate-totals [data-figure="coverage"]'), `${nb(100 * byMonth.total.coverage, 1)}\u00a0% – under 90 %`);
      await expectText(page.locator('#climate-change-coverage'), 'Dekning 2019');
      await expectText(page.locator('tr[data-month="2020-01"]'), 'jan. 2020');
      await expectText(page.locator('tr[data-class="passenger_car"]'), 'Personbil');
      await expectText(page.locator('#climate-change-text'), `${kg(change.baseKg)} i 2019 → ${kg(change.currentKg)} i 2020`);
      await expectText(page.locator('#climate-change-text'), `${nb(change.changePct, 1)}\u00a0%`);
      expect(await page.locator('section[aria-labelledby="climate-change"] canvas').count()).toBe(1); // the waterfall
      await expectText(page.locator('section[aria-labelledby="climate-change"] tbody'), 'Aktivitet');
      await expectText(page.locator('#climate-zero-share [data-figure="byDistance"]'), `${nb(100 * kpis.zeroEmissionShare.byDistance, 1)}\u00a0%`);
      await expectText(page.locator('#climate-zero-share [data-figure="byCount"]'), `${nb(100 * kpis.zeroEmissionShare.byCount, 1)}\u00a0%`);
      await expectText(page.locator('#budget-totals [data-figure="forecastKg"]'), kg(budget.totals.forecastKg));
      await expectText(page.locator('#budget-totals [data-figure="budgetStatus"]'), { on_track: 'i rute', at_risk: 'i fare', off_track: 'ikke i rute' }[budget.totals.status as string]!);
      // The fleet's target drawn on the trend chart, and in its table (inside a closed <details>: textContent).
      expect(await page.locator('tr[data-year="2020"] [data-figure="targetKg"]').textContent()).toBe(kg(25));
      // The reason in Norwegian, worded from the API's reason code and the row's figures (the API's text stays English).
      const reasonStart: Record<string, string> = {
        no_candidate: 'ingen kandidat-elbil',
        no_distances: 'ingen daglige distanser',
        p95_above_range: 'p95-dagen på',
        no_depot: 'avdelingen har ikke registrert',
        no_overnight_stop: 'ingen overnatting på hjemmedepotet',
        stop_too_short: 'overnattingen på depotet',
        days_above_range: 'dag(er) over vinterrekkevidden',
        fits: 'p95-dagen på',
      };
      await expectText(page.locator(`section[aria-labelledby="climate-plan"] tr[data-verdict]`).first(), reasonStart[plan.rows[0].reasonCode]);
      expect(await page.locator('section[aria-labelledby="climate-plan"] tbody').innerText()).not.toContain(plan.rows[0].reason);
      expect(await page.locator('section[aria-labelledby="climate-plan"] tr[data-verdict]').count()).toBe(plan.rows.length);
      await screenshot(page, 'climate');

      const [download] = await Promise.all([page.waitForEvent('download'), page.locator('button[data-export="reports/emissions:csv"]').first().click()]);
      expect(download.suggestedFilename()).toBe('utslipp-maned-2020.csv');
      expect(readFileSync((await download.path())!, 'utf8')).toContain('2020-01');

      await page.goto(`${base}/#/fleet`);
      await expectText(page.locator('main'), 'Denne nøkkelen har ikke tilgang');
    });
  });

  it('refuses a wrong key with a message and keeps nothing', async () => {
    const page = await newPage();
    await signIn(page, 'kk_not-a-real-key');
    await expectText(page.getByRole('alert'), 'Ukjent, tilbakekalt eller utløpt API-nøkkel.');
    expect(await page.evaluate("sessionStorage.getItem('klimaklok.apiKey')")).toBeNull();
    await screenshot(page, 'sign-in-error');
  });

  it('made no request to any host but the service, and the pages logged no error', () => {
    expect(requests.length).toBeGreaterThan(10);
    expect(requests.filter((url) => new URL(url).origin !== base)).toEqual([]);
    expect(pageErrors).toEqual([]);
    // Expected failures only: the wrong key's 401 and the other cooperative's organization (404).
    expect(failedResponses.filter((line) => line !== '401 /api/v1/me' && line !== `404 /api/v1/organizations/${otherCooperativeId}`)).toEqual([]);
  });
});

async function expectText(locator: Locator, expected: string | RegExp, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last =
      (await locator
        .first()
        .textContent()
        .catch(() => '')) ?? '';
    if (typeof expected === 'string' ? last.includes(expected) : expected.test(last)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`expected ${String(expected)} in ${JSON.stringify(last)}`);
}

interface UsageReport {
  chargePoints: Array<{ chargePointId: string }>;
  total: { sessions: number; energyKwh: number; utilizationPct: number; availabilityPct: number };
}

/** A number as the page writes it in bokmål (decimal comma, no-break space between thousands). */
function nb(value: number, digits: number): string {
  return new Intl.NumberFormat('nb-NO', { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
}

/** The day "YYYY-MM-DD" of an instant in Oslo, the reporting time zone. */
function osloDay(at: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Oslo', year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

function nextDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

/** The month "YYYY-MM" of an instant in Oslo, the reporting time zone. */
function osloMonth(at: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Oslo', year: 'numeric', month: '2-digit' }).format(at).slice(0, 7);
}

function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 7);
}

/** The charging-usage report of a whole month, as the page asks for it. */
function usagePath(month: string): string {
  return `/api/v1/reports/charging-usage?from=${month}-01&to=${nextMonth(month)}-01`;
}
