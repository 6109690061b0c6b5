import { DataSource } from 'typeorm';
import { deadLetter } from '../../src/telemetry/ingest/decode-message';
import { RawBatch, emptyBatch } from '../../src/telemetry/storage/raw-batch';
import { RawSampleRepository } from '../../src/telemetry/storage/raw-sample.repository';
import { Sql } from '../support/sql';
import { TestDatabase, createTestDatabase } from '../support/test-database';

const VEHICLE = '6f1c2a34-9b8e-4d21-a3c5-0e7f9a1b2c3d';
const CHARGE_POINT = '0b7e4c1d-2f3a-4b5c-8d6e-7f8091a2b3c4';
const TS = Date.parse('2019-03-04T07:15:02.123Z');

/** Every stream and a dead letter in one batch: the ingest writes them in one statement. */
function mixedBatch(): RawBatch {
  const batch = emptyBatch();
  batch.vehicleSamples.push(
    {
      vehicleId: VEHICLE,
      ts: TS,
      odometerKm: 12.5,
      speedKmh: 0,
      lat: 59.89,
      lon: 10.52,
      ignition: true,
      socPct: null,
      energyConsumedKwh: 3.25,
      energyChargedKwh: null,
      fuelUsedL: null,
      gasUsedKg: null,
      fuelLevelPct: null,
      charging: false,
    },
    {
      vehicleId: VEHICLE,
      ts: TS + 1,
      odometerKm: null,
      speedKmh: 4,
      lat: null,
      lon: null,
      ignition: null,
      socPct: 80,
      energyConsumedKwh: null,
      energyChargedKwh: null,
      fuelUsedL: null,
      gasUsedKg: null,
      fuelLevelPct: null,
      charging: null,
    },
  );
  batch.statusSamples.push({ chargePointId: CHARGE_POINT, ts: TS, connectorId: 1, status: 'Charging', errorCode: 'NoError' });
  batch.meterSamples.push({ chargePointId: CHARGE_POINT, ts: TS, connectorId: 1, energyWh: 1200, powerW: null, transactionId: 'tx "1"' });
  batch.transactionEvents.push({ chargePointId: CHARGE_POINT, ts: TS, event: 'start', connectorId: 1, transactionId: 'tx "1"', meterWh: 1000, idTagHash: Buffer.from([1, 2, 3]), reason: null });
  batch.connectionEvents.push({ deviceKind: 'vehicle', deviceRef: VEHICLE, ts: TS - 60_000, receivedAt: TS, state: 'online' });
  batch.deadLetters.push(deadLetter('fleet/v1/vehicles/x/telemetry', 'x', 'unknown_device', 'a {quoted, "detail"}', null, Buffer.from('{}'), TS));
  return batch;
}

describe('raw batch write', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let sql: Sql;
  let repository: RawSampleRepository;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await new DataSource({ type: 'postgres', url: database.url }).initialize();
    sql = await Sql.connect(database.url);
    repository = new RawSampleRepository(dataSource);
  });

  afterAll(async () => {
    await sql?.close();
    await dataSource?.destroy();
    await database?.drop();
  });

  it('stores every stream of a batch with its values, and counts a re-delivered batch as duplicates', async () => {
    expect(await repository.write(mixedBatch())).toEqual({ inserted: 6, duplicates: 0, deadLetters: 1 });

    const vehicle = await sql.rows<Record<string, unknown>>(
      `SELECT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS ts, odometer_km, speed_kmh, lat, lon, ignition, soc_pct, energy_consumed_kwh, fuel_used_l, charging
         FROM vehicle_samples ORDER BY ts`,
    );
    expect(vehicle).toEqual([
      { ts: '2019-03-04T07:15:02.123000', odometer_km: 12.5, speed_kmh: 0, lat: 59.89, lon: 10.52, ignition: true, soc_pct: null, energy_consumed_kwh: 3.25, fuel_used_l: null, charging: false },
      { ts: '2019-03-04T07:15:02.124000', odometer_km: null, speed_kmh: 4, lat: null, lon: null, ignition: null, soc_pct: 80, energy_consumed_kwh: null, fuel_used_l: null, charging: null },
    ]);
    expect(await sql.rows(`SELECT status, error_code FROM charge_point_status`)).toEqual([{ status: 'Charging', error_code: 'NoError' }]);
    expect(await sql.rows(`SELECT energy_wh, power_w, transaction_id FROM charge_point_meter`)).toEqual([{ energy_wh: 1200, power_w: null, transaction_id: 'tx "1"' }]);
    expect(await sql.rows(`SELECT event, meter_wh, encode(id_tag_hash, 'hex') AS hash FROM charge_point_transactions`)).toEqual([{ event: 'start', meter_wh: 1000, hash: '010203' }]);
    expect(await sql.rows(`SELECT device_kind, state, extract(epoch FROM received_at - ts)::float8 AS stated_before FROM device_connection_events`)).toEqual([
      { device_kind: 'vehicle', state: 'online', stated_before: 60 },
    ]);
    expect(await sql.rows(`SELECT detail, sample_index, payload_bytes FROM dead_letters`)).toEqual([{ detail: 'a {quoted, "detail"}', sample_index: null, payload_bytes: 2 }]);

    // A re-delivered batch: its dead letter has the same natural key (its receive time differs) and is not written again.
    const redelivered = mixedBatch();
    redelivered.deadLetters[0] = deadLetter('fleet/v1/vehicles/x/telemetry', 'x', 'unknown_device', 'a {quoted, "detail"}', null, Buffer.from('{}'), TS + 60_000);
    expect(await repository.write(redelivered)).toEqual({ inserted: 0, duplicates: 6, deadLetters: 1 });
    expect(await sql.count('SELECT 1 FROM vehicle_samples')).toBe(2);
    expect(await sql.count('SELECT 1 FROM dead_letters')).toBe(1);
    // Another sample index of the same payload, or another topic, is another dead letter.
    const other = emptyBatch();
    other.deadLetters.push(deadLetter('fleet/v1/vehicles/x/telemetry', 'x', 'schema_violation', 'd', 3, Buffer.from('{}'), TS));
    other.deadLetters.push(deadLetter('fleet/v1/vehicles/y/telemetry', 'y', 'unknown_device', 'd', null, Buffer.from('{}'), TS));
    await repository.write(other);
    expect(await sql.count('SELECT 1 FROM dead_letters')).toBe(3);
  });

  it('writes a batch of dead letters only, and an empty one', async () => {
    const batch = emptyBatch();
    batch.deadLetters.push(deadLetter('fleet/v1/vehicles/z/telemetry', 'z', 'unknown_device', 'd', null, Buffer.from('{}'), TS));
    expect(await repository.write(batch)).toEqual({ inserted: 0, duplicates: 0, deadLetters: 1 });
    expect(await repository.write(emptyBatch())).toEqual({ inserted: 0, duplicates: 0, deadLetters: 0 });
  });
});
