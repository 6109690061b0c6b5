import { INestApplication } from '@nestjs/common';
import { Workbook } from 'exceljs';
import { DeliveryScheduler } from '../../src/alerts/deliveries/delivery-scheduler';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/platform/config/app-config';
import { PinoLoggerService } from '../../src/platform/logging/pino-logger.service';
import { Clock } from '../../src/platform/time/clock';
import { sleep } from '../support/alerts-fixture';
import { aCooperative } from '../support/builders';
import { registerChargePoint } from '../support/charging-fixture';
import { TestPublisher } from '../support/mqtt-publisher';
import { SmtpSink, startSmtpSink } from '../support/smtp-sink';
import { Sql } from '../support/sql';
import { TestApp, bearer, startTestApp } from '../support/test-app';

const COOP_MAIL = 'styret@borettslag.test';
const CLIMATE_MAIL = 'klima@kommune.test';

/**
 * Monthly deliveries with several workers. The "worker processes" are worker-role instances of the
 * service in this test's process (each its own Nest application, database pool, Redis connections
 * and schedule), sharing only PostgreSQL, Redis and the SMTP server, as separate processes would;
 * in-process so that the test can stand their clock at the turn of a month.
 */
describe('alerts: scheduled deliveries', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let sql: Sql;
  let device: TestPublisher;
  let fakeNow: Date;
  const workers: INestApplication[] = [];

  const env = () => ({ SMTP_URL: smtp.url, ALERT_MAIL_FROM: 'rapport@klimaklok.test', CLIMATE_OFFICE_MAIL: CLIMATE_MAIL, DELIVERY_CHECK_INTERVAL: '200ms' });
  async function startWorker(): Promise<INestApplication> {
    const config = loadConfig({ DATABASE_URL: t.database.url, MQTT_URL: t.broker.url, REDIS_KEY_PREFIX: t.config.redisKeyPrefix, APP_ROLES: 'worker', LOG_LEVEL: 'silent', ...env() });
    const app = await createApp(config, new PinoLoggerService(config.logLevel));
    await app.init();
    workers.push(app);
    return app;
  }
  async function stopWorkers() {
    for (const app of workers.splice(0)) await app.close();
  }
  const mailsTo = (address: string) => smtp.mails.filter((mail) => (mail.to as { text: string }).text === address);

  beforeAll(async () => {
    // Every instance's clock, from before they start: the test decides what time it is.
    fakeNow = new Date('2026-11-20T12:00:00Z');
    jest.spyOn(Clock.prototype, 'now').mockImplementation(() => new Date(fakeNow));
    smtp = await startSmtpSink();
    t = await startTestApp({ APP_ROLES: 'api,ingest', ...env() });
    sql = await Sql.connect(t.database.url);
    device = await TestPublisher.connect(t.broker.url);
  });

  afterAll(async () => {
    await stopWorkers();
    await device?.close();
    await sql?.close();
    await t?.close();
    await smtp?.close();
    jest.restoreAllMocks();
  });

  it('two workers at the turn of the month: each cooperative report and the climate summary delivered exactly once, with the XLSX figures of the report', async () => {
    const coop = (await t.http().post('/api/v1/organizations').set(bearer(t.adminKey)).send(aCooperative({ contactEmail: COOP_MAIL })).expect(201)).body.id;
    await t.http().post('/api/v1/organizations').set(bearer(t.adminKey)).send(aCooperative()).expect(201); // no contact address: nothing to send
    await registerChargePoint(t, coop, 'cp-monthly', { name: 'Garasje Nord' });
    const [first, second] = [await startWorker(), await startWorker()];
    await device.publish('fleet/v1/chargepoints/cp-monthly/transaction', [
      { ts: '2026-11-10T17:00:00Z', event: 'start', connectorId: 1, transactionId: 'M1', meterWh: 10_000, idTag: 'tag-1' },
      { ts: '2026-11-10T19:00:00Z', event: 'stop', connectorId: 1, transactionId: 'M1', meterWh: 22_500 },
      { ts: '2026-11-12T08:00:00Z', event: 'start', connectorId: 2, transactionId: 'M2', meterWh: 50_000, idTag: 'tag-2' },
      { ts: '2026-11-12T09:00:00Z', event: 'stop', connectorId: 2, transactionId: 'M2', meterWh: 54_000 },
    ]);
    await sql.waitForCount(`SELECT 1 FROM charging_sessions WHERE source = 'transaction'`, 2, [], 30_000);
    await sleep(1000);
    expect(smtp.mails).toEqual([]);

    // Midnight in Oslo, 1 December: November is due, and both workers check every 200 ms.
    fakeNow = new Date('2026-11-30T23:00:30Z');
    await Promise.all([first.get(DeliveryScheduler).tick(), second.get(DeliveryScheduler).tick()]);
    await smtp.waitFor(2);
    await sleep(1500);
    expect(mailsTo(COOP_MAIL)).toHaveLength(1);
    expect(mailsTo(CLIMATE_MAIL)).toHaveLength(1);
    const rows = await sql.rows(`SELECT kind, subject, period, status, attempts, recipient FROM scheduled_deliveries ORDER BY kind`);
    expect(rows).toEqual([
      { kind: 'climate_fleet_kpis', subject: 'climate_office', period: '2026-11', status: 'delivered', attempts: 1, recipient: CLIMATE_MAIL },
      { kind: 'cooperative_charging_usage', subject: coop, period: '2026-11', status: 'delivered', attempts: 1, recipient: COOP_MAIL },
    ]);

    const [mail] = mailsTo(COOP_MAIL);
    expect(mail.subject).toBe('Charging usage 2026-11');
    expect(mail.attachments.map((a) => a.filename)).toEqual([`charging-usage-${coop}-2026-11-01-2026-12-01.xlsx`]);
    const workbook = new Workbook();
    await workbook.xlsx.load(mail.attachments[0].content as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('report')!;
    const header = (sheet.getRow(1).values as unknown[]).slice(1) as string[];
    const rowsOf = sheet.getRows(2, sheet.rowCount - 1)!.map((row) => Object.fromEntries(header.map((key, i) => [key, row.getCell(i + 1).value])));
    const total = rowsOf.find((row) => row.chargePointId === 'total')!;
    expect(total).toMatchObject({ sessions: 2, energyKwh: 16.5 });
    expect(rowsOf.find((row) => row.name === 'Garasje Nord')).toMatchObject({ sessions: 2, energyKwh: 16.5, uniqueUsers: 2 });
    // The same figures as the API's report of the month.
    const report = (await t.http().get(`/api/v1/reports/charging-usage?organizationId=${coop}&from=2026-11-01&to=2026-12-01`).set(bearer(t.adminKey)).expect(200)).body;
    expect(total.energyKwh).toBe(report.total.energyKwh);
    expect(total.occupiedHours).toBeCloseTo(report.total.occupiedHours, 9);

    const [summary] = mailsTo(CLIMATE_MAIL);
    expect(summary.subject).toBe('Fleet KPIs 2026 to the end of 2026-11');
    expect(summary.attachments.map((a) => a.filename)).toEqual(['fleet-kpis-2026.xlsx']);

    // Deliveries are recorded and visible in their scope.
    const coopKey = await t.keyFor('cooperative', coop);
    expect((await t.http().get('/api/v1/deliveries').set(bearer(coopKey)).expect(200)).body.items.map((d: { kind: string }) => d.kind)).toEqual(['cooperative_charging_usage']);
    expect((await t.http().get('/api/v1/deliveries').set(bearer(await t.keyFor('climate_office'))).expect(200)).body.items.map((d: { kind: string }) => d.kind)).toEqual(['climate_fleet_kpis']);
  });

  it('both workers down over the turn of the month, one started after: the missed month is caught up once', async () => {
    await stopWorkers();
    const before = mailsTo(COOP_MAIL).length;
    // Down from late December until the morning of 2 January.
    fakeNow = new Date('2027-01-02T07:00:00Z');
    const late = await startWorker();
    await late.get(DeliveryScheduler).tick();
    await smtp.waitFor(4);
    await sleep(1500);
    const december = mailsTo(COOP_MAIL).slice(before);
    expect(december.map((m) => m.subject)).toEqual(['Charging usage 2026-12']);
    expect(mailsTo(CLIMATE_MAIL).map((m) => m.subject)).toEqual(['Fleet KPIs 2026 to the end of 2026-11', 'Fleet KPIs 2026 to the end of 2026-12']);
    expect(await sql.count(`SELECT 1 FROM scheduled_deliveries WHERE period = '2026-12' AND status = 'delivered'`)).toBe(2);
    expect(await sql.count(`SELECT 1 FROM scheduled_deliveries`)).toBe(4);
  });

  it('does not send a month whose due time is longer ago than DELIVERY_CATCH_UP (a first start long after it)', async () => {
    await stopWorkers();
    fakeNow = new Date('2027-02-20T07:00:00Z');
    const worker = await startWorker();
    await worker.get(DeliveryScheduler).tick();
    await sleep(1000);
    expect(smtp.mails).toHaveLength(4);
    expect(await sql.count(`SELECT 1 FROM scheduled_deliveries WHERE period = '2027-01'`)).toBe(0);
  });
});
