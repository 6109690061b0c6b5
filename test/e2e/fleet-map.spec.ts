import { existsSync } from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { Browser, Locator, Page, chromium } from 'playwright-core';
import { dashboardDir } from '../../src/dashboard/dashboard-assets';
import { registerVehicles } from '../support/fleet-fixture';
import { TestPublisher } from '../support/mqtt-publisher';
import { Sql } from '../support/sql';
import { TestApp, bearer, startTestApp } from '../support/test-app';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = process.env.DASHBOARD_SCREENSHOTS; // a folder: save screenshots of the map views there
/** A 1×1 PNG: the local tile server answers every tile with it. */
const TILE = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const DEPOT = { name: 'Bekkestua depot', lat: 59.9005, lon: 10.5305, radiusM: 150, chargerKw: 22 };

/** Elements whose right edge lies past the page's width, as tag.class (a diagnosis of sideways scrolling). */
const WIDE_ELEMENTS = `[...document.querySelectorAll('main *')]
  // The outermost elements past the right edge: those whose parent is still within it.
  .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && e.parentElement.getBoundingClientRect().right <= document.documentElement.clientWidth + 1)
  .slice(0, 6).map((e) => e.tagName.toLowerCase() + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : '') + ' ' + Math.round(e.getBoundingClientRect().width))`;

// page.evaluate takes strings here: this file is type-checked without the DOM library.

/**
 * The fleet managers' map in Debian's headless Chromium against the real service, with tiles
 * from a tiny local tile server (MAP_TILE_URL): vehicles on the map coloured by state, a status
 * change over MQTT recolouring and moving a marker without a reload, a vehicle's track drawn
 * from its stored positions with a trip replay, its depot dwell, the notice when no tile source
 * answers, positions kept from climate_office and past POSITION_RETENTION_DAYS, and no
 * sideways scrolling at 390 px on any view. No request may go to a host but the service and
 * the tile server.
 */
