import { Workbook } from 'exceljs';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { MonthPeriod, lastEndedMonth } from '../../src/alerts/deliveries/delivery-period';
import { sleep } from '../support/alerts-fixture';
import { aCooperative } from '../support/builders';
import { registerChargePoint } from '../support/charging-fixture';
import { TestPublisher } from '../support/mqtt-publisher';
import { ServiceProcess, startService, waitFor } from '../support/service-process';
import { SmtpSink, startSmtpSink } from '../support/smtp-sink';
import { Sql } from '../support/sql';
import { TestApp, bearer, startTestApp } from '../support/test-app';

const COOP_MAIL = 'styret@borettslag.test';
const CLIMATE_MAIL = 'klima@kommune.test';
const TIME_ZONE = 'Europe/Oslo';
/** How long after their start the workers' clocks reach the turn of the month: time for both to come up on a loaded machine. */
const LEAD_MS = 45_000;
const DAY_MS = 86_400_000;

/**
 * Monthly deliveries with worker processes as an operator runs them: the built service
 * (`node dist/src/main.js`, APP_ROLES=worker), each its own OS process and process group,
 * sharing only PostgreSQL, Redis and the SMTP sink. Their clocks are shifted with
 * TEST_CLOCK_OFFSET: two are started shortly before the turn of a month (report time zone) on
 * their clocks and run over it; stopped, one is started with a clock past the next month's due
 * time, as after an outage over it. This test's own service (api, ingest, worker roles, no SMTP
 * server: it sends nothing) registers, ingests and derives the month's charging.
 *
 * The month delivered is the last one ended in real time, so that its sessions are accepted by
 * the ingest whenever the test runs.
 */
