import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, QueryRunner } from 'typeorm';
import { booleanArray, numberArray, uuidArray } from './array-literals';
import { RawBatch, RawBatchResult, sampleRows } from './raw-batch';

/**
 * Writes raw telemetry: one transaction per batch (received_at is that transaction's time), one multi-row INSERT ... SELECT FROM unnest()
 * per stream, ON CONFLICT DO NOTHING on the natural keys so that re-delivered samples are no-ops.
 */
@Injectable()
export class RawSampleRepository {
  /** Month partitions known to exist, as "table:YYYY-MM-01". */
  private readonly partitions = new Set<string>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Creates the month partitions a batch needs that are not known to exist yet (outside the write transaction). */
  async ensurePartitions(batch: RawBatch): Promise<void> {
    const needed = new Set<string>();
    const add = (table: string, rows: Array<{ ts: number }>) => {
      let lastMonth = -1;
      for (const row of rows) {
        const date = new Date(row.ts);
        const month = date.getUTCFullYear() * 12 + date.getUTCMonth();
        if (month === lastMonth) continue; // a batch's rows mostly share a month: skip the string work
        lastMonth = month;
        needed.add(`${table}:${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, '0')}-01`);
      }
    };
    add('vehicle_samples', batch.vehicleSamples);
    add('charge_point_status', batch.statusSamples);
    add('charge_point_meter', batch.meterSamples);
    add('charge_point_transactions', batch.transactionEvents);
    for (const key of needed) {
      if (this.partitions.has(key)) continue;
      const [table, month] = key.split(':');
      await this.dataSource.query('SELECT ensure_monthly_partition($1, $2::date)', [table, month]);
      this.partitions.add(key);
    }
  }

