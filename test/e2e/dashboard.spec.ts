import { existsSync } from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import { Browser, Locator, Page, chromium } from 'playwright-core';
import { dashboardDir } from '../../src/dashboard/dashboard-assets';
import { aChargePoint, aCooperative, aSubsidyGrant, aVehicle } from '../support/builders';
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
 * reload, the vehicle page, a wrong key. Every request the page makes is recorded: none may go
 * to another host, and the page may log no error (a CSP violation would).
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

  beforeAll(async () => {
    if (!existsSync(path.join(dashboardDir(), 'index.html'))) throw new Error('dashboard assets missing: run `npm run build` first');
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} missing: apt-get install -y chromium (.ci/run does)`);
    t = await startTestApp({ INGEST_CONNECTIONS: '2' });
    server = t.app.getHttpServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    sql = await Sql.connect(t.database.url);
    device = await TestPublisher.connect(t.broker.url);

    devices = await registerVehicles(sql, 3, 'veh-dash');
    const admin = bearer(t.adminKey);
    const [{ departmentId }] = await sql.rows<{ departmentId: string }>(`SELECT department_id AS "departmentId" FROM vehicles LIMIT 1`);
    vanId = (await t.http().post('/api/v1/vehicles').set(admin).send(aVehicle(departmentId, { vehicleClass: 'van', deviceId: 'veh-dash-van' })).expect(201)).body.id;
    cooperativeId = (await t.http().post('/api/v1/organizations').set(admin).send(aCooperative()).expect(201)).body.id;
    const grant = (await t.http().post('/api/v1/subsidy-grants').set(admin).send(aSubsidyGrant(cooperativeId)).expect(201)).body;
    chargePointName = (await t.http().post('/api/v1/chargepoints').set(admin).send(aChargePoint(cooperativeId, { subsidyGrantId: grant.id })).expect(201)).body.name;

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
    const context = await browser.newContext({ locale: 'nb-NO', timezoneId: 'Europe/Oslo', viewport: { width: 1280, height: 900 } });
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
    if (by === 'enter') await page.keyboard.press('Enter'); // the key field has focus on load
    else await page.getByRole('button', { name: 'Logg inn' }).click();
  }

  async function screenshot(page: Page, name: string) {
    if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
  }

  it('serves the page and its assets without a key, under a content security policy without inline scripts', async () => {
    const page = await t.http().get('/').expect(200).expect('Content-Type', /text\/html/);
    expect(page.text).toContain('<script defer src="/assets/app.js"></script>');
    expect(page.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    const policy = page.headers['content-security-policy'];
    expect(policy).toMatch(/script-src 'self'(;|$)/);
    expect(policy).toMatch(/default-src 'self'/);
    expect(policy).not.toContain('upgrade-insecure-requests'); // plain HTTP at a LAN address must work too
    await t.http().get('/assets/app.js').expect(200).expect('Content-Type', /javascript/);
    await t.http().get('/assets/style.css').expect(200).expect('Content-Type', /css/);
    await t.http().get('/assets/missing.js').expect(404);
    await t.http().get('/api/v1/me').expect(401); // the API stays behind its keys
  });

  const row = (page: Page, vehicleId: string) => page.locator(`tr[data-vehicle-id="${vehicleId}"]`);

  describe('fleet manager', () => {
    let page: Page;
    let key: string;

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

    it('opens a vehicle page with its figures, daily table and positions over Bærum', async () => {
      await page.getByRole('link', { name: 'LT000000' }).focus();
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Kjøretøy LT000000' }).waitFor();
      expect(page.url()).toBe(`${base}/#/vehicles/${devices.get('veh-dash-0')}`);
      await expectText(page.locator('.facts'), /48\u00a0211,4\u00a0km/); // decimal comma, space as thousands separator
      await page.locator('[data-testid="current-position"]').waitFor();
      await page.getByRole('heading', { name: 'Daglige tall' }).waitFor();
      await waitUntil(async () => (await page.locator('#daily-heading ~ .table-wrap td').count()) > 0 || (await page.getByText('Ingen daglige tall').count()) > 0, 10_000);
      await screenshot(page, 'vehicle-page');
    });

    it('switches to English', async () => {
      await page.getByLabel('Språk').selectOption('en');
      await page.getByRole('heading', { name: 'Vehicle LT000000' }).waitFor();
      await expectText(page.locator('.facts'), /48,211\.4\u00a0km/);
      await page.getByLabel('Language').selectOption('nb');
      await page.getByRole('heading', { name: 'Kjøretøy LT000000' }).waitFor();
    });
  });

  it('shows a cooperative its charge points, and the usage figures as coming with the charging API', async () => {
    const page = await newPage();
    await signIn(page, await t.keyFor('cooperative', cooperativeId));
    await page.getByRole('heading', { name: 'Våre ladepunkter' }).waitFor();
    await expectText(page.locator('main'), chargePointName);
    await expectText(page.locator('main'), 'kommer med ladings-API-et');
    expect(page.url()).toBe(`${base}/#/cooperative`);
    await screenshot(page, 'cooperative');
  });

  it('shows the climate office its view, with the emission figures as coming with the emissions API', async () => {
    const page = await newPage();
    await signIn(page, await t.keyFor('climate_office'));
    await page.getByRole('heading', { name: 'Klimatall' }).waitFor();
    await expectText(page.locator('main'), 'kommer med utslipps-API-et');
    await screenshot(page, 'climate');
    await page.goto(`${base}/#/fleet`);
    await expectText(page.locator('main'), 'Denne nøkkelen har ikke tilgang');
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
    // Expected failures only: the wrong key's 401, and the report routes of the charging and
    // emissions APIs that are not merged yet (404; the views show their empty states).
    expect(failedResponses.filter((line) => line !== '401 /api/v1/me' && !/^404 \/api\/v1\/reports\//.test(line))).toEqual([]);
  });
});

async function expectText(locator: Locator, expected: string | RegExp, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = (await locator.first().textContent().catch(() => '')) ?? '';
    if (typeof expected === 'string' ? last.includes(expected) : expected.test(last)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`expected ${String(expected)} in ${JSON.stringify(last)}`);
}
