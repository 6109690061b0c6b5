import { Workbook } from 'exceljs';
import { TestApp, bearer, startTestApp } from '../support/test-app';
import { aCooperative, aSubsidyGrant } from '../support/builders';
import { binaryBody } from '../support/binary-body';
import { registerChargePoint, settled } from '../support/charging-fixture';
import { TestPublisher } from '../support/mqtt-publisher';
import { Sql } from '../support/sql';

/** Who sees which charge points, sessions, reports and exports; the session import; report submissions. */
describe('charging: scoping, session import and submissions', () => {
  let t: TestApp;
  let device: TestPublisher;
  let sql: Sql;
  let admin: Record<string, string>;
  let coopA: string;
  let coopB: string;
  let cpA: string;
  let cpB: string;
  let keyA: Record<string, string>;
  let keyB: Record<string, string>;
  let climate: Record<string, string>;
  let fleetManager: Record<string, string>;

  beforeAll(async () => {
    t = await startTestApp();
    admin = bearer(t.adminKey);
    sql = await Sql.connect(t.database.url);
    coopA = (
      await t
        .http()
        .post('/api/v1/organizations')
        .set(admin)
        .send(aCooperative({ name: 'Borettslag A' }))
        .expect(201)
    ).body.id;
    coopB = (
      await t
        .http()
        .post('/api/v1/organizations')
        .set(admin)
        .send(aCooperative({ name: 'Borettslag B' }))
        .expect(201)
    ).body.id;
    cpA = await registerChargePoint(t, coopA, 'cp-a', { name: 'Garasje A' });
    cpB = await registerChargePoint(t, coopB, 'cp-b', { name: 'Garasje B' });
    keyA = bearer(await t.keyFor('cooperative', coopA));
    keyB = bearer(await t.keyFor('cooperative', coopB));
    climate = bearer(await t.keyFor('climate_office'));
    fleetManager = bearer(await t.keyFor('fleet_manager'));
    device = await TestPublisher.connect(t.broker.url);
    for (const [deviceId, id] of [
      ['cp-a', 'A1'],
      ['cp-b', 'B1'],
    ]) {
      await device.publish(`fleet/v1/chargepoints/${deviceId}/transaction`, [
        { ts: '2026-10-05T17:00:00Z', event: 'start', connectorId: 1, transactionId: id, meterWh: 10000, idTag: `tag-${id}` },
        { ts: '2026-10-05T19:00:00Z', event: 'stop', connectorId: 1, transactionId: id, meterWh: 20000 },
      ]);
    }
    await sql.waitForCount(`SELECT 1 FROM charging_sessions WHERE source = 'transaction'`, 2);
  });

  afterAll(async () => {
    await device?.close();
    await sql?.close();
    await t?.close();
  });

  const usage = (query: string, key: Record<string, string>) => t.http().get(`/api/v1/reports/charging-usage?${query}`).set(key);
  const october = 'from=2026-10-01&to=2026-11-01';

  describe('scoping', () => {
    it('a cooperative lists only its own charge points; another cooperative by query parameter is 404', async () => {
      const list = await t.http().get('/api/v1/chargepoints').set(keyB).expect(200);
      expect(list.body.items.map((item: { id: string }) => item.id)).toEqual([cpB]);
      await t.http().get(`/api/v1/chargepoints?organizationId=${coopA}`).set(keyB).expect(404);
    });

    it("a cooperative cannot reach another's charge point or its sessions by id (404)", async () => {
      await t.http().get(`/api/v1/chargepoints/${cpA}`).set(keyB).expect(404);
      await t.http().get(`/api/v1/chargepoints/${cpA}/sessions?from=2026-10-01T00:00:00Z&to=2026-11-01T00:00:00Z`).set(keyB).expect(404);
      const own = await t.http().get(`/api/v1/chargepoints/${cpB}/sessions?from=2026-10-01T00:00:00Z&to=2026-11-01T00:00:00Z`).set(keyB).expect(200);
      expect(own.body.items).toHaveLength(1);
      expect(JSON.stringify(own.body)).not.toMatch(/idTag|tag-B1/);
    });

    it("a cooperative cannot get another's report by query parameter, in JSON, CSV or XLSX (404)", async () => {
      for (const format of ['json', 'csv', 'xlsx']) {
        const response = await usage(`organizationId=${coopA}&${october}&format=${format}`, keyB);
        expect({ format, status: response.status }).toEqual({ format, status: 404 });
      }
    });

    it('its own report and exports hold only its own charge points', async () => {
      const json = (await usage(october, keyB).expect(200)).body;
      expect(json.organizationId).toBe(coopB);
      expect(json.chargePoints.map((row: { chargePointId: string }) => row.chargePointId)).toEqual([cpB]);
      expect(json.total).toMatchObject({ chargePoints: 1, sessions: 1, energyKwh: 10 });
      const csv = (await usage(`${october}&format=csv`, keyB).expect(200)).text;
      expect(csv).toContain(cpB);
      expect(csv).not.toContain(cpA);
      expect(csv).not.toContain('Garasje A');
      const xlsx = await usage(`${october}&format=xlsx`, keyB)
        .buffer(true)
        .parse(binaryBody as never)
        .expect(200);
      const workbook = new Workbook();
      await workbook.xlsx.load(xlsx.body);
      const ids: unknown[] = [];
      workbook.getWorksheet('report')!.eachRow((row, n) => n > 1 && ids.push(row.getCell(1).value));
      expect(ids).toEqual([cpB, 'total']);
    });

    it("a cooperative sees only its own subsidy grants; another's by query parameter or id is 404", async () => {
      const grantA = (await t.http().post('/api/v1/subsidy-grants').set(admin).send(aSubsidyGrant(coopA)).expect(201)).body.id;
      const grantB = (await t.http().post('/api/v1/subsidy-grants').set(admin).send(aSubsidyGrant(coopB)).expect(201)).body.id;
      const own = (await t.http().get('/api/v1/subsidy-grants').set(keyB).expect(200)).body;
      expect(own.items.map((grant: { id: string }) => grant.id)).toEqual([grantB]);
      await t.http().get(`/api/v1/subsidy-grants?organizationId=${coopA}`).set(keyB).expect(404);
      await t.http().get(`/api/v1/subsidy-grants/${grantA}`).set(keyB).expect(404);
      await t.http().get(`/api/v1/subsidy-grants/${grantB}`).set(keyB).expect(200);
      const all = (await t.http().get('/api/v1/subsidy-grants').set(climate).expect(200)).body;
      expect(all.items.map((grant: { id: string }) => grant.id).sort()).toEqual([grantA, grantB].sort());
    });

    it('admin and climate office see every cooperative; a fleet manager has no access to charging routes', async () => {
      for (const key of [admin, climate]) {
        const json = (await usage(october, key).expect(200)).body;
        expect(json.chargePoints.map((row: { chargePointId: string }) => row.chargePointId).sort()).toEqual([cpA, cpB].sort());
        expect((await usage(`organizationId=${coopA}&${october}`, key).expect(200)).body.chargePoints).toHaveLength(1);
        await t.http().get(`/api/v1/chargepoints/${cpA}`).set(key).expect(200);
      }
      await t.http().get('/api/v1/chargepoints').set(fleetManager).expect(403);
      await usage(october, fleetManager).expect(403);
    });
  });

  it('refuses a bad period and an unknown organization', async () => {
    await usage('from=2026-11-01&to=2026-10-01', admin).expect(400);
    await usage('from=2026-10&to=2026-11-01', admin).expect(400);
    await usage(`${october}&format=pdf`, admin).expect(400);
    await usage(`organizationId=00000000-0000-4000-8000-000000000000&${october}`, admin).expect(404);
  });

  describe('session import', () => {
    const header = 'chargePoint,connector,start,end,kWh,userToken\n';
    const good = () =>
      header +
      'cp-a,1,2026-10-10T18:00:00Z,2026-10-10T20:00:00Z,12.5,OPERATOR-USER-77\n' +
      'cp-a,2,2026-10-11T07:00:00+02:00,2026-10-11T08:30:00+02:00,6,OPERATOR-USER-78\n' +
      `${cpA},1,2026-10-12T18:00:00Z,2026-10-12T19:00:00Z,3.25,OPERATOR-USER-77\n`;
    const post = (body: string, key: Record<string, string>) => t.http().post('/api/v1/imports/charging-sessions').set(key).set('Content-Type', 'text/csv').send(body);

    it('imports a good file; the same file again counts nothing twice; reports mark the sessions as imported', async () => {
      const first = (await post(good(), keyA).expect(200)).body;
      expect(first.summary).toEqual({ created: 3, updated: 0, unchanged: 0, rejected: 0 });
      const again = (await post(good(), keyA).expect(200)).body;
      expect(again.summary).toEqual({ created: 0, updated: 0, unchanged: 3, rejected: 0 });
      expect(await sql.count(`SELECT 1 FROM charging_sessions WHERE source = 'import'`)).toBe(3);

      // Occupied time comes from the daily rollups, which the import re-derives through a job.
      const row = await settled(
        async () => (await usage(october, keyA).expect(200)).body.chargePoints[0],
        (r) => r.occupiedHours === 2 + 2 + 1.5 + 1,
      );
      expect(row).toMatchObject({ sessions: 4, importedSessions: 3, uniqueUsers: 3 });
      expect(row.energyKwh).toBeCloseTo(10 + 12.5 + 6 + 3.25, 9);
      const sessions = (await t.http().get(`/api/v1/chargepoints/${cpA}/sessions?from=2026-10-01T00:00:00Z&to=2026-11-01T00:00:00Z`).set(keyA).expect(200)).body.items;
      expect(sessions.map((s: { source: string }) => s.source)).toEqual(['transaction', 'import', 'import', 'import']);
      // User tokens are stored as keyed hashes only.
      const clear = await sql.count(`SELECT 1 FROM charging_sessions WHERE position(convert_to('OPERATOR-USER', 'UTF8') IN id_tag_hash) > 0`);
      expect(clear).toBe(0);
      expect(await sql.count(`SELECT DISTINCT id_tag_hash FROM charging_sessions WHERE source = 'import'`)).toBe(2);
    });

    it('answers bad rows one by one and keeps the good ones', async () => {
      const file =
        header +
        'cp-a,1,2026-10-20T18:00:00Z,2026-10-20T19:00:00Z,4,U1\n' + // good
        'cp-a,9,2026-10-20T18:00:00Z,2026-10-20T19:00:00Z,4,U1\n' + // connector 9 of 2
        'cp-a,1,yesterday,2026-10-20T19:00:00Z,4,U1\n' + // start
        'cp-a,1,2026-10-21T19:00:00Z,2026-10-21T18:00:00Z,4,U1\n' + // end before start
        'cp-a,1,2026-10-22T18:00:00Z,2026-10-22T19:00:00Z,-3,U1\n' + // negative kWh
        'cp-a,1,2026-10-23T18:00:00Z,2026-10-23T19:00:00Z,50,U1\n' + // 50 kWh in 1 h at 7.4 kW
        'cp-unknown,1,2026-10-24T18:00:00Z,2026-10-24T19:00:00Z,4,U1\n' + // no such charge point
        'cp-a,1,2026-10-20T18:00:00Z,2026-10-20T19:30:00Z,5,U1\n'; // same key as line 2
      const body = (await post(file, keyA).expect(200)).body;
      expect(body.summary).toEqual({ created: 1, updated: 0, unchanged: 0, rejected: 7 });
      expect(body.rows.map((row: { line: number; outcome: string; errors?: Array<{ field: string }> }) => [row.line, row.outcome, row.errors?.map((e) => e.field)])).toEqual([
        [2, 'created', undefined],
        [3, 'rejected', ['connector']],
        [4, 'rejected', ['start']],
        [5, 'rejected', ['end']],
        [6, 'rejected', ['kWh']],
        [7, 'rejected', ['kWh']],
        [8, 'rejected', ['chargePoint']],
        [9, 'rejected', ['start']],
      ]);
      await post('not,a,session,file\n1,2,3,4\n', keyA).expect(400);
      await t.http().post('/api/v1/imports/charging-sessions').set(keyA).send({ csv: 'json is not csv' }).expect(400);
    });

    it('reads a Norwegian export: semicolons, decimal commas, other column names', async () => {
      const body = (
        await post('Ladepunkt;Connector;Start;End;kWh;Token\n'.replace('Ladepunkt', 'deviceId') + 'cp-a;2;2026-10-26T18:00:00+01:00;2026-10-26T19:00:00+01:00;3,75;NO-USER\n', keyA).expect(200)
      ).body;
      expect(body.summary).toEqual({ created: 1, updated: 0, unchanged: 0, rejected: 0 });
      const [row] = await sql.rows<{ energy_kwh: number; started_at: Date }>(`SELECT energy_kwh, started_at FROM charging_sessions WHERE source = 'import' AND started_at = '2026-10-26T17:00:00Z'`);
      expect(row.energy_kwh).toBe(3.75);
    });

    it("refuses a cooperative importing for another cooperative's charge point, storing nothing", async () => {
      const before = await sql.count(`SELECT 1 FROM charging_sessions WHERE charge_point_id = $1`, [cpA]);
      const body = (await post(header + 'cp-a,1,2026-10-25T18:00:00Z,2026-10-25T19:00:00Z,4,X\n' + `${cpA},2,2026-10-25T18:00:00Z,2026-10-25T19:00:00Z,4,X\n`, keyB).expect(200)).body;
      expect(body.summary).toEqual({ created: 0, updated: 0, unchanged: 0, rejected: 2 });
      expect(body.rows[0].errors).toEqual([{ field: 'chargePoint', message: 'no charge point cp-a' }]);
      expect(await sql.count(`SELECT 1 FROM charging_sessions WHERE charge_point_id = $1`, [cpA])).toBe(before);
      await post(header, climate).expect(403);
    });
  });

  describe('submissions', () => {
    it('a submitted month keeps its figures after late data; the municipality lists who submitted', async () => {
      const submitted = (await t.http().post('/api/v1/reports/charging-usage/submissions').set(keyB).send({ from: '2026-10-01', to: '2026-11-01' }).expect(201)).body;
      expect(submitted).toMatchObject({ organizationId: coopB, from: '2026-10-01', to: '2026-11-01', submittedBy: { keyName: 'test cooperative' } });
      expect(submitted.report.total).toMatchObject({ sessions: 1, energyKwh: 10 });
      await t.http().post('/api/v1/reports/charging-usage/submissions').set(keyB).send({ from: '2026-10-01', to: '2026-11-01' }).expect(409);

      // Late data for October arrives through MQTT after the submission.
      await device.publish('fleet/v1/chargepoints/cp-b/transaction', [
        { ts: '2026-10-20T17:00:00Z', event: 'start', connectorId: 2, transactionId: 'B2', meterWh: 0 },
        { ts: '2026-10-20T18:00:00Z', event: 'stop', connectorId: 2, transactionId: 'B2', meterWh: 5000 },
      ]);
      await settled(
        async () => (await usage(october, keyB).expect(200)).body.total.sessions,
        (sessions) => sessions === 2,
      );
      const frozen = (await t.http().get(`/api/v1/reports/charging-usage/submissions/${submitted.id}`).set(keyB).expect(200)).body;
      expect(frozen.report.total).toMatchObject({ sessions: 1, energyKwh: 10 });
      expect(frozen.submittedAt).toBe(submitted.submittedAt);
      const csv = (await t.http().get(`/api/v1/reports/charging-usage/submissions/${submitted.id}?format=csv`).set(climate).expect(200)).text;
      expect(csv.split('\r\n')[1].split(',')[6]).toBe('1'); // sessions column of the frozen row

      for (const key of [admin, climate]) {
        const list = (await t.http().get('/api/v1/reports/charging-usage/submissions?from=2026-10-01&to=2026-11-01').set(key).expect(200)).body;
        expect(list.submitted).toBe(1);
        expect(list.items.map((item: { organizationId: string; submitted: boolean }) => [item.organizationId, item.submitted])).toEqual([
          [coopA, false],
          [coopB, true],
        ]);
        expect(list.items[1]).toMatchObject({ submissionId: submitted.id, submittedBy: { keyName: 'test cooperative' } });
      }
      const september = (await t.http().get('/api/v1/reports/charging-usage/submissions?from=2026-09-01&to=2026-10-01').set(admin).expect(200)).body;
      expect(september.submitted).toBe(0);
      // A cooperative sees only its own line and cannot open another's submission.
      const own = (await t.http().get('/api/v1/reports/charging-usage/submissions?from=2026-10-01&to=2026-11-01').set(keyA).expect(200)).body;
      expect(own.items).toEqual([expect.objectContaining({ organizationId: coopA, submitted: false })]);
      for (const format of ['json', 'csv', 'xlsx']) {
        const response = await t.http().get(`/api/v1/reports/charging-usage/submissions/${submitted.id}?format=${format}`).set(keyA);
        expect({ format, status: response.status }).toEqual({ format, status: 404 });
      }
      // Nor its receipt, nor its follow-up; the municipality gets the receipt as a PDF.
      await t.http().get(`/api/v1/reports/charging-usage/submissions/${submitted.id}/receipt`).set(keyA).expect(404);
      await t.http().get(`/api/v1/subsidy-follow-up?organizationId=${coopB}`).set(keyA).expect(404);
      const receipt = await t
        .http()
        .get(`/api/v1/reports/charging-usage/submissions/${submitted.id}/receipt`)
        .set(climate)
        .buffer(true)
        .parse(binaryBody as never)
        .expect(200);
      expect(receipt.headers['content-type']).toBe('application/pdf');
      expect((receipt.body as Buffer).subarray(0, 5).toString()).toBe('%PDF-');
      // Naming another organization is refused, not honoured: a cooperative's submissions are its key's.
      await t.http().get(`/api/v1/reports/charging-usage/submissions?from=2026-10-01&to=2026-11-01&organizationId=${coopB}`).set(keyA).expect(400);
      await t.http().post('/api/v1/reports/charging-usage/submissions').set(keyA).send({ from: '2026-10-01', to: '2026-11-01', organizationId: coopB }).expect(400);
      await t.http().post('/api/v1/reports/charging-usage/submissions').set(climate).send({ from: '2026-10-01', to: '2026-11-01' }).expect(403);
    });
  });
});