  /** Makes sure partitions exist for this month and the next `monthsAhead` (scheduled maintenance). */
  async ensurePartitionsAhead(now: Date, monthsAhead: number): Promise<void> {
    for (const table of ['vehicle_samples', 'charge_point_status', 'charge_point_meter', 'charge_point_transactions']) {
      for (let offset = 0; offset <= monthsAhead; offset++) {
        const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1)).toISOString().slice(0, 10);
        await this.dataSource.query('SELECT ensure_monthly_partition($1, $2::date)', [table, month]);
        this.partitions.add(`${table}:${month}`);
      }
    }
  }

  async write(batch: RawBatch): Promise<RawBatchResult> {
    await this.ensurePartitions(batch);
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      const inserted = await this.insertRows(runner, batch);
      await this.insertDeadLetters(runner, batch);
      await runner.commitTransaction();
      return { inserted, duplicates: sampleRows(batch) - inserted, deadLetters: batch.deadLetters.length };
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }

  private async insertRows(runner: QueryRunner, batch: RawBatch): Promise<number> {
    let inserted = 0;
    const run = async (sql: string, params: unknown[], rows: number) => {
      if (rows === 0) return;
      // The command's row count says how many rows were new; the rest were duplicates.
      const result = await runner.query(sql, params, true);
      inserted += result.affected ?? 0;
    };
    // Times go as epoch ms (float8, exact for whole milliseconds) and become timestamptz in SQL.
    const v = batch.vehicleSamples;
    await run(
      `INSERT INTO vehicle_samples (vehicle_id, ts, received_at, odometer_km, speed_kmh, lat, lon, ignition, soc_pct,
         energy_consumed_kwh, energy_charged_kwh, fuel_used_l, gas_used_kg, fuel_level_pct, charging)
       SELECT a, to_timestamp(b / 1000), now(), c, d, e, f, g, h, i, j, k, l, m, n
         FROM unnest($1::uuid[], $2::float8[], $3::float8[], $4::float8[], $5::float8[], $6::float8[], $7::bool[], $8::float8[],
                     $9::float8[], $10::float8[], $11::float8[], $12::float8[], $13::float8[], $14::bool[]) AS u(a, b, c, d, e, f, g, h, i, j, k, l, m, n)
       ON CONFLICT DO NOTHING`,
      [
        uuidArray(v, (s) => s.vehicleId), numberArray(v, (s) => s.ts), numberArray(v, (s) => s.odometerKm), numberArray(v, (s) => s.speedKmh),
        numberArray(v, (s) => s.lat), numberArray(v, (s) => s.lon), booleanArray(v, (s) => s.ignition), numberArray(v, (s) => s.socPct),
        numberArray(v, (s) => s.energyConsumedKwh), numberArray(v, (s) => s.energyChargedKwh), numberArray(v, (s) => s.fuelUsedL),
        numberArray(v, (s) => s.gasUsedKg), numberArray(v, (s) => s.fuelLevelPct), booleanArray(v, (s) => s.charging),
      ],
      v.length,
    );
    const st = batch.statusSamples;
    await run(
      `INSERT INTO charge_point_status (charge_point_id, connector_id, ts, received_at, status, error_code)
       SELECT a, b, to_timestamp(c / 1000), now(), d, e FROM unnest($1::uuid[], $2::int[], $3::float8[], $4::text[], $5::text[]) AS u(a, b, c, d, e)
       ON CONFLICT DO NOTHING`,
      [uuidArray(st, (s) => s.chargePointId), numberArray(st, (s) => s.connectorId), numberArray(st, (s) => s.ts), st.map((s) => s.status), st.map((s) => s.errorCode)],
      st.length,
    );
    const m = batch.meterSamples;
    await run(
      `INSERT INTO charge_point_meter (charge_point_id, connector_id, ts, received_at, energy_wh, power_w, transaction_id)
       SELECT a, b, to_timestamp(c / 1000), now(), d, e, f FROM unnest($1::uuid[], $2::int[], $3::float8[], $4::float8[], $5::float8[], $6::text[]) AS u(a, b, c, d, e, f)
       ON CONFLICT DO NOTHING`,
      [
        uuidArray(m, (s) => s.chargePointId), numberArray(m, (s) => s.connectorId), numberArray(m, (s) => s.ts), numberArray(m, (s) => s.energyWh),
        numberArray(m, (s) => s.powerW), m.map((s) => s.transactionId),
      ],
      m.length,
    );
    const t = batch.transactionEvents;
    await run(
      `INSERT INTO charge_point_transactions (charge_point_id, connector_id, ts, received_at, event, transaction_id, meter_wh, id_tag_hash, reason)
       SELECT a, b, to_timestamp(c / 1000), now(), d, e, f, g, h
         FROM unnest($1::uuid[], $2::int[], $3::float8[], $4::text[], $5::text[], $6::float8[], $7::bytea[], $8::text[]) AS u(a, b, c, d, e, f, g, h)
       ON CONFLICT DO NOTHING`,
      [
        uuidArray(t, (s) => s.chargePointId), numberArray(t, (s) => s.connectorId), numberArray(t, (s) => s.ts), t.map((s) => s.event), t.map((s) => s.transactionId),
        numberArray(t, (s) => s.meterWh), t.map((s) => s.idTagHash), t.map((s) => s.reason),
      ],
      t.length,
    );
    const c = batch.connectionEvents;
    await run(
      `INSERT INTO device_connection_events (device_kind, device_ref, received_at, state)
       SELECT a, b, to_timestamp(c / 1000), d FROM unnest($1::text[], $2::uuid[], $3::float8[], $4::text[]) AS u(a, b, c, d)
       ON CONFLICT DO NOTHING`,
      [c.map((e) => e.deviceKind), uuidArray(c, (e) => e.deviceRef), numberArray(c, (e) => e.receivedAt), c.map((e) => e.state)],
      c.length,
    );
    return inserted;
  }

  private async insertDeadLetters(runner: QueryRunner, batch: RawBatch): Promise<void> {
    const d = batch.deadLetters;
    if (d.length === 0) return;
    await runner.query(
      `INSERT INTO dead_letters (received_at, topic, device_id, reason, detail, sample_index, payload, payload_bytes)
       SELECT to_timestamp(a / 1000), b, c, d, e, f, g, h
         FROM unnest($1::float8[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::bytea[], $8::int[]) AS u(a, b, c, d, e, f, g, h)`,
      [
        numberArray(d, (r) => r.receivedAt), d.map((r) => r.topic), d.map((r) => r.deviceId), d.map((r) => r.reason), d.map((r) => r.detail),
        d.map((r) => r.sampleIndex), d.map((r) => r.payload), d.map((r) => r.payloadBytes),
      ],
    );
  }
}
