import { DataSource } from 'typeorm';
import { ChargingDerivationRepository } from '../../src/charging/derivation/charging-derivation.repository';
import { dataSourceOptions } from '../../src/platform/database/data-source-options';
import { TestDatabase, createTestDatabase } from '../support/test-database';

/**
 * How far a charge point's derivation must look past its window. Connection events carry their
 * arrival time: a backfill of 2018 arrives today, next to today's `online`; its derivation must
 * not reach from 2018 to today (years of days re-derived per job).
 */
describe('charge point derivation: forward reach of a window', () => {
  const chargePoint = '00000000-0000-4000-8000-00000000c0de';
  let database: TestDatabase;
  let db: DataSource;
  const repository = new ChargingDerivationRepository();
  const reach = (from: string, to: string) => repository.forwardReach(db.manager, chargePoint, new Date(from), new Date(to));

  beforeAll(async () => {
    database = await createTestDatabase();
    db = await new DataSource(dataSourceOptions(database.url)).initialize();
    for (const month of ['2018-10-01', '2018-11-01']) await db.query(`SELECT ensure_monthly_partition('charge_point_status', $1)`, [month]);
    await db.query(
      `INSERT INTO charge_point_status (charge_point_id, connector_id, ts, received_at, status, error_code)
       VALUES ($1, 1, '2018-10-10T17:00:00Z', now(), 'Charging', 'NoError'), ($1, 1, '2018-11-20T07:00:00Z', now(), 'Available', 'NoError')`,
      [chargePoint],
    );
    await db.query(
      `INSERT INTO device_connection_events (device_kind, device_ref, received_at, state)
       VALUES ('charge_point', $1, '2026-11-01T10:00:00Z', 'online'), ('charge_point', $1, '2026-11-20T10:00:00Z', 'online')`,
      [chargePoint],
    );
  });

  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  it('a backfilled window reaches to the next status of its connectors, not to the connection events of today', async () => {
    expect(await reach('2018-10-09T22:00:00Z', '2018-10-11T22:00:00Z')).toEqual(new Date('2018-11-20T07:00:00Z'));
  });

  it('a window holding a connection event reaches to the next connection event', async () => {
    expect(await reach('2026-10-31T23:00:00Z', '2026-11-01T23:00:00Z')).toEqual(new Date('2026-11-20T10:00:00Z'));
  });

  it('a window with nothing after it reaches nowhere', async () => {
    expect(await reach('2026-11-19T23:00:00Z', '2026-11-20T23:00:00Z')).toBeNull();
  });
});
