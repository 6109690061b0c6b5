import http from 'node:http';
import { AddressInfo } from 'node:net';
import AxeBuilder from '@axe-core/playwright';
import { Browser, Page, chromium } from 'playwright-core';
import { ApiRole } from '../../src/platform/access/role';
import { aChargePoint, aCooperative, aSubsidyGrant } from '../support/builders';
import { registerVehicles } from '../support/fleet-fixture';
import { Sql } from '../support/sql';
import { TestApp, bearer, startTestApp } from '../support/test-app';

const CHROMIUM = '/usr/bin/chromium';
const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

// page.evaluate takes strings here: this file is type-checked without the DOM library.

/**
 * Universal design (WCAG 2.1 A and AA, as the Norwegian regulation asks): axe-core over every
 * view each role can open, in both languages, after the view has loaded its data. The violations
 * of each view are printed; the test fails on any.
 */
describe('dashboard accessibility (axe-core, WCAG 2.1 A/AA)', () => {
  let t: TestApp;
  let sql: Sql;
  let server: http.Server;
  let base: string;
  let browser: Browser;
  let vehicleId: string;
  let cooperativeId: string;

  beforeAll(async () => {
    t = await startTestApp({ INGEST_CONNECTIONS: '1' });
    server = t.app.getHttpServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    sql = await Sql.connect(t.database.url);
    vehicleId = [...(await registerVehicles(sql, 2, 'veh-a11y')).values()][0];
    const admin = bearer(t.adminKey);
    cooperativeId = (
      await t
        .http()
        .post('/api/v1/organizations')
        .set(admin)
        .send(aCooperative({ name: 'Tilgjengelig borettslag' }))
        .expect(201)
    ).body.id;
    const grant = (await t.http().post('/api/v1/subsidy-grants').set(admin).send(aSubsidyGrant(cooperativeId)).expect(201)).body;
    await t
      .http()
      .post('/api/v1/chargepoints')
      .set(admin)
      .send(aChargePoint(cooperativeId, { subsidyGrantId: grant.id }))
      .expect(201);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  });

  afterAll(async () => {
    await browser?.close();
    await sql?.close();
    await t?.close();
  });

  const VIEWS: Record<ApiRole, string[]> = {
    admin: ['#/fleet', '#/vehicles/:vehicle', '#/cooperative', '#/climate', '#/alerts', '#/subsidy'],
    fleet_manager: ['#/fleet', '#/vehicles/:vehicle', '#/alerts'],
    climate_office: ['#/climate', '#/cooperative', '#/alerts', '#/subsidy'],
    cooperative: ['#/cooperative', '#/alerts'],
  };

  /** Waits until the view has replaced every "loading" placeholder, then runs axe. */
  async function violations(page: Page): Promise<string[]> {
    // Polled with evaluate: waitForFunction would evaluate a string in the page, which its CSP forbids.
    const deadline = Date.now() + 20_000;
    while (await page.evaluate("/Laster …|Loading …/.test(document.getElementById('main').textContent)")) {
      if (Date.now() > deadline) throw new Error(`${page.url()} still loading`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await page.waitForTimeout(300); // charts and the alert badge settle
    const result = await new AxeBuilder({ page }).withTags(WCAG_21_AA).analyze();
    // The header's alert badge and the charts are part of every view: they are checked with it.
    return result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.length} node(s), e.g. ${v.nodes[0]?.target.join(' ')}`);
  }

  const pages = new Map<string, Page>();

  /** One browser page per language, its language chosen as a user does (kept in localStorage). */
  async function pageIn(lang: 'nb' | 'en'): Promise<Page> {
    if (!pages.has(lang)) {
      const context = await browser.newContext({ locale: lang === 'nb' ? 'nb-NO' : 'en-GB', timezoneId: 'Europe/Oslo', viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      await page.goto(`${base}/`);
      await page.evaluate(`localStorage.setItem('klimaklok.lang', '${lang}')`);
      pages.set(lang, page);
    }
    return pages.get(lang)!;
  }

  async function check(page: Page, name: string) {
    const started = Date.now();
    const list = await violations(page);
    console.log(`axe ${name}: ${list.length} violation(s) (${((Date.now() - started) / 1000).toFixed(1)} s)${list.map((v) => `\n  ${v}`).join('')}`);
    expect(list).toEqual([]);
  }

  for (const lang of ['nb', 'en'] as const) {
    it(`sign-in (${lang})`, async () => {
      const page = await pageIn(lang);
      await page.evaluate(`sessionStorage.removeItem('klimaklok.apiKey')`);
      await page.reload();
      await check(page, `${lang} sign-in`);
    });

    for (const role of Object.keys(VIEWS) as ApiRole[]) {
      for (const view of VIEWS[role]) {
        it(`${role} ${view} (${lang})`, async () => {
          const page = await pageIn(lang);
          const key = role === 'admin' ? t.adminKey : await t.keyFor(role, role === 'cooperative' ? cooperativeId : undefined);
          await page.evaluate(`sessionStorage.setItem('klimaklok.apiKey', ${JSON.stringify(key)})`);
          await page.goto(`${base}/${view.replace(':vehicle', vehicleId)}`);
          await page.reload(); // signs in with the stored key
          await page.locator('#signed-in-as').waitFor();
          await check(page, `${lang} ${role} ${view}`);
        }, 60_000);
      }
    }
  }
});
