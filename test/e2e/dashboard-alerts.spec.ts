import { existsSync } from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import { Browser, Page, chromium } from 'playwright-core';
import { dashboardDir } from '../../src/dashboard/dashboard-assets';
import { aCooperative } from '../support/builders';
import { registerChargePoint } from '../support/charging-fixture';
import { TestPublisher } from '../support/mqtt-publisher';
import { TestApp, bearer, startTestApp } from '../support/test-app';

const CHROMIUM = '/usr/bin/chromium';

/**
 * The alerts view in headless Chromium: a cooperative makes a rule in the editor, a connector
 * fault published over MQTT appears in the open list and the navigation badge without a reload,
 * and acknowledging it shows who did it with the comment and clears the badge.
 */
describe('dashboard: alerts view', () => {
  let t: TestApp;
  let device: TestPublisher;
  let browser: Browser;
  let base: string;
  let coopKey: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(path.join(dashboardDir(), 'index.html'))) throw new Error('dashboard assets missing: run `npm run build` first');
    t = await startTestApp({ ALERT_EVALUATION_INTERVAL: '300ms' });
    const server: http.Server = t.app.getHttpServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const coop = (await t.http().post('/api/v1/organizations').set(bearer(t.adminKey)).send(aCooperative()).expect(201)).body.id;
    await registerChargePoint(t, coop, 'cp-dash-alert', { name: 'Garasje Sør' });
    coopKey = await t.keyFor('cooperative', coop);
    device = await TestPublisher.connect(t.broker.url);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  });

  afterAll(async () => {
    await browser?.close();
    await device?.close();
    await t?.close();
  });

  it('makes a rule, shows its alert live with the badge, and acknowledges it', async () => {
    const context = await browser.newContext({ locale: 'nb-NO', timezoneId: 'Europe/Oslo' });
    const page: Page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => message.type() === 'error' && pageErrors.push(message.text()));
    await page.goto(`${base}/`);
    await page.getByLabel('API-nøkkel').fill(coopKey);
    await page.getByRole('button', { name: 'Logg inn' }).click();
    await page.getByRole('link', { name: 'Varsler' }).click();
    await page.getByRole('heading', { name: 'Varsler', level: 1 }).waitFor();
    await page.locator('#alerts-live', { hasText: 'Direkte' }).waitFor();

    await page.getByLabel('Type').selectOption('connector_fault');
    await page.getByLabel('Navn').fill('Feil på lader');
    await page.getByLabel('minutes').fill('0.01');
    await page.getByRole('button', { name: 'Opprett regel' }).click();
    await page.locator('tr[data-rule]', { hasText: 'Feil på lader' }).waitFor();

    await device.publish('fleet/v1/chargepoints/cp-dash-alert/status', { ts: new Date().toISOString(), connectorId: 1, status: 'Faulted' });
    const alertRow = page.locator('#alerts-open tr[data-alert]', { hasText: 'Garasje Sør connector 1' });
    await alertRow.waitFor({ timeout: 20_000 });
    await page.locator('#alert-badge:not([hidden])', { hasText: '1' }).waitFor();

    await alertRow.getByPlaceholder('Kommentar').fill('Elektriker bestilt');
    await alertRow.getByRole('button', { name: 'Kvitter' }).click();
    await page.locator('#alerts-open tr[data-alert]', { hasText: 'Elektriker bestilt' }).waitFor();
    await expectText(page, '#alerts-open', 'test cooperative');
    await page.locator('#alert-badge[hidden]').waitFor({ state: 'attached' });
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('lets the climate office make a budget status rule with its scope and status', async () => {
    const climateKey = await t.keyFor('climate_office');
    const context = await browser.newContext({ locale: 'nb-NO', timezoneId: 'Europe/Oslo' });
    const page: Page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${base}/`);
    await page.getByLabel('API-nøkkel').fill(climateKey);
    await page.getByRole('button', { name: 'Logg inn' }).click();
    await page.getByRole('link', { name: 'Varsler' }).click();
    await page.getByRole('heading', { name: 'Varsler', level: 1 }).waitFor();
    // The rule form comes with the rules (after their request); evaluateAll does not wait for it.
    await page.getByLabel('Type').waitFor();

    expect(
      await page
        .getByLabel('Type')
        .locator('option')
        .evaluateAll((options) => options.map((o) => o.getAttribute('value'))),
    ).toEqual(['budget_status']);
    await page.getByLabel('Navn').fill('Budsjett i risiko');
    await page.getByLabel('status').selectOption('at_risk');
    await page.getByRole('button', { name: 'Opprett regel' }).click();
    await page.locator('tr[data-rule]', { hasText: 'Budsjett i risiko' }).waitFor();
    const rules = (await t.http().get('/api/v1/alert-rules').set(bearer(climateKey)).expect(200)).body.items;
    expect(rules.map((r: { kind: string; subjectKind: string; params: object }) => [r.kind, r.subjectKind, r.params])).toEqual([['budget_status', 'budget', { scope: 'fleet', status: 'at_risk' }]]);
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});

async function expectText(page: Page, selector: string, text: string) {
  expect(await page.locator(selector).innerText()).toContain(text);
}