describe('fleet map in headless Chromium', () => {
  let t: TestApp;
  let sql: Sql;
  let device: TestPublisher;
  let server: http.Server;
  let tiles: http.Server;
  let tileRequests = 0;
  let base: string;
  let tileOrigin: string;
  let browser: Browser;
  let devices: Map<string, string>;
  let fleetKey: string;
  let arrivedAt: string;
  const requests: string[] = [];
  const pageErrors: string[] = [];
  const now = Date.now();
  const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();

  beforeAll(async () => {
    if (!existsSync(path.join(dashboardDir(), 'index.html'))) throw new Error('dashboard assets missing: run `npm run build` first');
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} missing: apt-get install -y chromium (.ci/run does)`);
    tiles = http.createServer((request, response) => {
      tileRequests++;
      if (!/^\/tiles\/\d+\/\d+\/\d+\.png$/.test(request.url ?? '')) return void response.writeHead(404).end();
      response.writeHead(200, { 'Content-Type': 'image/png', 'Access-Control-Allow-Origin': '*' }).end(TILE);
    });
    await new Promise<void>((resolve) => tiles.listen(0, '127.0.0.1', resolve));
    tileOrigin = `http://127.0.0.1:${(tiles.address() as AddressInfo).port}`;
    t = await startTestApp({ INGEST_CONNECTIONS: '2', POSITION_RETENTION_DAYS: '30', MAP_TILE_URL: `${tileOrigin}/tiles/{z}/{x}/{y}.png`, MAP_TILE_ATTRIBUTION: 'Test tiles' });
    server = t.app.getHttpServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    sql = await Sql.connect(t.database.url);
    device = await TestPublisher.connect(t.broker.url);
    devices = await registerVehicles(sql, 3, 'veh-map');
    const admin = bearer(t.adminKey);
    const [{ departmentId }] = await sql.rows<{ departmentId: string }>(`SELECT department_id AS "departmentId" FROM vehicles LIMIT 1`);
    await t
      .http()
      .post('/api/v1/electrification/depots')
      .set(admin)
      .send({ organizationId: departmentId, ...DEPOT })
      .expect(201);
    fleetKey = await t.keyFor('fleet_manager');

    await new Promise((resolve) => setTimeout(resolve, 500)); // the device directory learns the new devices
    // veh-map-0: a position 40 days ago (past the retention), a ten-minute trip ending in the depot, two samples parked there.
    const trip = Array.from({ length: 11 }, (_, i) => ({ ts: at(14 - i), ignition: true, speedKmh: 30, odometerKm: 1000 + i * 0.5, socPct: 70, lat: 59.89 + i * 0.001, lon: 10.52 + i * 0.001 }));
    arrivedAt = at(4); // the trip's last position is already within the depot's radius (62 m from its centre)
    const parked = [3, 2].map((minutesAgo) => ({ ts: at(minutesAgo), ignition: false, speedKmh: 0, odometerKm: 1005, socPct: 69, lat: DEPOT.lat, lon: DEPOT.lon }));
    await device.publish('fleet/v1/vehicles/veh-map-0/telemetry', [{ ts: at(40 * 1440), speedKmh: 0, lat: 59.95, lon: 10.6 }, ...trip, ...parked]);
    await device.publish('fleet/v1/vehicles/veh-map-1/telemetry', { ts: at(1), speedKmh: 0, socPct: 90, lat: 59.91, lon: 10.56 });
    await device.publish('fleet/v1/vehicles/veh-map-2/telemetry', { ts: at(1), speedKmh: 40, socPct: 50, lat: 59.88, lon: 10.5 });
    await waitUntil(async () => {
      const list = (await t.http().get('/api/v1/vehicles').set(admin).expect(200)).body.items as Array<{ status: string; state: { position?: unknown } | null }>;
      const trips = (
        await t
          .http()
          .get(`/api/v1/vehicles/${devices.get('veh-map-0')}/trips?from=${at(60)}&to=${at(-1)}`)
          .set(admin)
          .expect(200)
      ).body.items;
      return list.length === 3 && list.every((v) => v.status === 'online' && v.state?.position) && trips.length === 1;
    }, 30_000);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  });

  afterAll(async () => {
    await browser?.close();
    await device?.close();
    await sql?.close();
    await t?.close();
    tiles?.closeAllConnections();
    if (tiles?.listening) await new Promise((resolve) => tiles.close(resolve));
  });

  async function newPage(width = 1280, height = 900): Promise<Page> {
    const context = await browser.newContext({ locale: 'nb-NO', timezoneId: 'Europe/Oslo', viewport: { width, height } });
    const page = await context.newPage();
    page.on('request', (request) => requests.push(request.url()));
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => message.type() === 'error' && !message.text().startsWith('Failed to load resource') && pageErrors.push(message.text()));
    return page;
  }

  async function signIn(page: Page, key: string, hash = '') {
    await page.goto(`${base}/`);
    await page.getByLabel('API-nøkkel').fill(key);
    await page.getByRole('button', { name: 'Logg inn' }).click();
    await page.locator('#signed-in-as').waitFor();
    if (hash) await page.goto(`${base}/${hash}`);
  }

  /** The board draws its vehicles on one canvas, which answers where and how it drew one (fleet-map.ts, VehicleLayer.marker). */
  interface Drawn {
    x: number;
    y: number;
    state: string;
    heading: number | null;
    cluster: number;
  }
  const marker = (page: Page, vehicleId: string) => page.evaluate(`document.querySelector('canvas.vehicle-layer')?.marker(${JSON.stringify(vehicleId)}) ?? null`) as Promise<Drawn | null>;
  const markerCount = async (page: Page) => Number(await page.locator('canvas.vehicle-layer').getAttribute('data-vehicles'));
  /** Waits until the vehicle is drawn (alone, unless `cluster` says otherwise) and `check` holds. */
  async function drawn(page: Page, vehicleId: string, check: (drawn: Drawn) => boolean = () => true, cluster = 1): Promise<Drawn> {
    let last: Drawn | null = null;
    await waitUntil(async () => {
      last = await marker(page, vehicleId);
      return last !== null && last.cluster === cluster && check(last);
    }, 20_000).catch(() => {
      throw new Error(`vehicle ${vehicleId} not drawn as expected: ${JSON.stringify(last)}`);
    });
    return last!;
  }
  const centre = async (locator: Locator) => {
    const box = (await locator.boundingBox())!;
    return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  };

  describe('the live board', () => {
    let page: Page;

    beforeAll(async () => {
      page = await newPage();
      await signIn(page, fleetKey);
    });

    it('shows every vehicle on the map, coloured by its state, over the configured tiles, with the depot', async () => {
      await page.getByRole('heading', { name: 'Flåten nå' }).waitFor();
      await drawn(page, devices.get('veh-map-0')!);
      expect(await markerCount(page)).toBe(3);
      expect((await drawn(page, devices.get('veh-map-0')!)).state).toBe('parked');
      expect((await drawn(page, devices.get('veh-map-1')!)).state).toBe('parked');
      expect((await drawn(page, devices.get('veh-map-2')!)).state).toBe('driving');
      await page.locator('.leaflet-frame[data-tiles="loaded"]').waitFor();
      expect(tileRequests).toBeGreaterThan(0);
      await expectText(page.locator('.leaflet-control-attribution'), 'Test tiles');
      expect(await page.locator('path[data-depot-id]').count()).toBe(1);
      expect(await page.locator('.map-notice').isVisible()).toBe(false);
      if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, 'fleet-map.png') });
    });

    it('asks for its data once when reloaded: what the early script asked for before the bundle ran is taken over', async () => {
      const asked: string[] = [];
      const record = (request: { url(): string }) => asked.push(new URL(request.url()).pathname + new URL(request.url()).search);
      page.on('request', record);
      try {
        await page.reload();
        await drawn(page, devices.get('veh-map-2')!);
        await page.locator('tbody tr').first().waitFor();
      } finally {
        page.off('request', record);
      }
      const count = (url: string) => asked.filter((one) => one === url).length;
      expect(['/api/v1/me', '/api/v1/vehicles?limit=5000&offset=0', '/api/v1/organizations?limit=1000&offset=0', '/api/v1/fleet/map', '/api/v1/electrification/depots'].map(count)).toEqual([
        1, 1, 1, 1, 1,
      ]);
      // Asked for by the early script: before DOMContentLoaded, which waits for the bundle to have run (the app asks only after me() answered).
      const askedAt = await page.evaluate(
        `performance.getEntriesByType('resource').find((entry) => entry.name.endsWith('/api/v1/vehicles?limit=5000&offset=0')).startTime - performance.getEntriesByType('navigation')[0].domContentLoadedEventStart`,
      );
      expect(askedAt).toBeLessThan(0);
      expect(await markerCount(page)).toBe(3);
    });

    it('opens a card with the vehicle on a click on its marker', async () => {
      const at = await drawn(page, devices.get('veh-map-2')!);
      await page.mouse.click(at.x, at.y);
      const card = page.locator(`.vehicle-card[data-vehicle-id="${devices.get('veh-map-2')}"]`);
      await card.waitFor();
      await expectText(card, 'LT000002');
      await expectText(card, '40\u00a0km/t');
      await expectText(card, '50\u00a0%');
      expect(await card.getByRole('link', { name: 'Åpne kjøretøysiden' }).getAttribute('href')).toBe(`#/vehicles/${devices.get('veh-map-2')}`);
      await page.keyboard.press('Escape');
      await page.locator('.vehicle-card').waitFor({ state: 'detached' });
    });

    it('opens the same card from the list with the keyboard, and gives the focus back on Escape', async () => {
      const id = devices.get('veh-map-0')!;
      const button = page.getByRole('button', { name: 'Vis LT000000 på kartet' });
      await button.focus();
      await page.keyboard.press('Enter');
      const card = page.locator(`.vehicle-card[data-vehicle-id="${id}"]`);
      await card.waitFor();
      await expectText(card, 'LT000000');
      expect(await page.evaluate('document.activeElement.textContent')).toBe('Åpne kjøretøysiden');
      // The board with vehicles on the map, the list's map buttons and a card open (dashboard-a11y's fleet has no positions).
      const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
      expect(axe.violations.map((v) => `${v.id}: ${v.nodes[0]?.target.join(' ')}`)).toEqual([]);
      await page.keyboard.press('Escape');
      await card.waitFor({ state: 'detached' });
      expect(await page.evaluate('document.activeElement.getAttribute("aria-label")')).toBe('Vis LT000000 på kartet');
    });

    it('clusters the vehicles when zoomed out, and a click on the cluster zooms in to them', async () => {
      // Three vehicles some 2 km apart: one cluster from about zoom 9 down.
      for (let i = 0; i < 8; i++) await page.locator('.leaflet-control-zoom-out').click();
      const cluster = await drawn(page, devices.get('veh-map-0')!, () => true, 3);
      expect(await page.locator('canvas.vehicle-layer').getAttribute('data-clusters')).toBe('1');
      await page.mouse.click(cluster.x, cluster.y);
      for (const name of ['veh-map-0', 'veh-map-1', 'veh-map-2']) await drawn(page, devices.get(name)!);
    });

    it('recolours and moves a marker on a status change published over MQTT, without a reload', async () => {
      const id = devices.get('veh-map-1')!;
      await page.evaluate('window.unreloaded = true'); // a reload would lose it
      const before = await drawn(page, id);
      expect(before.heading).toBeNull(); // parked: no heading
      await device.publish('fleet/v1/vehicles/veh-map-1/connection', 'offline');
      await drawn(page, id, (now) => now.state === 'offline');
      await page.locator(`tr[data-vehicle-id="${id}"] .changed-mark`).waitFor(); // the list marks the change
      // South-west, inside the other vehicles' box (the move stays within the map's view) and
      // some 800 m from the depot's vehicle (its own dot, not a cluster with it).
      await device.publish('fleet/v1/vehicles/veh-map-1/telemetry', { ts: new Date().toISOString(), speedKmh: 45, socPct: 88, lat: 59.895, lon: 10.52 });
      // South-west: down and to the left on the screen, driving, its heading the bearing of the move (about 236°).
      const after = await drawn(page, id, (now) => now.state === 'driving' && now.x < before.x - 3 && now.y > before.y + 3);
      expect(after.heading).toBeGreaterThan(220);
      expect(after.heading).toBeLessThan(250);
      expect(await page.evaluate('window.unreloaded')).toBe(true);
    });

    it('searches, sorts and filters the list, keeping the choice in the URL', async () => {
      await page.getByLabel('Søk registreringsnr.').fill('lt000001');
      await expectText(page.locator('#fleet-count'), '1 av 3 kjøretøy');
      await waitUntil(async () => (await markerCount(page)) === 1, 5_000); // the map shows what the list shows
      await page.getByLabel('Søk registreringsnr.').fill('');
      await page.locator('#sort-speed').click();
      await page.locator('#sort-speed').click(); // fastest first
      expect(page.url()).toContain('sort=speed');
      expect(page.url()).toContain('dir=desc');
      const registrations = await page.locator('tbody th').allTextContents();
      expect(registrations.map((text) => text.trim())).toEqual(['LT000001', 'LT000002', 'LT000000']); // 45, 40, 0 km/t
      await page.getByLabel('Status', { exact: true }).selectOption('offline');
      await expectText(page.locator('#fleet-count'), '0 av 3 kjøretøy');
      await page.reload();
      await expectText(page.locator('#fleet-count'), '0 av 3 kjøretøy');
      expect(await page.getByLabel('Status', { exact: true }).inputValue()).toBe('offline');
      await page.getByLabel('Status', { exact: true }).selectOption('');
      await expectText(page.locator('#fleet-count'), '3 av 3 kjøretøy');
    });

    it('says the tiles are missing when the tile source does not answer, and still draws the vehicles', async () => {
      const offline = await newPage();
      await offline.route(`${tileOrigin}/**`, (route) => route.abort());
      await signIn(offline, fleetKey, '#/fleet');
      await expectText(offline.locator('.map-notice'), 'Kartfliser mangler');
      await drawn(offline, devices.get('veh-map-0')!);
      expect(await markerCount(offline)).toBe(3);
      await offline.close();
    });
  });

  describe('the vehicle page', () => {
    let page: Page;
    const vehicle = () => devices.get('veh-map-0')!;

    beforeAll(async () => {
      page = await newPage();
      await signIn(page, fleetKey, `#/vehicles/${devices.get('veh-map-0')}`);
    });

    it('draws the day’s track from the stored positions, not the trip’s ends', async () => {
      const track = page.locator('path[data-track-points]');
      await track.waitFor();
      // Eleven positions of the trip and two parked there.
      expect(await track.getAttribute('data-track-points')).toBe('13');
      await expectText(page.locator('#track-summary'), '13 posisjoner');
      await page.locator('[data-testid="current-position"]').waitFor();
    });

    it('replays a trip with the time slider', async () => {
      await page.getByRole('button', { name: 'Spill av tur' }).click();
      const slider = page.locator('#replay-slider');
      // The trip's eleven moving positions and the ignition-off one that ends it.
      expect(await slider.getAttribute('max')).toBe('11');
      const replay = page.locator('[data-testid="replay-marker"]');
      expect(await replay.getAttribute('data-ts')).toBe(at(14));
      const start = await centre(replay);
      await slider.fill('10');
      expect(await replay.getAttribute('data-ts')).toBe(at(4));
      await expectText(page.locator('#replay-time'), '30\u00a0km/t');
      const end = await centre(replay);
      expect(end.x).toBeGreaterThan(start.x);
      expect(end.y).toBeLessThan(start.y);
      if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, 'vehicle-track.png'), fullPage: true });
    });

    it('shows since when the vehicle stands at its depot', async () => {
      const state = (await t.http().get(`/api/v1/vehicles/${vehicle()}`).set(bearer(fleetKey)).expect(200)).body.state;
      expect(state.atDepot).toEqual({ depotId: expect.any(String), name: DEPOT.name, since: arrivedAt });
      await expectText(page.locator('.facts'), `${DEPOT.name} siden`);
      expect(await page.locator('path[data-depot-id]').count()).toBe(1);
    });
  });

  it('keeps positions from climate_office and past POSITION_RETENTION_DAYS', async () => {
    const climate = bearer(await t.keyFor('climate_office'));
    await t
      .http()
      .get(`/api/v1/vehicles/${devices.get('veh-map-0')}/positions?from=${at(60 * 1440)}&to=${at(-1)}`)
      .set(climate)
      .expect(403);
    await t.http().get('/api/v1/fleet/map').set(climate).expect(403);
    const seen = (
      await t
        .http()
        .get(`/api/v1/vehicles/${devices.get('veh-map-0')}`)
        .set(climate)
        .expect(200)
    ).body.state;
    expect(seen.position).toBeUndefined();
    expect(seen.atDepot).toBeUndefined();
    const kept = (
      await t
        .http()
        .get(`/api/v1/vehicles/${devices.get('veh-map-0')}/positions?from=${at(60 * 1440)}&to=${at(-1)}`)
        .set(bearer(fleetKey))
        .expect(200)
    ).body;
    expect(kept.items).toHaveLength(13);
    expect(kept.items[0].ts).toBe(at(14));
  });

  it('has no sideways scrolling at 390 px on any view', async () => {
    const page = await newPage(390, 844);
    await signIn(page, t.adminKey);
    for (const hash of ['#/fleet', `#/vehicles/${devices.get('veh-map-0')}`, '#/cooperative', '#/climate', '#/alerts']) {
      await page.goto(`${base}/${hash}`);
      await page.locator('h1').first().waitFor();
      await page.waitForTimeout(1500); // the view's data arrives and renders
      const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      // On failure, the elements reaching past the right edge say where to look.
      const wide = overflow ? await page.evaluate(WIDE_ELEMENTS) : [];
      expect({ hash, overflow, wide }).toEqual({ hash, overflow: 0, wide: [] });
      if (SCREENSHOTS && hash === '#/fleet') await page.screenshot({ path: path.join(SCREENSHOTS, 'fleet-map-phone.png'), fullPage: true });
    }
  });

  it('shows the whole list on laptop and desktop screens, its last column not cut (beside the map from 1280 px, below it on a smaller laptop)', async () => {
    const seen: unknown[] = [];
    for (const width of [1152, 1280, 1440, 1920]) {
      const page = await newPage(width, 900);
      await signIn(page, t.adminKey);
      await page.goto(`${base}/#/fleet`);
      await page.locator('tbody tr').first().waitFor();
      const list = await page.evaluate(
        `(() => { const list = document.querySelector('.board-list'); return { hidden: list.scrollWidth - list.clientWidth, beside: list.getBoundingClientRect().top < document.querySelector('.board-map').getBoundingClientRect().bottom }; })()`,
      );
      seen.push({ width, ...(list as object) });
      await page.context().close();
    }
    expect(seen).toEqual([1152, 1280, 1440, 1920].map((width) => ({ width, hidden: 0, beside: width >= 1280 })));
  });

  it('made no request to any host but the service and the tile source, and the pages logged no error', () => {
    expect(requests.length).toBeGreaterThan(10);
    expect(requests.filter((url) => ![base, tileOrigin].includes(new URL(url).origin))).toEqual([]);
    expect(requests.some((url) => url.startsWith(tileOrigin))).toBe(true);
    expect(pageErrors).toEqual([]);
  });
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('condition not met in time');
}

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
