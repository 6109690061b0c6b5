import { createHmac } from 'node:crypto';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { AlertRow, sleep, waitForAlerts } from '../support/alerts-fixture';
import { aCooperative, aVehicle, anOrganization } from '../support/builders';
import { registerChargePoint } from '../support/charging-fixture';
import { TestPublisher } from '../support/mqtt-publisher';
import { SmtpSink, startSmtpSink } from '../support/smtp-sink';
import { Sql } from '../support/sql';
import { TestApp, bearer, startTestApp } from '../support/test-app';

interface Received {
  at: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver of the test's own, answering `status` to every request. */
async function startReceiver(status: number) {
  const requests: Received[] = [];
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      requests.push({ at: Date.now(), headers: request.headers, body });
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/klimaklok?token=t0k3n`, requests, close: () => new Promise((resolve) => server.close(resolve)) };
}

const RETRY_DELAY_MS = 300;
const ATTEMPTS = 4;

/** Who sees which rules and alerts; acknowledgement; the dashboard stream; webhook and e-mail notifications. */
describe('alerts: scoping and channels', () => {
  let t: TestApp;
  let device: TestPublisher;
  let smtp: SmtpSink;
  let sql: Sql;
  let coopA: string;
  let coopB: string;
  let keyA: string;
  let keyB: string;
  let fleetManager: string;
  let climate: string;
  let server: http.Server;

  beforeAll(async () => {
    smtp = await startSmtpSink();
    t = await startTestApp({
      ALERT_EVALUATION_INTERVAL: '300ms',
      ALERT_DELIVERY_ATTEMPTS: String(ATTEMPTS),
      ALERT_RETRY_DELAY: `${RETRY_DELAY_MS}ms`,
      SMTP_URL: smtp.url,
      ALERT_MAIL_FROM: 'alerts@klimaklok.test',
    });
    sql = await Sql.connect(t.database.url);
    device = await TestPublisher.connect(t.broker.url);
    coopA = (await t.http().post('/api/v1/organizations').set(bearer(t.adminKey)).send(aCooperative()).expect(201)).body.id;
    coopB = (await t.http().post('/api/v1/organizations').set(bearer(t.adminKey)).send(aCooperative()).expect(201)).body.id;
    keyA = await t.keyFor('cooperative', coopA);
    keyB = await t.keyFor('cooperative', coopB);
    fleetManager = await t.keyFor('fleet_manager');
    climate = await t.keyFor('climate_office');
    server = t.app.getHttpServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await device?.close();
    await sql?.close();
    await t?.close();
    await smtp?.close();
  });

  const faultRule = (key: string, body: Record<string, unknown> = {}) =>
    t
      .http()
      .post('/api/v1/alert-rules')
      .set(bearer(key))
      .send({ kind: 'connector_fault', name: 'Faulted', params: { minutes: 0.5 / 60 }, ...body });
  /** A cooperative of its own per test: a rule on all of a cooperative's charge points sees no other test's. */
  const freshCooperative = async () => {
    const id = (await t.http().post('/api/v1/organizations').set(bearer(t.adminKey)).send(aCooperative()).expect(201)).body.id as string;
    return { id, key: await t.keyFor('cooperative', id) };
  };
  const fault = (deviceId: string, status = 'Faulted') => device.publish(`fleet/v1/chargepoints/${deviceId}/status`, { ts: new Date().toISOString(), connectorId: 1, status });

  it('a cooperative sees and makes only its own rules and alerts; roles make rules only on their subjects', async () => {
    await registerChargePoint(t, coopA, 'cp-scope-a');
    await registerChargePoint(t, coopB, 'cp-scope-b');
    const ruleA = (await faultRule(keyA).expect(201)).body;
    expect(ruleA.organizationId).toBe(coopA);
    // Another cooperative's organization is not a scope a cooperative can name.
    await faultRule(keyB, { organizationId: coopA }).expect(404);
    const ruleB = (await faultRule(keyB).expect(201)).body;
    await fault('cp-scope-a');
    await fault('cp-scope-b');
    const [alertA] = await waitForAlerts(t, keyA, ruleA.id, (alerts) => alerts.length === 1);
    await waitForAlerts(t, keyB, ruleB.id, (alerts) => alerts.length === 1);

    const listB = (await t.http().get('/api/v1/alerts').set(bearer(keyB)).expect(200)).body.items as AlertRow[];
    expect(listB.map((a) => a.ruleId)).toEqual([ruleB.id]);
    expect((await t.http().get('/api/v1/alert-rules').set(bearer(keyB)).expect(200)).body.items.map((r: { id: string }) => r.id)).toEqual([ruleB.id]);
    await t.http().get(`/api/v1/alert-rules/${ruleA.id}`).set(bearer(keyB)).expect(404);
    await t.http().patch(`/api/v1/alert-rules/${ruleA.id}`).set(bearer(keyB)).send({ enabled: false }).expect(404);
    await t.http().delete(`/api/v1/alert-rules/${ruleA.id}`).set(bearer(keyB)).expect(404);
    await t.http().get(`/api/v1/alerts/${alertA.id}`).set(bearer(keyB)).expect(404);
    await t.http().post(`/api/v1/alerts/${alertA.id}/acknowledge`).set(bearer(keyB)).send({ comment: 'not mine' }).expect(404);
    expect((await t.http().get('/api/v1/alerts/summary').set(bearer(keyB)).expect(200)).body).toEqual({ open: 1, unacknowledged: 1 });

    // Charge point alerts are neither the fleet manager's nor the climate office's; the admin sees all.
    expect((await t.http().get('/api/v1/alerts').set(bearer(fleetManager)).expect(200)).body.items).toEqual([]);
    expect((await t.http().get('/api/v1/alerts').set(bearer(climate)).expect(200)).body.items).toEqual([]);
    const adminIds = (await t.http().get('/api/v1/alerts').set(bearer(t.adminKey)).expect(200)).body.items.map((a: AlertRow) => a.ruleId);
    expect(adminIds.sort()).toEqual([ruleA.id, ruleB.id].sort());

    await t
      .http()
      .post('/api/v1/alert-rules')
      .set(bearer(keyA))
      .send({ kind: 'vehicle_offline', name: 'x', params: { minutes: 5 } })
      .expect(403);
    await faultRule(fleetManager).expect(403);
    await faultRule(climate).expect(403);
    await t
      .http()
      .post('/api/v1/alert-rules')
      .set(bearer(fleetManager))
      .send({ kind: 'vehicle_offline', name: 'x', params: { minutes: -5 } })
      .expect(400);
    await t
      .http()
      .post('/api/v1/alert-rules')
      .set(bearer(fleetManager))
      .send({ kind: 'connector_fault', subjectKind: 'vehicle', name: 'x', params: { minutes: 5 } })
      .expect(400);
    for (const rule of [ruleA, ruleB]) await t.http().delete(`/api/v1/alert-rules/${rule.id}`).set(bearer(t.adminKey)).expect(204);
  });

  it('acknowledges with who, when and comment, and streams the change to the dashboards that may see it', async () => {
    const department = (await t.http().post('/api/v1/organizations').set(bearer(t.adminKey)).send(anOrganization()).expect(201)).body.id;
    await t
      .http()
      .post('/api/v1/vehicles')
      .set(bearer(t.adminKey))
      .send(aVehicle(department, { deviceId: 'veh-never' }))
      .expect(201);
    const { port } = server.address() as AddressInfo;
    const listen = (key: string) => {
      const events: Array<{ type: string; data: Record<string, unknown> }> = [];
      const request = http.get({ host: '127.0.0.1', port, path: '/api/v1/alerts/stream', headers: bearer(key) }, (response) => {
        let buffer = '';
        response.on('data', (chunk) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (data) events.push({ type: /^event: (.*)$/m.exec(block)?.[1] ?? 'message', data: JSON.parse(data) });
          }
        });
      });
      request.on('error', () => undefined);
      return { events, close: () => request.destroy() };
    };
    const fleetStream = listen(fleetManager);
    const coopStream = listen(keyA);
    await sleep(300);
    // Never heard from since its registration a moment ago: silent for more than a second.
    const rule = (
      await t
        .http()
        .post('/api/v1/alert-rules')
        .set(bearer(fleetManager))
        .send({ kind: 'device_silent', name: 'Silent', organizationId: department, params: { days: 1 / 86_400 } })
        .expect(201)
    ).body;
    const [alert] = await waitForAlerts(t, fleetManager, rule.id, (alerts) => alerts.length === 1);
    const acknowledged = (await t.http().post(`/api/v1/alerts/${alert.id}/acknowledge`).set(bearer(fleetManager)).send({ comment: 'van is in the workshop' }).expect(200)).body;
    expect(acknowledged.acknowledgedBy).toBe('test fleet_manager');
    expect(acknowledged.acknowledgeComment).toBe('van is in the workshop');
    expect(Date.now() - Date.parse(acknowledged.acknowledgedAt)).toBeLessThan(10_000);
    expect((await t.http().get('/api/v1/alerts/summary').set(bearer(fleetManager)).expect(200)).body).toEqual({ open: 1, unacknowledged: 0 });
    await sleep(500);
    fleetStream.close();
    coopStream.close();
    const mine = fleetStream.events.filter((e) => e.data.ruleId === rule.id);
    expect(mine.map((e) => [e.type, e.data.opened, e.data.acknowledged])).toEqual([
      ['alerts', 1, 0],
      ['alerts', 0, 1],
    ]);
    expect(coopStream.events.filter((e) => e.data.ruleId === rule.id)).toEqual([]);
    await t.http().delete(`/api/v1/alert-rules/${rule.id}`).set(bearer(fleetManager)).expect(204);
  });

  it('posts opened and resolved alerts to a webhook, signed with HMAC-SHA256 over timestamp and body', async () => {
    const receiver = await startReceiver(204);
    try {
      const coop = await freshCooperative();
      await registerChargePoint(t, coop.id, 'cp-hook');
      const rule = (await faultRule(coop.key, { webhookUrl: receiver.url }).expect(201)).body;
      expect(rule.webhookSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(rule.webhookOrigin).toBe(new URL(receiver.url).origin);
      // The secret and the hook's path and token are shown once, at creation.
      const shown = (await t.http().get(`/api/v1/alert-rules/${rule.id}`).set(bearer(coop.key)).expect(200)).body;
      expect(JSON.stringify(shown)).not.toMatch(/t0k3n|webhookSecret/);
      await fault('cp-hook');
      await waitForAlerts(t, coop.key, rule.id, (alerts) => alerts.length === 1);
      await fault('cp-hook', 'Available');
      await waitForAlerts(t, coop.key, rule.id, (alerts) => alerts[0]?.resolvedAt !== null);
      const deadline = Date.now() + 10_000;
      while (receiver.requests.length < 2 && Date.now() < deadline) await sleep(100);

      expect(receiver.requests).toHaveLength(2);
      for (const request of receiver.requests) {
        const timestamp = request.headers['x-klimaklok-timestamp'] as string;
        const expected = `sha256=${createHmac('sha256', rule.webhookSecret).update(`${timestamp}.${request.body}`).digest('hex')}`;
        expect(request.headers['x-klimaklok-signature']).toBe(expected);
        expect(request.headers['content-type']).toBe('application/json');
      }
      const bodies = receiver.requests.map((r) => JSON.parse(r.body));
      expect(bodies.map((b) => [b.event, b.alert.ruleId, b.alert.subjectPart])).toEqual([
        ['opened', rule.id, '1'],
        ['resolved', rule.id, '1'],
      ]);
      // A forged body does not match the signature.
      const forged = createHmac('sha256', rule.webhookSecret)
        .update(`${receiver.requests[0].headers['x-klimaklok-timestamp']}.${receiver.requests[0].body.replace('opened', 'resolved')}`)
        .digest('hex');
      expect(receiver.requests[0].headers['x-klimaklok-signature']).not.toBe(`sha256=${forged}`);
      await t.http().delete(`/api/v1/alert-rules/${rule.id}`).set(bearer(coop.key)).expect(204);
    } finally {
      await receiver.close();
    }
  });

  it('retries a failing webhook with growing delays, then records it given up with the reason', async () => {
    const receiver = await startReceiver(500);
    try {
      const coop = await freshCooperative();
      await registerChargePoint(t, coop.id, 'cp-hook-down');
      const rule = (await faultRule(coop.key, { webhookUrl: receiver.url }).expect(201)).body;
      await fault('cp-hook-down');
      const [alert] = await waitForAlerts(t, coop.key, rule.id, (alerts) => alerts.length === 1);
      const deadline = Date.now() + 30_000;
      let notifications: Array<{ status: string; attempts: number; lastError: string; target: string }> = [];
      while (Date.now() < deadline) {
        notifications = (await t.http().get(`/api/v1/alerts/${alert.id}`).set(bearer(coop.key)).expect(200)).body.notifications;
        if (notifications[0]?.status === 'given_up') break;
        await sleep(200);
      }
      expect(notifications).toEqual([expect.objectContaining({ status: 'given_up', attempts: ATTEMPTS, lastError: 'webhook answered HTTP 500', target: new URL(receiver.url).origin })]);
      expect(receiver.requests).toHaveLength(ATTEMPTS);
      const gaps = receiver.requests.slice(1).map((r, i) => r.at - receiver.requests[i].at);
      // Exponential backoff: 300, 600, 1200 ms (BullMQ adds no jitter by default).
      gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(RETRY_DELAY_MS * 2 ** i - 50));
      for (let i = 1; i < gaps.length; i++) expect(gaps[i]).toBeGreaterThan(gaps[i - 1]);
      await sleep(1500);
      expect(receiver.requests).toHaveLength(ATTEMPTS);
      await t.http().delete(`/api/v1/alert-rules/${rule.id}`).set(bearer(coop.key)).expect(204);
    } finally {
      await receiver.close();
    }
  });

  it('mails an opened alert to the rule addresses over SMTP', async () => {
    const coop = await freshCooperative();
    await registerChargePoint(t, coop.id, 'cp-mail', { name: 'Garasje Mail' });
    const before = smtp.mails.length;
    const rule = (await faultRule(coop.key, { name: 'Mail me', emailTo: ['styret@borettslag.test'] }).expect(201)).body;
    await fault('cp-mail');
    await waitForAlerts(t, coop.key, rule.id, (alerts) => alerts.length === 1);
    const [mail] = (await smtp.waitFor(before + 1)).slice(before);
    expect(mail.from?.text).toBe('alerts@klimaklok.test');
    expect((mail.to as { text: string }).text).toBe('styret@borettslag.test');
    expect(mail.subject).toBe('[Klimaklok] Alert: Mail me - Garasje Mail connector 1');
    expect(mail.text).toMatch(/Condition: Faulted since /);
    const [row] = await sql.rows(`SELECT status, attempts FROM alert_notifications n JOIN alerts a ON a.id = n.alert_id WHERE a.rule_id = $1`, [rule.id]);
    expect(row).toEqual({ status: 'delivered', attempts: 1 });
    await t.http().delete(`/api/v1/alert-rules/${rule.id}`).set(bearer(coop.key)).expect(204);
  });
});
