import { readFileSync } from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { Workbook } from 'exceljs';
import { parse } from 'csv-parse/sync';
import { Browser, Locator, Page, chromium } from 'playwright-core';
import { aChargePoint, aCooperative, aSubsidyGrant } from '../support/builders';
import { settled } from '../support/charging-fixture';
import { TestPublisher } from '../support/mqtt-publisher';
import { pdfText } from '../support/pdf-text';
import { TestApp, bearer, startTestApp } from '../support/test-app';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = process.env.DASHBOARD_SCREENSHOTS; // a folder: save screenshots of the subsidy views there

// page.evaluate takes strings here: this file is type-checked without the DOM library.

/**
 * Subsidy follow-up in headless Chromium against the real service, on a hand-made fixture whose
 * dates are set from today: cooperative A has one follow-up period that ended 10 days ago (due in
 * 20 days) and a session of 10 kWh in it on "plass 4" (beside "plass 10"); cooperative B has two
 * periods whose deadlines have passed, the first submitted now (late), the second not (missing).
 * A's board picks the grant's period, submits it with the keyboard only after a confirmation,
 * gets the receipt (its PDF text read back) and the status; its Norwegian CSV export equals the
 * JSON figures rounded as shown. The climate office's overview lists B's late and missing
 * periods, filters, and exports a Norwegian CSV and an XLSX with a cover sheet.
 */