describe('scheduled deliveries with worker processes', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let sql: Sql;
  let device: TestPublisher;
  const workers: ServiceProcess[] = [];
  /** A worker the SMTP sink kills (SIGKILL, whole group) when it receives the worker's next mail, before answering it. */
  let killOnMail: ServiceProcess | undefined;
  // The last month ended in real time, the one after it, and the one after that.
  const month: MonthPeriod = lastEndedMonth(new Date(), TIME_ZONE);
  const nextMonth: MonthPeriod = lastEndedMonth(new Date(month.dueAt.getTime() + 40 * DAY_MS), TIME_ZONE);
  const monthAfterNext: MonthPeriod = lastEndedMonth(new Date(nextMonth.dueAt.getTime() + 40 * DAY_MS), TIME_ZONE);

  /** Starts a worker process whose clock reads `clockAt` `afterMs` from now. */
  function startWorker(clockAt: Date, afterMs = 0): ServiceProcess {
    const worker = startService({
      APP_ROLES: 'worker',
      DATABASE_URL: t.database.url,
      MQTT_URL: t.broker.url,
      REDIS_KEY_PREFIX: t.config.redisKeyPrefix,
      LOG_LEVEL: 'info',
      SMTP_URL: smtp.url,
      ALERT_MAIL_FROM: 'rapport@klimaklok.test',
      CLIMATE_OFFICE_MAIL: CLIMATE_MAIL,
      DELIVERY_CHECK_INTERVAL: '200ms',
      TEST_CLOCK_OFFSET: `${clockAt.getTime() - (Date.now() + afterMs)}ms`,
    });
    workers.push(worker);
    return worker;
  }
  const started = (worker: ServiceProcess) =>
    waitFor(
      async () => {
        if (worker.child.exitCode !== null) throw new Error(`worker exited: ${worker.output()}`);
        return worker.output().includes('Klimaklok started without HTTP') ? true : undefined;
      },
      90_000,
      'a worker process to start',
    );
  async function stopWorkers() {
    for (const worker of workers.splice(0)) {
      await worker.stop();
      expect(worker.child.exitCode).toBe(0);
    }
  }
  const mailsTo = (address: string) => smtp.mails.filter((mail) => (mail.to as { text: string }).text === address);
  const at = (month: MonthPeriod, day: number, time: string) => `${month.from.slice(0, 8)}${String(day).padStart(2, '0')}T${time}Z`;

  beforeAll(async () => {
    if (!existsSync(path.join(__dirname, '..', '..', 'dist', 'src', 'main.js'))) throw new Error('run `npm run build` first');
    smtp = await startSmtpSink({
      async onMail() {
        const victim = killOnMail;
        killOnMail = undefined;
        if (!victim) return;
        process.kill(-victim.child.pid!, 'SIGKILL');
        await victim.exited;
      },
    });
    t = await startTestApp({ APP_ROLES: 'api,ingest,worker' });
    sql = await Sql.connect(t.database.url);
    device = await TestPublisher.connect(t.broker.url);
  });

  afterAll(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop()));
    await device?.close();
    await sql?.close();
    await t?.close();
    await smtp?.close();
  });

  it('two worker processes running over the turn of the month: each cooperative report and the climate summary delivered exactly once, with the XLSX figures of the report', async () => {
    const coop = (
      await t
        .http()
        .post('/api/v1/organizations')
        .set(bearer(t.adminKey))
        .send(aCooperative({ contactEmail: COOP_MAIL }))
        .expect(201)
    ).body.id;
    await t.http().post('/api/v1/organizations').set(bearer(t.adminKey)).send(aCooperative()).expect(201); // no contact address: nothing to send
    await registerChargePoint(t, coop, 'cp-monthly', { name: 'Garasje Nord', commissionedOn: month.from });
    await device.publish('fleet/v1/chargepoints/cp-monthly/transaction', [
      { ts: at(month, 10, '17:00:00'), event: 'start', connectorId: 1, transactionId: 'M1', meterWh: 10_000, idTag: 'tag-1' },
      { ts: at(month, 10, '19:00:00'), event: 'stop', connectorId: 1, transactionId: 'M1', meterWh: 22_500 },
      { ts: at(month, 12, '08:00:00'), event: 'start', connectorId: 2, transactionId: 'M2', meterWh: 50_000, idTag: 'tag-2' },
      { ts: at(month, 12, '09:00:00'), event: 'stop', connectorId: 2, transactionId: 'M2', meterWh: 54_000 },
    ]);
    await sql.waitForCount(`SELECT 1 FROM charging_sessions WHERE source = 'transaction'`, 2, [], 30_000);

    // Both clocks reach the start of the month LEAD_MS from now (the same offset), both check every 200 ms.
    const dueInRealTime = Date.now() + LEAD_MS;
    const pair = [startWorker(month.dueAt, LEAD_MS), startWorker(month.dueAt, LEAD_MS)];
    await Promise.all(pair.map(started));
    if (Date.now() >= dueInRealTime) throw new Error(`the workers took longer than ${LEAD_MS} ms to start: not both were running at the due time`);
    expect(smtp.mails).toEqual([]);
    await smtp.waitFor(2, LEAD_MS + 30_000);
    await sleep(2000); // 10 more checks of each worker: a second copy would arrive in them
    expect(mailsTo(COOP_MAIL)).toHaveLength(1);
    expect(mailsTo(CLIMATE_MAIL)).toHaveLength(1);
    const rows = await sql.rows<Record<string, unknown>>(
      `SELECT kind, subject, period, status, attempts, recipient, delivered_at >= due_at AS "afterDue", delivered_by AS "deliveredBy", message_id AS "messageId"
         FROM scheduled_deliveries ORDER BY kind`,
    );
    expect(rows).toEqual([
      {
        kind: 'climate_fleet_kpis',
        subject: 'climate_office',
        period: month.period,
        status: 'delivered',
        attempts: 1,
        recipient: CLIMATE_MAIL,
        afterDue: true,
        deliveredBy: expect.any(String),
        messageId: `<climate_fleet_kpis.climate_office.${month.period}@klimaklok.test>`,
      },
      {
        kind: 'cooperative_charging_usage',
        subject: coop,
        period: month.period,
        status: 'delivered',
        attempts: 1,
        recipient: COOP_MAIL,
        afterDue: true,
        deliveredBy: expect.any(String),
        messageId: `<cooperative_charging_usage.${coop}.${month.period}@klimaklok.test>`,
      },
    ]);
    // Sent by the worker processes (hostname:pid:random), not by this test's service.
    const pids = pair.map((worker) => String(worker.child.pid));
    for (const row of rows) expect(pids).toContain(String(row.deliveredBy).split(':')[1]);

    const [mail] = mailsTo(COOP_MAIL);
    expect(mail.subject).toBe(`Charging usage ${month.period}`);
    expect(mail.messageId).toBe(rows[1].messageId);
    expect(mail.attachments.map((a) => a.filename)).toEqual([`charging-usage-${coop}-${month.from}-${month.to}.xlsx`]);
    const workbook = new Workbook();
    await workbook.xlsx.load(mail.attachments[0].content as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('report')!;
    const header = (sheet.getRow(1).values as unknown[]).slice(1) as string[];
    const rowsOf = sheet.getRows(2, sheet.rowCount - 1)!.map((row) => Object.fromEntries(header.map((key, i) => [key, row.getCell(i + 1).value])));
    const total = rowsOf.find((row) => row.chargePointId === 'total')!;
    expect(total).toMatchObject({ sessions: 2, energyKwh: 16.5 });
    expect(rowsOf.find((row) => row.name === 'Garasje Nord')).toMatchObject({ sessions: 2, energyKwh: 16.5, uniqueUsers: 2 });
    // The same figures as the API's report of the month.
    const report = (await t.http().get(`/api/v1/reports/charging-usage?organizationId=${coop}&from=${month.from}&to=${month.to}`).set(bearer(t.adminKey)).expect(200)).body;
    expect(total.energyKwh).toBe(report.total.energyKwh);
    expect(total.occupiedHours).toBeCloseTo(report.total.occupiedHours, 9);

    const [summary] = mailsTo(CLIMATE_MAIL);
    const year = month.period.slice(0, 4);
    expect(summary.subject).toBe(`Fleet KPIs ${year} to the end of ${month.period}`);
    expect(summary.attachments.map((a) => a.filename)).toEqual([`fleet-kpis-${year}.xlsx`]);

    // Deliveries are recorded and visible in their scope.
    const coopKey = await t.keyFor('cooperative', coop);
    expect((await t.http().get('/api/v1/deliveries').set(bearer(coopKey)).expect(200)).body.items.map((d: { kind: string }) => d.kind)).toEqual(['cooperative_charging_usage']);
    expect(
      (
        await t
          .http()
          .get('/api/v1/deliveries')
          .set(bearer(await t.keyFor('climate_office')))
          .expect(200)
      ).body.items.map((d: { kind: string }) => d.kind),
    ).toEqual(['climate_fleet_kpis']);
  });

  it('both worker processes stopped over the next turn of the month, one started a day after it: the missed month is caught up once', async () => {
    await stopWorkers();
    // Down from the middle of the next month until a day and a few hours after its end, on the workers' clock.
    startWorker(new Date(nextMonth.dueAt.getTime() + DAY_MS + 8 * 3_600_000));
    await smtp.waitFor(4, 90_000);
    await sleep(2000);
    expect(mailsTo(COOP_MAIL).map((m) => m.subject)).toEqual([`Charging usage ${month.period}`, `Charging usage ${nextMonth.period}`]);
    expect(mailsTo(CLIMATE_MAIL).map((m) => m.subject)).toEqual([
      `Fleet KPIs ${month.period.slice(0, 4)} to the end of ${month.period}`,
      `Fleet KPIs ${nextMonth.period.slice(0, 4)} to the end of ${nextMonth.period}`,
    ]);
    expect(await sql.count(`SELECT 1 FROM scheduled_deliveries WHERE period = $1 AND status = 'delivered' AND attempts = 1`, [nextMonth.period])).toBe(2);
    expect(await sql.count(`SELECT 1 FROM scheduled_deliveries`)).toBe(4);
  });

  it('a worker started longer than DELIVERY_CATCH_UP (7 days) after a month turned does not send that month', async () => {
    await stopWorkers();
    const worker = startWorker(new Date(monthAfterNext.dueAt.getTime() + 19 * DAY_MS));
    await started(worker);
    await sleep(3000); // its check at start and about 15 more
    expect(smtp.mails).toHaveLength(4);
    expect(await sql.count(`SELECT 1 FROM scheduled_deliveries WHERE period = $1`, [monthAfterNext.period])).toBe(0);
  });

  it('a worker killed after the SMTP server took the mail and before its commit: the next worker sends it again, with the same Message-ID (at least once)', async () => {
    await stopWorkers();
    // Within DELIVERY_CATCH_UP of the third month's turn: both its deliveries are due at start.
    const clockAt = new Date(monthAfterNext.dueAt.getTime() + 3_600_000);
    const victim = startWorker(clockAt);
    killOnMail = victim;
    await smtp.waitFor(5, 90_000);
    expect(await victim.exited).toBeNull(); // killed by the signal
    expect(await sql.count(`SELECT 1 FROM scheduled_deliveries WHERE period = $1 AND status = 'delivered'`, [monthAfterNext.period])).toBe(0);

    startWorker(clockAt);
    await smtp.waitFor(7, 90_000);
    await sleep(2000);
    const copies = smtp.mails.slice(4).filter((mail) => mail.subject!.endsWith(monthAfterNext.period));
    expect(copies.map((mail) => (mail.to as { text: string }).text).sort()).toEqual([CLIMATE_MAIL, COOP_MAIL, COOP_MAIL].sort());
    const [first, again] = copies.filter((mail) => (mail.to as { text: string }).text === COOP_MAIL);
    expect(again.messageId).toBe(first.messageId);
    expect(
      await sql.rows(`SELECT kind, status, attempts, message_id AS "messageId" FROM scheduled_deliveries WHERE period = $1 AND kind = 'cooperative_charging_usage'`, [monthAfterNext.period]),
    ).toEqual([{ kind: 'cooperative_charging_usage', status: 'delivered', attempts: 1, messageId: first.messageId }]);
  });
});
