import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Browser, Page, chromium } from 'playwright-core';
import { demoKeys } from '../../scripts/lib/demo-keys';
import { dashboardDir } from '../../src/dashboard/dashboard-assets';
import { asyncApiFile } from '../../src/telemetry/asyncapi/asyncapi-document';
import { aCooperative } from '../support/builders';
import { TestApp, bearer, startTestApp } from '../support/test-app';

const CHROMIUM = '/usr/bin/chromium';

/**
 * What a new user opens first, in Debian's headless Chromium against the real service on a real
 * port: the MQTT contract rendered at /asyncapi, and the demo banner's four sign-in keys, each
 * opening its role's view at the banner's URL (scripts/lib/demo-keys.ts). Every request the page makes is recorded: none
 * may go to another host, and the page may log no error (a CSP violation would).
 */
describe('the first ten minutes, in headless Chromium', () => {
  let t: TestApp;
  let server: http.Server;
  let base: string;
  let browser: Browser;
  const requests: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(path.join(dashboardDir(), 'index.html'))) throw new Error('dashboard assets missing: run `npm run build` first');
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} missing: apt-get install -y chromium (.ci/run does)`);
    t = await startTestApp({ INGEST_CONNECTIONS: '1' });
    server = t.app.getHttpServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.on('request', (request) => requests.push(request.url()));
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => message.type() === 'error' && pageErrors.push(message.text()));
    return page;
  }

  it('renders the AsyncAPI document at /asyncapi beside /docs, from this origin only, and serves the document itself', async () => {
    const page = await newPage();
    const response = await page.goto(`${base}/asyncapi`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toMatch(/script-src 'self'/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('Klimaklok Fleet Monitor telemetry');
    // Every channel of the contract, with its payload's fields and the reasons it may be refused for.
    for (const address of [
      'vehicles/{deviceId}/telemetry',
      'vehicles/{deviceId}/connection',
      'chargepoints/{deviceId}/status',
      'chargepoints/{deviceId}/meter',
      'chargepoints/{deviceId}/transaction',
      'chargepoints/{deviceId}/connection',
    ]) {
      expect(await page.getByRole('heading', { level: 3, name: `fleet/v1/${address}` }).count()).toBe(1);
    }
    const telemetry = page.locator('section#receiveVehicleTelemetry');
    expect(await telemetry.locator('td code', { hasText: /^energyChargedKwh$/ }).count()).toBe(1);
    expect(await telemetry.locator('.errors').textContent()).toContain('timestamp_too_old');
    expect(await page.locator('#reason-unknown_device').textContent()).toContain('No device of the topic');
    expect(await page.locator('a[href="/docs"]').count()).toBe(1);
    // The document as served is the file in the repository.
    const yaml = await page.request.get(`${base}/asyncapi.yaml`);
    expect(yaml.status()).toBe(200);
    expect(await yaml.text()).toBe(readFileSync(asyncApiFile(), 'utf8'));
    expect(requests.filter((url) => !url.startsWith(base))).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it("gives the demo banner one key per role, each opening its view at the banner's URL, the same keys again on a restart", async () => {
    const admin = bearer(t.adminKey);
    // Two cooperatives: the demo picks the first by name.
    await t
      .http()
      .post('/api/v1/organizations')
      .set(admin)
      .send(aCooperative({ name: 'Østerås borettslag' }))
      .expect(201);
    const first = (
      await t
        .http()
        .post('/api/v1/organizations')
        .set(admin)
        .send(aCooperative({ name: 'Bekkestua Park sameie' }))
        .expect(201)
    ).body;
    const dir = mkdtempSync(path.join(tmpdir(), 'demo-keys-'));
    try {
      const file = path.join(dir, 'demo-keys.json');
      const keys = await demoKeys(base, t.adminKey, file);
      expect(keys.map((k) => [k.role, k.url])).toEqual([
        ['admin', `${base}/`],
        ['fleet_manager', `${base}/#/fleet`],
        ['cooperative', `${base}/#/cooperative`],
        ['climate_office', `${base}/#/climate`],
      ]);
      expect(keys.find((k) => k.role === 'cooperative')!.who).toBe('cooperative Bekkestua Park sameie');
      expect((await t.http().get('/api/v1/me').set(bearer(keys[2].key)).expect(200)).body).toMatchObject({ role: 'cooperative', organizationId: first.id });
      expect((await demoKeys(base, t.adminKey, file)).map((k) => k.key)).toEqual(keys.map((k) => k.key));

      const views: Record<string, { heading: string; nav: string[] }> = {
        admin: { heading: 'Flåten nå', nav: ['Flåten', 'Ladepunkter', 'Klima', 'Varsler', 'Tilskudd'] },
        fleet_manager: { heading: 'Flåten nå', nav: ['Flåten', 'Varsler'] },
        cooperative: { heading: 'Våre ladepunkter', nav: ['Ladepunkter', 'Varsler'] },
        climate_office: { heading: 'Klimatall', nav: ['Ladepunkter', 'Klima', 'Varsler', 'Tilskudd'] },
      };
      for (const { role, key, url } of keys) {
        const page = await newPage();
        await page.goto(url);
        await page.getByLabel('API-nøkkel').fill(key);
        await page.getByRole('button', { name: 'Logg inn' }).click();
        await page.getByRole('heading', { name: views[role].heading }).waitFor();
        if (url.includes('#')) expect(page.url()).toBe(url);
        // The alerts item carries a badge with the number of open alerts (filled in once it loads).
        const nav = (await page.locator('#top nav a').allTextContents()).map((text) => text.replace(/\s*\d*\s*$/, ''));
        expect({ role, nav }).toEqual({ role, nav: views[role].nav });
        await page.context().close();
      }
      expect(requests.filter((url) => !url.startsWith(base))).toEqual([]);
      expect(pageErrors).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
