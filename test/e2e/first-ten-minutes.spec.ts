import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { Browser, Page, chromium } from 'playwright-core';
import { asyncApiFile } from '../../src/telemetry/asyncapi/asyncapi-document';
import { TestApp, startTestApp } from '../support/test-app';

const CHROMIUM = '/usr/bin/chromium';

/**
 * What a new user opens first, in Debian's headless Chromium against the real service on a real
 * port: the MQTT contract rendered at /asyncapi. Every request the page makes is recorded: none
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
    for (const address of ['vehicles/{deviceId}/telemetry', 'vehicles/{deviceId}/connection', 'chargepoints/{deviceId}/status', 'chargepoints/{deviceId}/meter', 'chargepoints/{deviceId}/transaction', 'chargepoints/{deviceId}/connection']) {
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
});