describe('subsidy follow-up in headless Chromium', () => {
  let t: TestApp;
  let device: TestPublisher;
  let server: http.Server;
  let base: string;
  let browser: Browser;
  const today = osloDay(new Date());
  const endA = addDays(today, -10);
  const periodA = { from: addYears(endA, -1), to: endA };
  const endB = addDays(today, -60);
  const grantedB = addYears(endB, -2);
  const firstB = { from: grantedB, to: addYears(grantedB, 1) };
  const secondB = { from: addYears(grantedB, 1), to: endB };
  let coopA: string;
  let coopB: string;
  let grantA: { id: string; reference: string; followUpEndsOn: string };
  let keyA: string;
  const nameA = 'Solsiden borettslag';
  const nameB = 'Bakkehaugen borettslag';

  beforeAll(async () => {
    t = await startTestApp({ INGEST_CONNECTIONS: '1', BACKFILL_HORIZON_DAYS: '5000' });
    server = t.app.getHttpServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    device = await TestPublisher.connect(t.broker.url);
    const admin = bearer(t.adminKey);
    const post = async (route: string, body: object) => (await t.http().post(route).set(admin).send(body).expect(201)).body;

    coopA = (await post('/api/v1/organizations', aCooperative({ name: nameA }))).id;
    grantA = await post('/api/v1/subsidy-grants', aSubsidyGrant(coopA, { grantedOn: periodA.from, followUpEndsOn: periodA.to, amountNok: 10000, chargePointCount: 2 }));
    const commissionedOn = addDays(periodA.from, -1);
    const plass4 = await post('/api/v1/chargepoints', aChargePoint(coopA, { name: 'plass 4', subsidyGrantId: grantA.id, commissionedOn }));
    await post('/api/v1/chargepoints', aChargePoint(coopA, { name: 'plass 10', subsidyGrantId: grantA.id, commissionedOn }));
    coopB = (await post('/api/v1/organizations', aCooperative({ name: nameB }))).id;
    await post('/api/v1/subsidy-grants', aSubsidyGrant(coopB, { grantedOn: grantedB, followUpEndsOn: endB }));
    // B submits its first period now, long after its deadline: late; its second stays missing.
    await t
      .http()
      .post('/api/v1/reports/charging-usage/submissions')
      .set(bearer(await t.keyFor('cooperative', coopB)))
      .send(firstB)
      .expect(201);

    // One finished session of 10 kWh on plass 4, twenty days ago (inside A's period).
    await new Promise((resolve) => setTimeout(resolve, 500)); // the device directory learns the new device
    const at = (minutes: number) => new Date(Date.parse(`${addDays(today, -20)}T10:00:00Z`) + minutes * 60_000).toISOString();
    const publish = (stream: string, payload: unknown) => device.publish(`fleet/v1/chargepoints/${plass4.deviceId}/${stream}`, payload);
    await publish('transaction', [
      { ts: at(0), event: 'start', connectorId: 1, transactionId: 'SUB-1', meterWh: 10_000, idTag: 'tag-sub-1' },
      { ts: at(120), event: 'stop', connectorId: 1, transactionId: 'SUB-1', meterWh: 20_000 },
    ]);
    await publish('status', [
      { ts: at(-1), connectorId: 1, status: 'Charging' },
      { ts: at(121), connectorId: 1, status: 'Available' },
    ]);
    keyA = await t.keyFor('cooperative', coopA);
    await settled(
      async () => (await t.http().get(`/api/v1/reports/charging-usage?from=${periodA.from}&to=${periodA.to}`).set(bearer(keyA)).expect(200)).body,
      (report) => report.total.sessions === 1 && report.total.energyKwh === 10,
      30_000,
    );
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  });

  afterAll(async () => {
    await browser?.close();
    await device?.close();
    await t?.close();
  });

  /** A new tab signed in with `key` on `hash`; with `clock`, the page's clock starts at that instant (Playwright's clock, which the test can fast-forward). */
  async function signedIn(key: string, hash: string, clock?: Date): Promise<Page> {
    const context = await browser.newContext({ locale: 'nb-NO', timezoneId: 'Europe/Oslo', viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    if (clock) await context.clock.install({ time: clock });
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await page.getByLabel('API-nøkkel').fill(key);
    await page.keyboard.press('Enter');
    await page.locator('#signed-in-as').waitFor();
    await page.goto(`${base}/${hash}`);
    return page;
  }

  /** Presses Tab until the element matching `selector` has focus: the way a keyboard user gets there. */
  async function tabTo(page: Page, selector: string) {
    for (let i = 0; i < 80; i++) {
      if (await page.evaluate(`document.activeElement?.matches(${JSON.stringify(selector)}) ?? false`)) return;
      await page.keyboard.press('Tab');
    }
    throw new Error(`Tab never reached ${selector}`);
  }

  async function screenshot(page: Page, name: string) {
    if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
  }

  /** The receipt's first page as an image for docs/: pdfjs-dist renders it in the browser, from files routed locally. */
  async function receiptScreenshot(pdf: Buffer) {
    if (!SCREENSHOTS) return;
    const page = await (await browser.newContext({ viewport: { width: 900, height: 1270 } })).newPage();
    const build = path.join(path.dirname(require.resolve('pdfjs-dist/package.json')), 'build');
    const html = `<body style="margin:0"><canvas id="c"></canvas><script type="module">
      import * as pdfjs from '/pdf.mjs';
      pdfjs.GlobalWorkerOptions.workerSrc = '/pdf.worker.mjs';
      const page = await (await pdfjs.getDocument('/receipt.pdf').promise).getPage(1);
      const viewport = page.getViewport({ scale: 1.5 });
      const canvas = document.getElementById('c');
      canvas.width = viewport.width; canvas.height = viewport.height;
      await page.render({ canvasContext: canvas.getContext('2d'), viewport }).promise;
      document.body.dataset.done = 'yes';
    </script></body>`;
    await page.route('http://receipt.invalid/**', (route) => {
      const file = new URL(route.request().url()).pathname;
      if (file === '/receipt.pdf') return route.fulfill({ body: pdf, contentType: 'application/pdf' });
      if (file === '/pdf.mjs' || file === '/pdf.worker.mjs') return route.fulfill({ body: readFileSync(path.join(build, file)), contentType: 'text/javascript' });
      return route.fulfill({ body: html, contentType: 'text/html' });
    });
    await page.goto('http://receipt.invalid/');
    await page.locator('body[data-done="yes"]').waitFor();
    await page.locator('#c').screenshot({ path: path.join(SCREENSHOTS, 'subsidy-receipt.png') });
    await page.context().close();
  }

  describe('a cooperative board', () => {
    let page: Page;

    beforeAll(async () => {
      page = await signedIn(keyA, '#/cooperative');
      await page.getByRole('heading', { name: 'Våre ladepunkter' }).waitFor();
    });

    it('sees its grant with the end of follow-up and the next deadline, and its charge points in natural order', async () => {
      const grant = page.locator(`tr[data-grant="${grantA.reference}"]`);
      await expectText(grant, `${nbDay(periodA.to)}${nbDay(addDays(periodA.to, 30))}`);
      const names = await page.locator('tr[data-charge-point-id] th').evaluateAll((cells) => cells.map((cell) => (cell.firstChild as { textContent: string }).textContent));
      expect(names).toEqual(['plass 4', 'plass 10']);
      await expectText(page.locator(`#follow-up tr[data-period="${periodA.from}/${periodA.to}"]`), 'skal leveres');
    });

    it("picks the grant's follow-up period, submits it with the keyboard only after a confirmation, and sees the status", async () => {
      await tabTo(page, '#coop-period');
      await page.keyboard.type(grantA.reference); // a select's type-ahead: the first option starting so, the grant's period
      await expectText(page.locator('#usage-heading'), `Perioden i tall: ${nbDay(periodA.from)}–${nbDay(addDays(periodA.to, -1))}`);
      await expectText(page.locator('#usage-total [data-figure="energyKwh"]'), '10,0\u00a0kWh');
      await tabTo(page, '#submit-open');
      await page.keyboard.press('Enter');
      const summary = page.locator('#submit-summary');
      await summary.waitFor();
      const text = await summary.textContent();
      for (const part of [nameA, grantA.reference, `${nbDay(periodA.from)}–${nbDay(addDays(periodA.to, -1))}`, 'Økter1', 'Energi10,0\u00a0kWh']) expect(text).toContain(part);
      expect(await page.evaluate('document.activeElement?.id')).toBe('submit-confirm');
      // The open confirmation dialog is not part of any view the accessibility test loads: checked here.
      const dialogViolations = (await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze()).violations.map((v) => `${v.id}: ${v.nodes.length} node(s)`);
      console.log(`axe nb cooperative #/cooperative with the submit dialog open: ${dialogViolations.length} violation(s)${dialogViolations.map((v) => `\n  ${v}`).join('')}`);
      expect(dialogViolations).toEqual([]);
      await screenshot(page, 'subsidy-confirmation');
      await page.keyboard.press('Enter');
      await expectText(page.locator('#submitted-note'), 'Rapporten er sendt inn');
      await expectText(page.locator(`#follow-up tr[data-period="${periodA.from}/${periodA.to}"]`), 'levert i tide');
      expect(await page.evaluate('document.activeElement?.getAttribute("data-receipt")')).toMatch(/^[0-9a-f-]{36}$/);
      await screenshot(page, 'subsidy-cooperative');
    });

    it('gets the receipt as a PDF with the figures, period, grant reference, factor set, submission id and time', async () => {
      const id = (await page.evaluate('document.activeElement.getAttribute("data-receipt")')) as string;
      const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
      expect(download.suggestedFilename()).toBe(`kvittering-${periodA.from}-${addDays(periodA.to, -1)}.pdf`);
      // Lines the PDF wrapped are joined again: the checks are of the text, not of the layout.
      const text = (await pdfText(readFileSync((await download.path())!))).replace(/\s*\n\s*/g, ' ');
      const submission = (await t.http().get(`/api/v1/reports/charging-usage/submissions/${id}`).set(bearer(keyA)).expect(200)).body;
      const factors = (submission.report.factors as Array<{ year: number; kgPerKwh: number; source: string; substituted: boolean }>)
        .map((f) => `${f.year}: ${nb(f.kgPerKwh, 3)} kg CO2e/kWh (${f.source}${f.substituted ? ', erstattet' : ''})`)
        .join('; ');
      const submittedAt = new Intl.DateTimeFormat('nb-NO', { dateStyle: 'long', timeStyle: 'medium', timeZone: 'Europe/Oslo' }).format(new Date(submission.submittedAt)).replace(/\u00a0/g, ' ');
      for (const line of [
        'Kvittering for innsendt oppfølgingsrapport',
        `Borettslag: ${nameA}`,
        `Tilskuddsreferanse: ${grantA.reference}`,
        `Periode: ${periodA.from} – ${addDays(periodA.to, -1)}`,
        `Faktorsett (muliggjort unngått utslipp): ${factors}`,
        `Innsending: ${id}`,
        `Sendt inn: ${submittedAt} (Europe/Oslo)`,
        'Økter: 1',
        'Energi: 10,0 kWh',
        `Muliggjort unngått utslipp: ${nb(submission.report.total.enabledAvoidedKg, 1).replace(/\u00a0/g, ' ')} kg CO2e`,
      ])
        expect(text).toContain(line);
      expect(factors).not.toBe('');
      expect(text.indexOf('plass 4:')).toBeLessThan(text.indexOf('plass 10:'));
      await receiptScreenshot(readFileSync((await download.path())!));
    });

    it("exports the period for Norwegian Excel: the CSV read with ';' and decimal comma equals the JSON rounded as shown", async () => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.locator('button[data-export="csv"]').click()]);
      const raw = readFileSync((await download.path())!, 'utf8');
      expect(raw.startsWith('\ufeff')).toBe(true);
      const rows = parse(raw.slice(1), { delimiter: ';', columns: true }) as Array<Record<string, string>>;
      const report = (await t.http().get(`/api/v1/reports/charging-usage?from=${periodA.from}&to=${periodA.to}`).set(bearer(keyA)).expect(200)).body;
      const decimal = (text: string) => Number(text.replace(',', '.'));
      for (const point of report.chargePoints as Array<{ name: string; energyKwh: number; sessions: number; availabilityPct: number; occupiedHours: number }>) {
        const row = rows.find((r) => r.Ladepunkt === point.name)!;
        expect(decimal(row['Energi (kWh)'])).toBe(Number(point.energyKwh.toFixed(1)));
        expect(decimal(row['Økter'])).toBe(point.sessions);
        expect(decimal(row['Opptatt (timer)'])).toBe(Number(point.occupiedHours.toFixed(1)));
        expect(decimal(row['Tilgjengelighet (%)'])).toBe(Number(point.availabilityPct.toFixed(1)));
        expect(row['Tilgjengelighet (%)']).toMatch(/^\d+,\d$/);
      }
      expect(Object.keys(rows[0])).not.toContain('chargePointId');
    });
  });

  describe('the climate office', () => {
    let page: Page;

    beforeAll(async () => {
      page = await signedIn(await t.keyFor('climate_office'), '#/subsidy');
      await page.getByRole('heading', { name: 'Oppfølging av ladetilskudd' }).waitFor();
    });

    it('sees every cooperative with a late and a missing report, deadlines and filters', async () => {
      const rowB = page.locator(`tr[data-organization-id="${coopB}"]`);
      await expectText(rowB.locator(`li[data-period="${firstB.from}/${firstB.to}"]`), `levert for sent (frist ${nbDay(addDays(firstB.to, 30))})`);
      await expectText(rowB.locator(`li[data-period="${secondB.from}/${secondB.to}"]`), `mangler (frist ${nbDay(addDays(secondB.to, 30))})`);
      await expectText(rowB.locator('[data-reports]'), '0 i tide, 1 for sent, 1 mangler, 0 skal leveres');
      await expectText(page.locator(`tr[data-organization-id="${coopA}"] [data-reports]`), '1 i tide, 0 for sent, 0 mangler');
      await screenshot(page, 'subsidy-overview');
      await page.getByLabel('Vis', { exact: true }).selectOption('missing');
      await expectText(page.locator('tbody'), nameB);
      expect(await page.locator(`tr[data-organization-id="${coopA}"]`).count()).toBe(0);
      await page.getByLabel('Vis', { exact: true }).selectOption('all');
      await page.getByLabel('Søk etter borettslag').fill('solsiden');
      expect(await page.locator(`tr[data-organization-id="${coopB}"]`).count()).toBe(0);
      await expectText(page.locator('tbody'), nameA);
    });

    it('exports the overview: the nb CSV equals the JSON rounded as shown, the XLSX has a cover sheet and number formats', async () => {
      const year = Number(today.slice(0, 4));
      const overview = (await t.http().get(`/api/v1/subsidy-follow-up/overview?year=${year}`).set(bearer(t.adminKey)).expect(200)).body;
      const [csv] = await Promise.all([page.waitForEvent('download'), page.locator('button[data-export="csv"]').click()]);
      const rows = parse(readFileSync((await csv.path())!, 'utf8').slice(1), { delimiter: ';', columns: true }) as Array<Record<string, string>>;
      for (const cooperative of overview.cooperatives as Array<{ organizationName: string; energyKwh: number; sessions: number; missing: number; late: number }>) {
        const row = rows.find((r) => r.Borettslag === cooperative.organizationName)!;
        expect(Number(row['Energi (kWh)'].replace(',', '.'))).toBe(Number(cooperative.energyKwh.toFixed(1)));
        expect(Number(row['Økter'])).toBe(cooperative.sessions);
        expect([Number(row.Mangler), Number(row['Levert for sent'])]).toEqual([cooperative.missing, cooperative.late]);
      }
      const [xlsx] = await Promise.all([page.waitForEvent('download'), page.locator('button[data-export="xlsx"]').click()]);
      const workbook = new Workbook();
      await workbook.xlsx.load(readFileSync((await xlsx.path())!) as unknown as ArrayBuffer);
      const cover = workbook.getWorksheet('forside')!;
      expect(cover.getRow(3).values).toEqual([undefined, 'Periode', `${year}-01-01 – ${year}-12-31`]);
      expect(String(cover.getRow(2).getCell(2).value)).toContain(grantA.reference);
      expect(cover.getRow(5).getCell(1).value).toBe('Laget');
      const sheet = workbook.getWorksheet('rapport')!;
      const headers = sheet.getRow(1).values as string[];
      const energy = headers.indexOf('Energi (kWh)');
      expect(sheet.getRow(2).getCell(energy).numFmt).toBe('#,##0.0');
      expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    });

    it("opens on the year in progress in the report time zone, also in a tab left open past New Year's Eve", async () => {
      // 23:50 in Oslo on New Year's Eve (22:50 UTC); the service keeps the real clock.
      const tab = await signedIn(await t.keyFor('climate_office'), '#/subsidy', new Date('2026-12-31T22:50:00Z'));
      await tab.locator('#overview-year').waitFor();
      expect(await tab.locator('#overview-year').inputValue()).toBe('2026');
      await tab.goto(`${base}/#/climate`);
      await tab.clock.fastForward('20:00'); // 00:10 in Oslo on New Year's Day, 23:10 UTC still
      await tab.goto(`${base}/#/subsidy`);
      await tab.locator('#overview-year').waitFor();
      expect(await tab.locator('#overview-year').inputValue()).toBe('2027');
      await tab.context().close();
    });
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

function nb(value: number, digits: number): string {
  return new Intl.NumberFormat('nb-NO', { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
}

/** A day as the page writes it in bokmål: 03.12.2026. */
function nbDay(day: string): string {
  const [y, m, d] = day.split('-');
  return `${d}.${m}.${y}`;
}

function osloDay(at: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Oslo', year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

function addDays(day: string, days: number): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

function addYears(day: string, years: number): string {
  const [y, m, d] = day.split('-').map(Number);
  const last = new Date(Date.UTC(y + years, m, 0)).getUTCDate();
  return new Date(Date.UTC(y + years, m - 1, Math.min(d, last))).toISOString().slice(0, 10);
}
