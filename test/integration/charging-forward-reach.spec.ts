import { DataSource } from 'typeorm';
import { ChargingDerivationRepository } from '../../src/charging/derivation/charging-derivation.repository';
import { TestDataSource, openTestDataSource } from '../support/test-database';

/**
 * How far a charge point's derivation must look past its window. Connection events sit at their
 * stated time (else their arrival): a backfill of 2018 samples arrives today, next to today's
 * `online`; its derivation must not reach from 2018 to today (years of days re-derived per job),
 * while a backfilled connection event reaches to the next one of the history.
 */
describe('charge point derivation: forward reach of a window', () => {
  const chargePoint = '00000000-0000-4000-8000-00000000c0de';
  let database: TestDataSource;
  let db: DataSource;
  const repository = new ChargingDerivationRepository();
  const reach = (from: string, to: string) => repository.forwardReach(db.manager, chargePoint, new Date(from), new Date(to));

  beforeAll(async () => {
    database = await openTestDataSource();
    db = database.dataSource;
    for (const month of ['2018-10-01', '2018-11-01']) await db.query(`SELECT ensure_monthly_partition('charge_point_status', $1)`, [month]);
    await db.query(
      `INSERT INTO charge_point_status (charge_point_id, connector_id, ts, received_at, status, error_code)
       VALUES ($1, 1, '2018-10-10T17:00:00Z', now(), 'Charging', 'NoError'), ($1, 1, '2018-11-20T07:00:00Z', now(), 'Available', 'NoError')`,
      [chargePoint],
    );
    await db.query(
      `INSERT INTO device_connection_events (device_kind, device_ref, ts, received_at, state)
       VALUES ('charge_point', $1, '2026-11-01T10:00:00Z', '2026-11-01T10:00:00Z', 'online'), ('charge_point', $1, '2026-11-20T10:00:00Z', '2026-11-20T10:00:00Z', 'online'),
              ('charge_point', $1, '2018-12-05T12:00:00Z', '2026-11-20T10:00:01Z', 'offline'), ('charge_point', $1, '2018-12-24T06:00:00Z', '2026-11-20T10:00:01Z', 'online')`,
      [chargePoint],
    );
  });

  afterAll(async () => {
    await database?.close();
  });

  it('a backfilled window reaches to the next status of its connectors, not to the connection events of today', async () => {
    expect(await reach('2018-10-09T22:00:00Z', '2018-10-11T22:00:00Z')).toEqual(new Date('2018-11-20T07:00:00Z'));
  });

  it('a window holding a connection event reaches to the next connection event', async () => {
    expect(await reach('2026-10-31T23:00:00Z', '2026-11-01T23:00:00Z')).toEqual(new Date('2026-11-20T10:00:00Z'));
  });

  it('a backfilled connection event (stated time) reaches to the next event of the history', async () => {
    expect(await reach('2018-12-04T23:00:00Z', '2018-12-05T23:00:00Z')).toEqual(new Date('2018-12-24T06:00:00Z'));
  });

  it('a window holding the last connection event reaches to now (it holds until then)', async () => {
    const before = Date.now();
    const reached = (await reach('2026-11-19T23:00:00Z', '2026-11-20T23:00:00Z'))!.getTime();
    expect(reached).toBeGreaterThanOrEqual(before - 1000);
    expect(reached).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it('a window with nothing in it nor after it reaches nowhere', async () => {
    expect(await reach('2018-11-20T23:00:00Z', '2018-11-21T23:00:00Z')).toBeNull();
  });
});
